package io.ipcobjects.benchmarks.harness;

import java.util.List;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The peer of {@code channel-oneway} for small messages: an Agrona {@link OneToOneRingBuffer} over
 * a mapped file, one way. The child writes messages of {@code bytes} bytes (default 8, at least 8)
 * carrying their sequence number at both ends ({@link Payload}; one number for 8 bytes), spinning
 * while the ring is full; the parent reads up to a batch at a time and checks every message.
 * Figure: M messages/s.
 *
 * <p>Parameters: {@code bytes=<n>}, {@code ring=<n>}: the ring's capacity in bytes, a power of 2
 * (default 65536, as {@code agrona-ring}); {@code producers=one} (the default), Agrona's
 * {@code OneToOneRingBuffer}, or {@code producers=many}, its {@code ManyToOneRingBuffer}, whose
 * writers claim their room with a CAS of the tail, as a channel of many producers claims its
 * entries with a CAS: the peer of the same kind for {@code channel-oneway} with many producers.
 *
 * <p>Needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, as {@link AgronaRingScenario}.
 */
final class AgronaOneWayScenario extends MappedOneWayScenario {

    private static final int MSG_TYPE = 1;

    private RingBuffer ring;
    private int length;
    private final Checker checker = new Checker();

    /** Checks each message the parent reads against {@link #received}; no allocation per message. */
    private final class Checker implements MessageHandler {
        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int messageLength) {
            long expected = received;
            long first = buffer.getLong(index);
            long last = messageLength >= 2 * Long.BYTES ? buffer.getLong(index + messageLength - Long.BYTES) : first;
            if (messageLength != length || first != expected || last != expected) {
                throw messageLength != length
                        ? new IllegalStateException("message " + expected + ": " + messageLength + " bytes, sent " + length)
                        : Payload.mismatch(expected, first, last);
            }
            received = expected + 1;
        }
    }

    @Override
    public List<String> childJvmFlags() {
        return List.of(AgronaRingScenario.ADD_EXPORTS);
    }

    private static int ringBytes(RunContext run) {
        return (int) run.longParam("ring", 64 * 1024) + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private static int length(RunContext run) {
        int length = (int) run.longParam("bytes", 8);
        if (length < Long.BYTES) {
            throw new IllegalArgumentException("bytes must be at least 8: " + length);
        }
        return length;
    }

    /** The ring of the {@code producers} parameter over {@code buffer}. */
    private static RingBuffer newRing(RunContext run, UnsafeBuffer buffer) {
        return switch (run.param("producers", "one")) {
            case "one" -> new OneToOneRingBuffer(buffer);
            case "many" -> new ManyToOneRingBuffer(buffer);
            default -> throw new IllegalArgumentException("producers must be one or many: " + run.spec());
        };
    }

    @Override
    long messageBytes() {
        return length;
    }

    @Override
    String describe() {
        return length + "-byte messages through an Agrona " + ring.getClass().getSimpleName();
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        AgronaRingScenario.requireUnsafeExport();
        length = length(run);
        file = MappedFile.create(run.file("ring"), ringBytes(run));
        ring = newRing(run, new UnsafeBuffer(file.segment().address(), ringBytes(run)));
    }

    @Override
    void receive(int messages) {
        int got = 0;
        while (got < messages) {
            int n = ring.read(checker, messages - got);
            if (n == 0) {
                watch.idle();
            } else {
                watch.progressed();
                got += n;
            }
        }
    }

    @Override
    int receiveAvailable() {
        return ring.read(checker, 256);
    }

    @Override
    String leftOver() {
        int bytes = ring.size();
        return bytes == 0 ? null : "the ring still holds " + bytes + " bytes";
    }

    @Override
    Sender openSender(RunContext run) throws Exception {
        int bytes = ringBytes(run);
        MappedFile mapped = MappedFile.attach(run.file("ring"));
        RingBuffer out = newRing(run, new UnsafeBuffer(mapped.segment().address(), bytes));
        int messageLength = length(run);
        UnsafeBuffer message = new UnsafeBuffer(Payload.newMessage(messageLength));
        return new MappedSender(mapped) {
            @Override
            public void send(long sequence) {
                message.putLong(0, sequence);
                if (messageLength >= 2 * Long.BYTES) {
                    message.putLong(messageLength - Long.BYTES, sequence);
                }
                while (!out.write(MSG_TYPE, message, 0, messageLength)) {
                    Thread.onSpinWait();
                }
            }
        };
    }
}
