package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.HdrHistogram.Histogram;

/**
 * The baseline: a plain cache-line ping-pong between the two processes over a mapped file, with
 * no library code at all. The parent writes a sequence number to the ping line (release) and
 * spins until the child has copied it to the pong line; one round trip is two core-to-core cache
 * line transfers, the floor of any request/response between two processes. Figure: ns per round
 * trip.
 *
 * <p>Spin loops call {@link Thread#onSpinWait()}, as Agrona's busy-spin idle strategy does, so
 * the baseline spins the way the measured code does. The lines are 128 bytes apart so the
 * adjacent-line prefetcher does not pair them.
 */
final class PingPongScenario implements Scenario {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PING_OFFSET = 0;
    private static final long PONG_OFFSET = 128;
    private static final long FILE_BYTES = 4096;
    private static final int BATCH = 256;
    private static final int RESULT_ECHOES = 0;
    private static final int RESULT_LAST = 1;

    private MappedFile file;
    private long sent;

    @Override
    public String unit() {
        return "ns/round trip";
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        file = MappedFile.create(run.file("pingpong"), FILE_BYTES);
    }

    @Override
    public double measureWindow(long windowNanos) {
        MemorySegment lines = file.segment();
        long start = System.nanoTime();
        long trips = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                long value = ++sent;
                LONG.setRelease(lines, PING_OFFSET, value);
                while ((long) LONG.getAcquire(lines, PONG_OFFSET) != value) {
                    Thread.onSpinWait();
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
        MemorySegment lines = file.segment();
        long start = System.nanoTime();
        long last = start;
        long trips = 0;
        do {
            long value = ++sent;
            LONG.setRelease(lines, PING_OFFSET, value);
            while ((long) LONG.getAcquire(lines, PONG_OFFSET) != value) {
                Thread.onSpinWait();
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
        try (MappedFile mapped = MappedFile.attach(run.file("pingpong"))) {
            MemorySegment lines = mapped.segment();
            long last = 0;
            long echoes = 0;
            control.signalReady();
            while (true) {
                long value = (long) LONG.getAcquire(lines, PING_OFFSET);
                if (value != last) {
                    LONG.setRelease(lines, PONG_OFFSET, value);
                    last = value;
                    echoes++;
                } else if (control.stopRequested()) {
                    break;
                } else {
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_ECHOES, echoes);
            control.putResult(RESULT_LAST, last);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long echoes = control.result(RESULT_ECHOES);
        long last = control.result(RESULT_LAST);
        if (echoes != sent || last != sent) {
            throw new IllegalStateException("sent " + sent + " pings, child echoed " + echoes + ", last " + last);
        }
        return "ok: " + sent + " pings sent, " + echoes + " echoed in order";
    }

    @Override
    public void tearDown() {
        if (file != null) {
            file.closeAndDelete();
        }
    }
}
