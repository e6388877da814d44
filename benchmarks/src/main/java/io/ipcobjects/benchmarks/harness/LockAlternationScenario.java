package io.ipcobjects.benchmarks.harness;

import static io.ipcobjects.benchmarks.harness.LockRegion.CHILD;
import static io.ipcobjects.benchmarks.harness.LockRegion.PARENT;

import io.ipcobjects.Access;

import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Two processes alternating on the region lock, strictly in turn: a side waits (spinning
 * outside the lock) until the turn word names it, takes the lock, checks that the shared counter
 * has the parity of its turn, increments it, passes the turn and releases. Every turn moves the
 * lock, the counter and the turn word from one core to the other: this is the cost of one
 * hand-off of the lock between processes. Figure: ns per hand-off (a round is two hand-offs).
 *
 * <p>Check: the counter equals the parent's plus the child's turns, both sides counted the same
 * number of turns, and each side's own count agrees with the region's.
 */
final class LockAlternationScenario implements Scenario {

    private static final int BATCH = 64;
    private static final int RESULT_TURNS = 0;

    private LockRegion region;
    private long turns;
    private double lastHandoffsPerSecond;

    @Override
    public String unit() {
        return "ns/handoff";
    }

    @Override
    public void setUp(RunContext run) {
        region = LockRegion.create(run);
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long rounds = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                while (region.turnAcquire() != PARENT) {
                    Thread.onSpinWait();
                }
                takeTurn(region, PARENT);
                turns++;
            }
            rounds += BATCH;
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        double nanosPerHandoff = (double) elapsed / (2 * rounds);
        lastHandoffsPerSecond = 1e9 / nanosPerHandoff;
        return nanosPerHandoff;
    }

    @Override
    public boolean recordsLatency() {
        return true;
    }

    /** One latency value is a round: the parent's turn and the child's, two hand-offs. */
    @Override
    public String latencyOperation() {
        return "round (2 handoffs)";
    }

    @Override
    public double measureLatencyWindow(long windowNanos, Histogram latencies) {
        long start = System.nanoTime();
        long last = start;
        long rounds = 0;
        do {
            while (region.turnAcquire() != PARENT) {
                Thread.onSpinWait();
            }
            takeTurn(region, PARENT);
            turns++;
            long now = System.nanoTime();
            LatencyStats.record(latencies, now - last);
            last = now;
            rounds++;
        } while (last - start < windowNanos);
        double nanosPerHandoff = (double) (last - start) / (2 * rounds);
        lastHandoffsPerSecond = 1e9 / nanosPerHandoff;
        return nanosPerHandoff;
    }

    @Override
    public String windowDetail() {
        return String.format(Locale.ROOT, "(%.2f M handoffs/s)", lastHandoffsPerSecond / 1e6);
    }

    private static void takeTurn(LockRegion region, int side) {
        try (Access ignored = region.shm().acquire()) {
            long counter = region.counter();
            if ((counter & 1) != side) {
                throw new IllegalStateException("side " + side + " got the turn at counter " + counter);
            }
            region.increment(side);
            region.setTurnRelease(1 - side);
        }
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) {
        try (LockRegion mine = LockRegion.attach(run)) {
            long childTurns = 0;
            control.signalReady();
            while (true) {
                if (mine.turnAcquire() == CHILD) {
                    takeTurn(mine, CHILD);
                    childTurns++;
                } else if (control.stopRequested()) {
                    // The parent passed its last turn before asking to stop: take it, so both
                    // sides end with the same number of turns.
                    if (mine.turnAcquire() == CHILD) {
                        takeTurn(mine, CHILD);
                        childTurns++;
                    }
                    break;
                } else {
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_TURNS, childTurns);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long childTurns = control.result(RESULT_TURNS);
        try (Access ignored = region.shm().acquire()) {
            long counter = region.counter();
            if (counter != turns + childTurns || region.count(PARENT) != turns || region.count(CHILD) != childTurns
                    || turns != childTurns) {
                throw new IllegalStateException("counter " + counter + ", parent turns " + turns + " (region says "
                        + region.count(PARENT) + "), child turns " + childTurns + " (region says " + region.count(CHILD) + ")");
            }
            return "ok: counter " + counter + " = " + turns + " parent + " + childTurns + " child turns, strictly alternating";
        }
    }

    @Override
    public void tearDown() {
        if (region != null) {
            region.close();
        }
    }
}
