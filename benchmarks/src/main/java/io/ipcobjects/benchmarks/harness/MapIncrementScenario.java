package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3's "two processes incrementing one map value, each increment in its own acquire": both
 * sides loop {@code try (Access a = shm.acquire()) { map.put("counter", (Long) map.get("counter") + 1); }}
 * on one {@code SharedMap} that the parent publishes under a name and the child finds with
 * {@code shm.get(name)}. Figure: ns per increment, both sides together (its inverse is the
 * issue's increments per second, to compare with Chronicle Map's ≈ 5.5 M/s in the same shape).
 *
 * <p>Parameters: {@code wait} and {@code burst} as in {@link LockRegion} (default: the library's
 * defaults).
 *
 * <p>Check: the map's final value equals the parent's plus the child's increments.
 */
final class MapIncrementScenario implements Scenario {

    static final String NAME = "counters";
    private static final String KEY = "counter";
    private static final int RESULT_INCREMENTS = 0;
    private static final int TIME_CHECK_EVERY = 64;
    private static final int STOP_CHECK_EVERY = 64;
    private static final long REGION_BYTES = 4L << 20;

    private SharedMemory shm;
    private SharedMap<String, Object> map;
    private long parentIncrements;
    private String detail = "";

    @Override
    public String unit() {
        return "ns/increment";
    }

    @Override
    public void setUp(RunContext run) {
        shm = SharedMemory.create(run.regionName(), REGION_BYTES, LockRegion.options(run));
        Map<String, Object> initial = new HashMap<>();
        initial.put(KEY, 0L);
        map = shm.put(NAME, initial);
    }

    private static void increment(SharedMemory shm, SharedMap<String, Object> map) {
        try (Access a = shm.acquire()) {
            map.put(KEY, (Long) map.get(KEY) + 1);
        }
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long before;
        try (Access a = shm.acquire()) {
            before = (Long) map.get(KEY);
        }
        long elapsed;
        do {
            for (int i = 0; i < TIME_CHECK_EVERY; i++) {
                increment(shm, map);
            }
            parentIncrements += TIME_CHECK_EVERY;
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        long total;
        try (Access a = shm.acquire()) {
            total = (Long) map.get(KEY) - before;
        }
        elapsed = System.nanoTime() - start;
        detail = String.format(Locale.ROOT, "(%.2f M increments/s by both sides)", total * 1e3 / elapsed);
        return (double) elapsed / total;
    }

    @Override
    public String windowDetail() {
        return detail;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) {
        try (SharedMemory mine = SharedMemory.attach(run.regionName(), Duration.ofSeconds(30), LockRegion.options(run))) {
            SharedMap<String, Object> found = mine.get(NAME);
            long increments = 0;
            control.signalReady();
            do {
                for (int i = 0; i < STOP_CHECK_EVERY; i++) {
                    increment(mine, found);
                }
                increments += STOP_CHECK_EVERY;
            } while (!control.stopRequested());
            control.putResult(RESULT_INCREMENTS, increments);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long child = control.result(RESULT_INCREMENTS);
        long value;
        try (Access a = shm.acquire()) {
            value = (Long) map.get(KEY);
        }
        if (value != parentIncrements + child) {
            throw new IllegalStateException("map value " + value + ", but parent " + parentIncrements + " + child " + child
                    + " increments");
        }
        return "ok: map value " + value + " = " + parentIncrements + " parent + " + child + " child increments";
    }

    @Override
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }
}
