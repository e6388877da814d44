package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.Channel;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;
import io.ipcobjects.childjvm.ChildJvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

/**
 * A {@code byte[]} round trip over two {@link Channel}s of one region: the parent puts a message of
 * {@code bytes} bytes (default 32) carrying its sequence number at both ends ({@link Payload})
 * into channel {@code request}, the child polls it, checks it and puts the array it took into
 * channel {@code reply}, the parent polls the reply and checks it. Both sides wait for a message
 * with {@code poll} in a spin, as {@code agrona-ring}'s sides spin on {@code read}. Figure: ns per
 * round trip, with latency percentiles; to set beside {@code agrona-ring:bytes=32} of the same run.
 *
 * <p>Parameters: {@code bytes}, {@code capacity} (of each channel, default 1024), {@code inline}
 * (default {@link Channel#DEFAULT_INLINE_BYTES}), {@code producers=many|one} (each channel's
 * {@link Channel.Producers}, default {@code many}: with {@code one} each side's puts claim their
 * entries with plain stores, as the producer of Agrona's one-to-one ring writes), {@code wait} (the region lock's wait strategy, as in
 * {@link ChannelOneWayScenario}), {@code consume=poll|pollbytes}: both sides take with {@code poll}
 * (a new array per message, the default), or with {@code pollBytes}, copying each message from
 * its view into one array they reuse (the child puts that array back as the reply), so that
 * neither side allocates per round trip, as neither does over Agrona's ring.
 *
 * <p>Check: every request and every reply carries the number it must; at the end both sides
 * counted the same number of round trips and both channels are empty.
 */
final class ChannelRoundTripScenario implements Scenario {

    private static final int BATCH = 256;
    private static final int RESULT_ECHOES = 0;
    private static final String REQUEST = "request";
    private static final String REPLY = "reply";

    private final ChildWatch watch = new ChildWatch("reply from the child");
    private SharedMemory shm;
    private Channel<byte[]> request;
    private Channel<byte[]> reply;
    private byte[] message;
    private long sent;
    private boolean pollBytes;
    /** {@code consume=pollbytes}: the array each reply is copied into, and the reader that copies it. */
    private byte[] answerCopy;
    private Consumer<MemorySegment> copyAnswer;

    @Override
    public String unit() {
        return "ns/round trip";
    }

    private static int length(RunContext run) {
        return (int) run.longParam("bytes", 32);
    }

    /** {@code consume}: whether both sides take with {@code pollBytes}. */
    private static boolean pollBytes(RunContext run) {
        return switch (run.param("consume", "poll")) {
            case "poll" -> false;
            case "pollbytes" -> true;
            default -> throw new IllegalArgumentException("consume must be poll or pollbytes: " + run.spec());
        };
    }

    /** A reader that copies a message of {@code into.length} bytes from its view into {@code into}. */
    private static Consumer<MemorySegment> copyInto(byte[] into) {
        return view -> {
            if (view.byteSize() != into.length) {
                throw new IllegalStateException("a message of " + view.byteSize() + " bytes, sent " + into.length);
            }
            MemorySegment.copy(view, ValueLayout.JAVA_BYTE, 0, into, 0, into.length);
        };
    }

    @Override
    public void setUp(RunContext run) {
        message = Payload.newMessage(length(run));
        pollBytes = pollBytes(run);
        answerCopy = new byte[message.length];
        copyAnswer = copyInto(answerCopy);
        int capacity = (int) run.longParam("capacity", 1024);
        int inline = (int) run.longParam("inline", Channel.DEFAULT_INLINE_BYTES);
        shm = SharedMemory.create(run.regionName(), (16L << 20) + 4L * capacity * Math.max(message.length, inline + 64),
                ChannelOneWayScenario.options(run));
        Channel.Producers producers = ChannelOneWayScenario.producers(run);
        request = shm.channel(REQUEST, byte[].class, capacity, inline, producers);
        reply = shm.channel(REPLY, byte[].class, capacity, inline, producers);
    }

    @Override
    public void childStarted(ChildJvm child) {
        watch.watch(child);
    }

    /** One round trip: put message {@code sequence}, wait for its reply, check it. */
    private void roundTrip(long sequence) {
        Payload.stamp(message, sequence);
        request.put(message);
        byte[] answer;
        if (pollBytes) {
            while (!reply.pollBytes(copyAnswer)) {
                watch.idle();
            }
            answer = answerCopy;
        } else {
            while ((answer = reply.poll()) == null) {
                watch.idle();
            }
        }
        watch.progressed();
        Payload.check(answer, message.length, sequence);
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long trips = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                roundTrip(++sent);
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
            roundTrip(++sent);
            long now = System.nanoTime();
            LatencyStats.record(latencies, now - last);
            last = now;
            trips++;
        } while (last - start < windowNanos);
        return (double) (last - start) / trips;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) {
        int length = length(run);
        boolean inPlace = pollBytes(run);
        byte[] requestCopy = new byte[length];
        Consumer<MemorySegment> copyRequest = copyInto(requestCopy);
        try (SharedMemory attached = SharedMemory.attach(run.regionName(), Duration.ofSeconds(30),
                ChannelOneWayScenario.options(run))) {
            Channel<byte[]> in = attached.channel(REQUEST, byte[].class);
            Channel<byte[]> out = attached.channel(REPLY, byte[].class);
            long expected = 1;
            control.signalReady();
            while (true) {
                byte[] received = inPlace ? (in.pollBytes(copyRequest) ? requestCopy : null) : in.poll();
                if (received != null) {
                    Payload.check(received, length, expected);
                    out.put(received);
                    expected++;
                } else if (control.stopRequested()) {
                    break; // the parent waits for every reply before it asks to stop: nothing is in flight
                } else {
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_ECHOES, expected - 1);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long echoes = control.result(RESULT_ECHOES);
        if (echoes != sent || request.size() != 0 || reply.size() != 0) {
            throw new IllegalStateException("parent sent " + sent + " requests, child answered " + echoes + "; channels hold "
                    + request.size() + " requests and " + reply.size() + " replies");
        }
        return "ok: " + sent + " byte[" + message.length + "] requests answered in order, every request and reply checked, "
                + "both channels empty";
    }

    @Override
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }
}
