package io.ipcobjects.benchmarks.lock;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The region lock without contention, in one process: what every {@code try (Access a = ...)}
 * costs when nobody else wants the lock. Target (issue 2): acquire + release under 50 ns.
 *
 * <p>{@link #casReleaseFloor} is the floor on the same machine: one CAS and one release store on
 * a word of a mapped region file, which is all the shared level of the lock needs. The gap
 * between it and {@link #acquireRelease} is the library's own bookkeeping (local owner slot,
 * state check, the {@code Access} object).
 *
 * <p>No blackhole is needed in the lock benchmarks: a CAS and a release store on shared memory
 * are side effects the JIT must keep.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LockBenchmark {

    private static final Duration NO_WAIT = Duration.ZERO;
    private static final long REGION_BYTES = 1L << 20;

    /** A fresh region per trial, owned by the benchmark thread. */
    @State(Scope.Thread)
    public static class Region {
        SharedMemory shm;

        @Setup(Level.Trial)
        public void create() {
            shm = SharedMemory.create(BenchRegions.uniqueName("bench-lock"), REGION_BYTES);
        }

        @TearDown(Level.Trial)
        public void remove() {
            BenchRegions.closeAndRemove(shm);
        }
    }

    /**
     * A region whose lock the benchmark thread already holds for the whole iteration, so each
     * benchmark call is a nested, reentrant acquisition. JMH runs setup and teardown of a
     * thread-scoped state on the benchmark thread itself, which the owner check of
     * {@link Access#close()} relies on.
     */
    @State(Scope.Thread)
    public static class HeldRegion {
        SharedMemory shm;
        Access outer;

        @Setup(Level.Trial)
        public void create() {
            shm = SharedMemory.create(BenchRegions.uniqueName("bench-lock-held"), REGION_BYTES);
        }

        @Setup(Level.Iteration)
        public void hold() {
            outer = shm.acquire();
        }

        @TearDown(Level.Iteration)
        public void letGo() {
            outer.close();
        }

        @TearDown(Level.Trial)
        public void remove() {
            BenchRegions.closeAndRemove(shm);
        }
    }

    /** One word of a mapped region file, for the CAS floor. */
    @State(Scope.Thread)
    public static class RawWord {
        private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
        SharedMemory shm;
        MemorySegment word;

        @Setup(Level.Trial)
        public void create() {
            shm = SharedMemory.create(BenchRegions.uniqueName("bench-lock-raw"), REGION_BYTES);
            try (Access a = shm.acquire()) {
                word = a.block(a.allocate(64));
            }
        }

        @TearDown(Level.Trial)
        public void remove() {
            BenchRegions.closeAndRemove(shm);
        }
    }

    @Benchmark
    public void acquireRelease(Region region) {
        try (Access ignored = region.shm.acquire()) {
            // empty critical section: the figure is the lock alone
        }
    }

    @Benchmark
    public void tryAcquireRelease(Region region) {
        Access access = region.shm.tryAcquire(NO_WAIT);
        if (access == null) {
            throw new IllegalStateException("an uncontended tryAcquire failed");
        }
        access.close();
    }

    @Benchmark
    public void reentrantAcquireRelease(HeldRegion region) {
        try (Access ignored = region.shm.acquire()) {
            // nested inside the iteration-long hold: the hold count goes up and down
        }
    }

    @Benchmark
    public void casReleaseFloor(RawWord raw) {
        if (!RawWord.LONG.compareAndSet(raw.word, 0L, 0L, 1L)) {
            throw new IllegalStateException("the raw word was not free");
        }
        RawWord.LONG.setRelease(raw.word, 0L, 0L);
    }
}
