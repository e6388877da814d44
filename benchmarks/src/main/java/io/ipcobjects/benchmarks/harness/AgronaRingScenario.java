package io.ipcobjects.benchmarks.harness;

import java.util.List;

import org.HdrHistogram.Histogram;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The message baseline the issue sets our round trip against: an Agrona
 * {@link OneToOneRingBuffer} each way over one mapped file. The parent writes a message carrying
 * a sequence number, the child reads it and writes it back on the other ring, the parent reads
 * the echo and checks the number. Figure: ns per round trip.
 *
 * <p>Parameter {@code bytes} (default 32, at least 8): the message length.
 *
 * <p>Agrona's {@link UnsafeBuffer} needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}
 * on JDK 25: the parent must be started with it; the child gets it from {@link #childJvmFlags()}.
 */
final class AgronaRingScenario implements Scenario {

    static final String ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final int CAPACITY = 64 * 1024;
    private static final int RING_BYTES = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    private static final int MSG_TYPE = 1;
    private static final int BATCH = 256;
    private static final int RESULT_ECHOES = 0;
    private static final int RESULT_LAST = 1;

    private MappedFile file;
    private OneToOneRingBuffer toChild;
    private OneToOneRingBuffer fromChild;
    private UnsafeBuffer message;
    private int length;
    private long sent;
    private final EchoReader reader = new EchoReader();

    /** Takes the parent's echo off the ring; no allocation per message. */
    private static final class EchoReader implements MessageHandler {
        long received;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            received = buffer.getLong(index);
        }
    }

    @Override
    public String unit() {
        return "ns/round trip";
    }

    @Override
    public List<String> childJvmFlags() {
        return List.of(ADD_EXPORTS);
    }

    /** Fails with what to do unless this JVM runs with the export Agrona's {@link UnsafeBuffer} needs. */
    static void requireUnsafeExport() {
        if (!Object.class.getModule().isExported("jdk.internal.misc", AgronaRingScenario.class.getModule())) {
            throw new IllegalStateException("Agrona's UnsafeBuffer needs the parent JVM started with "
                    + "--add-exports java.base/jdk.internal.misc=ALL-UNNAMED (see docs/performance.md)");
        }
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        requireUnsafeExport();
        length = (int) run.longParam("bytes", 32);
        if (length < Long.BYTES) {
            throw new IllegalArgumentException("bytes must be at least 8: " + length);
        }
        file = MappedFile.create(run.file("rings"), 2L * RING_BYTES);
        toChild = ring(file, 0);
        fromChild = ring(file, 1);
        message = new UnsafeBuffer(new byte[length]);
    }

    /** Ring {@code index} of the file; the mapping is page aligned, as the ring's words need. */
    private static OneToOneRingBuffer ring(MappedFile file, int index) {
        long address = file.segment().address() + (long) index * RING_BYTES;
        return new OneToOneRingBuffer(new UnsafeBuffer(address, RING_BYTES));
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long trips = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                long sequence = ++sent;
                message.putLong(0, sequence);
                while (!toChild.write(MSG_TYPE, message, 0, length)) {
                    Thread.onSpinWait();
                }
                while (fromChild.read(reader, 1) == 0) {
                    Thread.onSpinWait();
                }
                if (reader.received != sequence) {
                    throw new IllegalStateException("sent " + sequence + ", echo carried " + reader.received);
                }
            }
            trips += BATCH;
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        return (double) elapsed / trips;
    }

    @Override
    public boolean recordsLatency() {
        return true;
    }

    @Override
    public double measureLatencyWindow(long windowNanos, Histogram latencies) {
        long start = System.nanoTime();
        long last = start;
        long trips = 0;
        do {
            long sequence = ++sent;
            message.putLong(0, sequence);
            while (!toChild.write(MSG_TYPE, message, 0, length)) {
                Thread.onSpinWait();
            }
            while (fromChild.read(reader, 1) == 0) {
                Thread.onSpinWait();
            }
            if (reader.received != sequence) {
                throw new IllegalStateException("sent " + sequence + ", echo carried " + reader.received);
            }
            long now = System.nanoTime();
            LatencyStats.record(latencies, now - last);
            last = now;
            trips++;
        } while (last - start < windowNanos);
        return (double) (last - start) / trips;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) throws Exception {
        try (MappedFile mapped = MappedFile.attach(run.file("rings"))) {
            OneToOneRingBuffer in = ring(mapped, 0);
            OneToOneRingBuffer out = ring(mapped, 1);
            long[] counts = new long[2]; // echoes, last sequence
            MessageHandler echo = (type, buffer, index, len) -> {
                while (!out.write(type, buffer, index, len)) {
                    Thread.onSpinWait();
                }
                counts[0]++;
                counts[1] = buffer.getLong(index);
            };
            control.signalReady();
            while (true) {
                if (in.read(echo, 1) == 0) {
                    if (control.stopRequested()) {
                        break;
                    }
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_ECHOES, counts[0]);
            control.putResult(RESULT_LAST, counts[1]);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long echoes = control.result(RESULT_ECHOES);
        long last = control.result(RESULT_LAST);
        if (echoes != sent || last != sent || toChild.size() != 0 || fromChild.size() != 0) {
            throw new IllegalStateException("sent " + sent + ", child echoed " + echoes + " (last " + last + "), rings hold "
                    + toChild.size() + " and " + fromChild.size() + " bytes");
        }
        return "ok: " + sent + " messages of " + length + " B echoed in order, both rings empty";
    }

    @Override
    public void tearDown() {
        if (file != null) {
            file.closeAndDelete();
        }
    }
}
