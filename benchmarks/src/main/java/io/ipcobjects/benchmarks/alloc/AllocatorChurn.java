package io.ipcobjects.benchmarks.alloc;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The reuse check, as a program: "allocate/free 1M times with mixed sizes from 16 B to
 * 1 MiB: the region does not grow in use, and fragmentation stays bounded: report the figures".
 *
 * <p>Workload: a seeded random mix of allocations and frees. Sizes are log-uniform over
 * [16 B, 1 MiB] (every power of two equally likely, as real mixes of small objects and tensors
 * are); a free picks a random live block, so holes open all over the heap, not just at its end.
 * The live set is bounded: an allocation happens with probability {@code 1 - live / maxLive}, so
 * after a short fill the live set stays near {@code maxLive / 2} (give or take a few dozen blocks):
 * a steady state whose footprint should stay flat while holes open and close all over the heap.
 *
 * <p>Printed at each checkpoint: live blocks and the bytes they asked for, used bytes (block
 * sizes with headers), peak used, the high-water mark (highest block end ever handed out, from
 * the heap start: if the allocator reused holes badly it would creep upwards), free bytes, the
 * largest free block and {@link HeapStats#fragmentation()}. At the end: ns per operation,
 * {@code verify()}, and a check that freeing everything gives back one free block.
 *
 * <p>By default the heap's pages are touched once before the churn ({@code prefaulted}): the first
 * write to a tmpfs page costs microseconds, which would otherwise be most of the time of the
 * first checkpoints while the high-water mark rises. {@code fresh} leaves them untouched.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.alloc.AllocatorChurn [ops] [maxLive] [seed] [regionMiB] [prefaulted|fresh]</pre>
 */
public final class AllocatorChurn {

    private static final long MIN_SIZE = 16;
    private static final long MAX_SIZE = 1L << 20;

    private final int operations;
    private final int maxLive;
    private final SplittableRandom random;
    private final long[] liveOffsets;
    private final long[] liveSizes;
    private int live;
    private long liveRequested;
    private long peakUsed;
    private long highWater;
    private long failures;

    private AllocatorChurn(int operations, int maxLive, long seed) {
        this.operations = operations;
        this.maxLive = maxLive;
        this.random = new SplittableRandom(seed);
        this.liveOffsets = new long[maxLive];
        this.liveSizes = new long[maxLive];
    }

    public static void main(String[] args) {
        int operations = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int maxLive = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        long regionBytes = (args.length > 3 ? Long.parseLong(args[3]) : 512) << 20;
        boolean prefault = args.length <= 4 || !args[4].equals("fresh");
        System.out.printf(Locale.ROOT, "allocator churn: %,d operations, live set <= %d blocks (about half of it in steady state), sizes log-uniform %d B..%d B, seed %d, region %d MiB, %s pages%n",
                operations, maxLive, MIN_SIZE, MAX_SIZE, seed, regionBytes >> 20, prefault ? "prefaulted" : "fresh");
        SharedMemory shm = SharedMemory.create(BenchRegions.uniqueName("bench-churn"), regionBytes);
        try (Access a = shm.acquire()) {
            if (prefault) {
                prefault(a);
            }
            new AllocatorChurn(operations, maxLive, seed).run(a);
        } finally {
            BenchRegions.closeAndRemove(shm);
        }
    }

    private void run(Access a) {
        long heapStart = heapStart(a);
        printHeader();
        HeapStats empty = a.stats();
        print(0, a.stats(), Double.NaN);
        int checkpoint = Math.max(1, operations / 10);
        long elapsed = 0;
        for (int done = 0; done < operations; ) {
            int batch = Math.min(checkpoint, operations - done);
            long start = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                step(a, heapStart);
            }
            long batchNanos = System.nanoTime() - start;
            elapsed += batchNanos;
            done += batch;
            HeapStats stats = a.stats();
            peakUsed = Math.max(peakUsed, stats.usedBytes());
            print(done, stats, (double) batchNanos / batch);
        }
        HeapStats walked = a.verify();
        System.out.printf(Locale.ROOT, "%.1f ns per operation (allocate or free, inside one acquire scope, incl. the random draw); "
                + "failed allocations: %d; peak used (at checkpoints): %,d B; high-water mark: %,d B of a %,d B heap%n",
                (double) elapsed / operations, failures, peakUsed, highWater, empty.heapBytes());
        System.out.println("verify() after the churn: OK, " + walked);
        freeAll(a);
        HeapStats after = a.verify();
        boolean back = after.usedBlocks() == 0 && after.freeBlocks() == 1 && after.freeBytes() == empty.freeBytes();
        System.out.println("after freeing every live block: " + after + (back ? " -> one free block, as at the start"
                : " -> NOT back to the starting heap"));
        if (!back || failures != 0) {
            throw new IllegalStateException("churn check failed");
        }
    }

    private void step(Access a, long heapStart) {
        boolean allocate = random.nextInt(maxLive) >= live;
        if (allocate) {
            long size = logUniformSize();
            try {
                long offset = a.allocate(size);
                liveOffsets[live] = offset;
                liveSizes[live] = size;
                live++;
                liveRequested += size;
                highWater = Math.max(highWater, offset + size - heapStart);
            } catch (OutOfSharedMemoryException e) {
                failures++;
            }
        } else {
            int victim = random.nextInt(live);
            a.free(liveOffsets[victim]);
            liveRequested -= liveSizes[victim];
            live--;
            liveOffsets[victim] = liveOffsets[live];
            liveSizes[victim] = liveSizes[live];
        }
    }

    /** 2^u for u uniform in [log2 16, log2 1 MiB]: as many 16..32 B requests as 512 KiB..1 MiB ones. */
    private long logUniformSize() {
        double lo = Math.log(MIN_SIZE);
        double hi = Math.log(MAX_SIZE);
        long size = Math.round(Math.exp(lo + random.nextDouble() * (hi - lo)));
        return Math.clamp(size, MIN_SIZE, MAX_SIZE);
    }

    private void freeAll(Access a) {
        while (live > 0) {
            live--;
            a.free(liveOffsets[live]);
        }
        liveRequested = 0;
    }

    /** Writes every page of the heap once: fills it with 1 MiB blocks, zeroes them, frees them. */
    private static void prefault(Access a) {
        java.util.List<Long> blocks = new java.util.ArrayList<>();
        try {
            while (true) {
                long offset = a.allocate(MAX_SIZE);
                a.block(offset).fill((byte) 0);
                blocks.add(offset);
            }
        } catch (OutOfSharedMemoryException full) {
            // the heap is covered, up to a remainder smaller than one block
        }
        for (long offset : blocks) {
            a.free(offset);
        }
    }

    /** The lowest offset the heap can hand out: a first allocation in the empty heap, given back. */
    private static long heapStart(Access a) {
        long probe = a.allocate(MIN_SIZE);
        a.free(probe);
        return probe;
    }

    private static void printHeader() {
        System.out.printf(Locale.ROOT, "%10s %6s %14s %14s %14s %14s %14s %7s %8s%n", "ops", "live", "requested B", "used B",
                "high-water B", "free B", "largest free B", "frag", "ns/op");
    }

    /** One checkpoint line; {@code nanosPerOp} covers the batch since the previous checkpoint. */
    private void print(long done, HeapStats s, double nanosPerOp) {
        System.out.printf(Locale.ROOT, "%,10d %6d %,14d %,14d %,14d %,14d %,14d %7.4f %8.1f%n", done, live, liveRequested,
                s.usedBytes(), highWater, s.freeBytes(), s.largestFreeBlock(), s.fragmentation(), nanosPerOp);
    }
}
