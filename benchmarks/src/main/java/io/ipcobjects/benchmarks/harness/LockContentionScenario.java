package io.ipcobjects.benchmarks.harness;

import static io.ipcobjects.benchmarks.harness.LockRegion.CHILD;
import static io.ipcobjects.benchmarks.harness.LockRegion.PARENT;

import io.ipcobjects.Access;

import java.util.Locale;

/**
 * Two processes looping acquire / increment / release as fast as they can: throughput and
 * fairness of the region lock under contention. Figure: ns per acquisition (both sides
 * together). Per window it also reports the parent's share of the acquisitions and how many of
 * them moved the lock to the other process (hand-offs); the lock hands over in bursts, so
 * hand-offs are far fewer than acquisitions.
 *
 * <p>Parameters: {@code acquisitions=N} ends each window after N acquisitions by both sides
 * together instead of after the window time (the fairness test counts 200k);
 * {@code wait} and {@code burst} as in {@link LockRegion}.
 *
 * <p>Check: the shared counter, incremented with plain reads and writes under the lock, equals
 * the sum of both sides' own counts (a lost update would show mutual exclusion broken).
 */
final class LockContentionScenario implements Scenario {

    private static final int RESULT_ACQUISITIONS = 0;
    private static final int TIME_CHECK_EVERY = 16;
    private static final int STOP_CHECK_EVERY = 64;

    private LockRegion region;
    private long acquisitionsPerWindow;
    private long parentAcquisitions;
    private double minShare = 1;
    private double maxShare = 0;
    private String detail = "";

    @Override
    public String unit() {
        return "ns/acquisition";
    }

    @Override
    public void setUp(RunContext run) {
        acquisitionsPerWindow = run.longParam("acquisitions", 0);
        region = LockRegion.create(run);
    }

    /**
     * The parent's loop is kept as close to the child's as it can be: the lock's fairness depends
     * on the gap between a release and the next acquire of each side (a side that dawdles there
     * lets the other barge in), so extra work outside the lock would bias the shares. The clock is
     * read inside the lock every {@value #TIME_CHECK_EVERY} acquisitions, counters only at the
     * window's first and last acquisition.
     */
    @Override
    public double measureWindow(long windowNanos) {
        long startCounter = 0;
        long startParent = 0;
        long startHandoffs = 0;
        long counter = 0;
        long parent = 0;
        long handoffs = 0;
        long start = System.nanoTime();
        boolean done = false;
        for (long i = 0; !done; i++) {
            try (Access ignored = region.shm().acquire()) {
                if (i == 0) {
                    startCounter = region.counter();
                    startParent = region.count(PARENT);
                    startHandoffs = region.handoffs();
                }
                region.increment(PARENT);
                done = acquisitionsPerWindow > 0
                        ? region.counter() - startCounter >= acquisitionsPerWindow
                        : i % TIME_CHECK_EVERY == 0 && System.nanoTime() - start >= windowNanos;
                if (done) {
                    counter = region.counter();
                    parent = region.count(PARENT);
                    handoffs = region.handoffs();
                }
            }
            parentAcquisitions++;
        }
        long elapsed = System.nanoTime() - start;
        long total = counter - startCounter;
        double share = (double) (parent - startParent) / total;
        minShare = Math.min(minShare, Math.min(share, 1 - share));
        maxShare = Math.max(maxShare, Math.max(share, 1 - share));
        detail = String.format(Locale.ROOT, "(%.2f M acq/s; %d acquisitions, parent share %.1f%%, %d handoffs = %.2f M/s)",
                total * 1e3 / elapsed, total, share * 100, handoffs - startHandoffs,
                (handoffs - startHandoffs) * 1e3 / elapsed);
        return (double) elapsed / total;
    }

    @Override
    public String windowDetail() {
        return detail;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) {
        try (LockRegion mine = LockRegion.attach(run)) {
            long acquisitions = 0;
            control.signalReady();
            // The stop flag is read once per STOP_CHECK_EVERY acquisitions, so the child's gap
            // between release and the next acquire is as short as the parent's.
            do {
                for (int i = 0; i < STOP_CHECK_EVERY; i++) {
                    try (Access ignored = mine.shm().acquire()) {
                        mine.increment(CHILD);
                    }
                }
                acquisitions += STOP_CHECK_EVERY;
            } while (!control.stopRequested());
            control.putResult(RESULT_ACQUISITIONS, acquisitions);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long child = control.result(RESULT_ACQUISITIONS);
        try (Access ignored = region.shm().acquire()) {
            long counter = region.counter();
            if (counter != parentAcquisitions + child || region.count(PARENT) != parentAcquisitions
                    || region.count(CHILD) != child) {
                throw new IllegalStateException("counter " + counter + ", parent " + parentAcquisitions + " (region says "
                        + region.count(PARENT) + "), child " + child + " (region says " + region.count(CHILD) + ")");
            }
            return String.format(Locale.ROOT, "ok: counter %d = %d parent + %d child; over all windows (warm-up included) the smaller side got %.1f%% "
                    + "at worst, the larger %.1f%% at most", counter, parentAcquisitions, child, minShare * 100, maxShare * 100);
        }
    }

    @Override
    public void tearDown() {
        if (region != null) {
            region.close();
        }
    }
}
