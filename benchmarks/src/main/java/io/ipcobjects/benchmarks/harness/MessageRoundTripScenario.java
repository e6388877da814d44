package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.benchmarks.BenchRegions;

import java.time.Duration;

import org.HdrHistogram.Histogram;

/**
 * The small-message round trip of issue 3 through the library's message queue: the parent puts
 * a {@code Long} message, the child takes it, puts a reply, the parent takes the reply. Two
 * regions, one per direction ({@code <region>-ping}, {@code <region>-pong}), since one queue
 * would hand the parent its own message. Each side waits with {@code hasMessages()} (no lock)
 * and a spin, then uses the single-operation calls {@code SharedMemory.putMessage/takeMessage},
 * each of which takes and releases the region lock. Figure: ns per round trip, to compare with
 * {@code agrona-ring} in the same run.
 *
 * <p>Parameters: {@code wait} (the lock's wait strategy, default {@code busySpin}) and
 * {@code burst} as in {@link LockRegion}.
 *
 * <p>Check: every message and every reply is compared with the sequence number it must carry;
 * at the end both sides counted the same number of messages and both queues are empty.
 */
final class MessageRoundTripScenario implements Scenario {

    private static final int BATCH = 256;
    private static final int RESULT_TAKEN = 0;
    private static final long REGION_BYTES = 4L << 20;

    private SharedMemory ping;
    private SharedMemory pong;
    private long next;

    @Override
    public String unit() {
        return "ns/round trip";
    }

    private static SharedMemoryOptions options(RunContext run) {
        RunContext withDefault = run.params().containsKey("wait") ? run
                : new RunContext(run.runId(), run.scenario(), with(run, "wait", "busySpin"));
        return LockRegion.options(withDefault).withCloseTimeout(Duration.ofSeconds(10));
    }

    private static java.util.Map<String, String> with(RunContext run, String key, String value) {
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>(run.params());
        params.put(key, value);
        return params;
    }

    @Override
    public void setUp(RunContext run) {
        ping = SharedMemory.create(run.regionName() + "-ping", REGION_BYTES, options(run));
        pong = SharedMemory.create(run.regionName() + "-pong", REGION_BYTES, options(run));
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long trips = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++, next++) {
                ping.putMessage(next);
                while (!pong.hasMessages()) {
                    Thread.onSpinWait();
                }
                long reply = pong.<Long>takeMessage();
                if (reply != ~next) {
                    throw new IllegalStateException("round trip " + next + " got reply " + reply);
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
            ping.putMessage(next);
            while (!pong.hasMessages()) {
                Thread.onSpinWait();
            }
            long reply = pong.<Long>takeMessage();
            if (reply != ~next) {
                throw new IllegalStateException("round trip " + next + " got reply " + reply);
            }
            next++;
            long now = System.nanoTime();
            LatencyStats.record(latencies, now - last);
            last = now;
            trips++;
        } while (last - start < windowNanos);
        return (double) (last - start) / trips;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) {
        try (SharedMemory in = SharedMemory.attach(run.regionName() + "-ping", Duration.ofSeconds(30), options(run));
             SharedMemory out = SharedMemory.attach(run.regionName() + "-pong", Duration.ofSeconds(30), options(run))) {
            long expected = 0;
            control.signalReady();
            while (true) {
                if (in.hasMessages()) {
                    long message = in.<Long>takeMessage();
                    if (message != expected) {
                        throw new IllegalStateException("expected message " + expected + ", took " + message);
                    }
                    expected++;
                    out.putMessage(~message);
                } else if (control.stopRequested()) {
                    break; // the parent waits for every reply before it asks to stop: nothing is in flight
                } else {
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_TAKEN, expected);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long taken = control.result(RESULT_TAKEN);
        if (taken != next || ping.hasMessages() || pong.hasMessages()) {
            throw new IllegalStateException("parent sent " + next + " messages, child took " + taken + "; ping queue "
                    + (ping.hasMessages() ? "not " : "") + "empty, pong queue " + (pong.hasMessages() ? "not " : "") + "empty");
        }
        return "ok: " + next + " Long messages answered in order, every reply checked, both queues empty";
    }

    @Override
    public void tearDown() {
        try {
            BenchRegions.closeAndRemove(ping);
        } finally {
            BenchRegions.closeAndRemove(pong);
        }
    }
}
