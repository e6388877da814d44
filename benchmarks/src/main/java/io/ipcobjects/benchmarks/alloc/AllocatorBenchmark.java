package io.ipcobjects.benchmarks.alloc;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.Arena;
import io.ipcobjects.benchmarks.BenchRegions;

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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Allocate + free of one block, swept over sizes. Target (issue 2): small allocate + free under
 * 100 ns, measured inside one held {@code acquire()} scope so the figure is the allocator's.
 *
 * <ul>
 *   <li>{@link #allocateFreeInScope}: the allocator through the public {@link Access} API, lock held
 *       for the whole iteration (what code inside one critical section pays);</li>
 *   <li>{@link #allocateFreeLockPerOp}: one {@code acquire()} per allocate + free pair (what a
 *       caller outside a scope pays);</li>
 *   <li>{@link #allocatorOnly}: the internal {@link HeapAllocator} with no {@code Access} checks,
 *       to tell the allocator's cost from the API's. A diagnostic, not an API users call.</li>
 * </ul>
 * The heap holds nothing else, so each pair splits the one free block and merges it back: the
 * common steady state of a short-lived block. Mixed sizes and a live set are the churn
 * program's job ({@link AllocatorChurn}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllocatorBenchmark {

    /** Room for the largest size many times over; pages are touched only where headers land. */
    private static final long REGION_BYTES = 64L << 20;

    @State(Scope.Thread)
    public static class Sizes {
        @Param({"16", "1024", "65536", "1048576"})
        public long sizeBytes;
    }

    /** A region whose lock the benchmark thread holds for each whole iteration. */
    @State(Scope.Thread)
    public static class HeldRegion {
        SharedMemory shm;
        Access access;

        @Setup(Level.Trial)
        public void create() {
            shm = SharedMemory.create(BenchRegions.uniqueName("bench-alloc-held"), REGION_BYTES);
        }

        @Setup(Level.Iteration)
        public void hold() {
            access = shm.acquire();
        }

        @TearDown(Level.Iteration)
        public void letGo() {
            access.verify(); // each iteration must leave the heap consistent and empty
            if (access.stats().usedBlocks() != 0) {
                throw new IllegalStateException("blocks leaked: " + access.stats());
            }
            access.close();
        }

        @TearDown(Level.Trial)
        public void remove() {
            BenchRegions.closeAndRemove(shm);
        }
    }

    /**
     * The internal allocator alone, over a heap of the same size in memory of this process (the
     * API offers no way into a region's allocator, and needs none): what allocation costs
     * without the {@code Access} checks around it.
     */
    @State(Scope.Thread)
    public static class BareHeap {
        Arena arena;
        HeapAllocator allocator;

        @Setup(Level.Trial)
        public void create() {
            arena = Arena.ofShared();
            RegionMemory memory = new RegionMemory(arena.allocate(REGION_BYTES, 4096));
            HeapAllocator.format(memory, 4096, memory.size());
            allocator = new HeapAllocator(memory);
        }

        @TearDown(Level.Iteration)
        public void check() {
            allocator.verify(); // each iteration must leave the heap consistent and empty
            if (allocator.stats().usedBlocks() != 0) {
                throw new IllegalStateException("blocks leaked: " + allocator.stats());
            }
        }

        @TearDown(Level.Trial)
        public void remove() {
            arena.close();
        }
    }

    /** A region with no lock held between calls. */
    @State(Scope.Thread)
    public static class Region {
        SharedMemory shm;

        @Setup(Level.Trial)
        public void create() {
            shm = SharedMemory.create(BenchRegions.uniqueName("bench-alloc"), REGION_BYTES);
        }

        @TearDown(Level.Trial)
        public void remove() {
            BenchRegions.closeAndRemove(shm);
        }
    }

    @Benchmark
    public long allocateFreeInScope(HeldRegion region, Sizes sizes) {
        long offset = region.access.allocate(sizes.sizeBytes);
        region.access.free(offset);
        return offset;
    }

    @Benchmark
    public long allocateFreeLockPerOp(Region region, Sizes sizes) {
        try (Access a = region.shm.acquire()) {
            long offset = a.allocate(sizes.sizeBytes);
            a.free(offset);
            return offset;
        }
    }

    @Benchmark
    public void allocatorOnly(BareHeap region, Sizes sizes, Blackhole bh) {
        long offset = region.allocator.allocate(sizes.sizeBytes, BlockTypes.RAW);
        region.allocator.free(offset);
        bh.consume(offset);
    }
}
