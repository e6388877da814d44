package io.ipcobjects.benchmarks.values;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A large structure stored and removed in one scope each: a list of {@code size} strings and a
 * map of {@code size} string keys, every string in a blob of its own, under two names.
 *
 * <ul>
 *   <li>{@link #putListAndMap}: every block is carved from free memory, so the undo log logs
 *       almost nothing, but every write asks whether its target is fresh, tens of thousands of
 *       blocks into one operation. The two names are removed after each invocation, outside the
 *       time.</li>
 *   <li>{@link #removeListAndMap}: the destruction frees every block, and the log remembers each
 *       freed range until it commits a step. The two are put before each invocation, outside
 *       the time.</li>
 * </ul>
 * After each removal the heap must hold what it held before the put.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BulkPutBenchmark {

    @Param({"20000"})
    public int size;

    private SharedMemory shm;
    private List<String> strings;
    private Map<String, Long> map;
    private long blocksEmpty;
    /** Whether the benchmark run times the removal (else the put). */
    private boolean timesRemoval;

    @Setup(Level.Trial)
    public void create(BenchmarkParams params) {
        timesRemoval = params.getBenchmark().endsWith("removeListAndMap");
        shm = SharedMemory.create(BenchRegions.uniqueName("bench-bulk-put"), 256L << 20);
        strings = new ArrayList<>();
        map = new HashMap<>();
        for (int i = 0; i < size; i++) {
            strings.add("string number " + i + " of the list, long enough for a blob");
            map.put("key " + i + " of the map, long enough for a blob", (long) i);
        }
        try (Access access = shm.acquire()) {
            access.put("list", List.of()); // the name table, made at the first put, stays
            access.remove("list");
            blocksEmpty = access.stats().usedBlocks();
        }
    }

    @Setup(Level.Invocation)
    public void putBeforeARemoval() {
        if (timesRemoval) {
            putListAndMap();
        }
    }

    @TearDown(Level.Invocation)
    public void removeAfterAPut() {
        if (!timesRemoval) {
            removeListAndMap();
        }
    }

    @Benchmark
    public void putListAndMap() {
        try (Access access = shm.acquire()) {
            access.put("list", strings);
            access.put("map", map);
        }
    }

    @Benchmark
    public void removeListAndMap() {
        try (Access access = shm.acquire()) {
            access.remove("list");
            access.remove("map");
            if (access.stats().usedBlocks() != blocksEmpty) {
                throw new IllegalStateException("blocks left after removing both: " + access.stats());
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        BenchRegions.closeAndRemove(shm);
    }
}
