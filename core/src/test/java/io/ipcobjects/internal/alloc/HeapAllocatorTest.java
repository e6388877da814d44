package io.ipcobjects.internal.alloc;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HeapAllocatorTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Log-uniform sizes from 16 B to 1 MiB. */
    private static long mixedSize(SplittableRandom random) {
        return (long) Math.pow(2, 4 + random.nextDouble() * 16);
    }

    /** What a {@link #churn} saw at its checks: the most bytes in use and the worst fragmentation. */
    record Churned(long peakUsed, double worstFragmentation) {
    }

    /**
     * {@code ops} allocations (log-uniform sizes, 16 B to 1 MiB) and frees of random live blocks,
     * at most {@code maxLive} live at once, left in {@code live}; the heap is verified ten times
     * along the way.
     */
    static Churned churn(Access a, SplittableRandom random, int ops, int maxLive, List<Long> live) {
        long peakUsed = 0;
        double worstFragmentation = 0;
        for (int op = 0; op < ops; op++) {
            if (live.size() < maxLive && (live.isEmpty() || random.nextInt(2) == 0)) {
                long offset = a.allocate(mixedSize(random));
                a.block(offset).set(ValueLayout.JAVA_BYTE, 0, (byte) op);
                live.add(offset);
            } else {
                int i = random.nextInt(live.size());
                a.free(live.get(i));
                live.set(i, live.getLast());
                live.removeLast();
            }
            if (op % (ops / 10) == 0) {
                HeapStats s = a.verify();
                peakUsed = Math.max(peakUsed, s.usedBytes());
                worstFragmentation = Math.max(worstFragmentation, s.fragmentation());
            }
        }
        return new Churned(peakUsed, worstFragmentation);
    }

    @Test
    void aMillionMixedAllocationsAndFreesLeaveTheHeapWhole() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 256L << 20); Access a = shm.acquire()) {
            HeapStats empty = a.stats();
            List<Long> live = new ArrayList<>();
            Churned churn = churn(a, new SplittableRandom(42), 1_000_000, 128, live);
            HeapStats churned = a.verify();
            System.out.printf("allocator churn: peak used %d bytes of %d, worst fragmentation %.3f, live blocks %d%n",
                    churn.peakUsed(), churned.heapBytes(), churn.worstFragmentation(), churned.usedBlocks());
            // 128 live blocks of at most 1 MiB + header: the heap in use never exceeds that bound.
            assertTrue(churn.peakUsed() <= 128L * ((1 << 20) + 32), "used bytes grew beyond the live set: " + churn.peakUsed());
            for (long offset : live) {
                a.free(offset);
            }
            HeapStats after = a.verify();
            assertEquals(empty, after, "after freeing everything the heap is one free block again");
            assertEquals(1, after.freeBlocks());
            assertEquals(after.heapBytes(), after.largestFreeBlock());
        }
    }

    @Test
    void freeBlocksCoalesceWithBothNeighbours() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long x = a.allocate(100);
            long y = a.allocate(100);
            long z = a.allocate(100);
            long guard = a.allocate(100);
            a.free(x);
            a.free(z);
            assertEquals(3, a.verify().freeBlocks(), "x, z and the tail are separate free blocks");
            a.free(y);
            assertEquals(2, a.verify().freeBlocks(), "x, y and z merged into one");
            long reused = a.allocate(300);
            assertEquals(x, reused, "the merged block is reused first-class");
            a.free(reused);
            a.free(guard);
            assertEquals(1, a.verify().freeBlocks());
        }
    }

    @Test
    void alignedAllocationsAreAlignedAndTheGapIsNotLost() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            SplittableRandom random = new SplittableRandom(7);
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                long offset = random.nextBoolean() ? a.allocateAligned(random.nextInt(1, 4096), 64) : a.allocate(random.nextInt(1, 300));
                blocks.add(offset);
                if (random.nextInt(3) == 0) {
                    a.free(blocks.remove(random.nextInt(blocks.size())));
                }
            }
            for (long offset : blocks) {
                a.free(offset);
            }
            assertEquals(1, a.verify().freeBlocks());
            for (int i = 0; i < 100; i++) {
                a.allocate(16 * (i % 7 + 1));
                long aligned = a.allocateAligned(1000, 64);
                assertEquals(0, aligned % 64, "payload offset " + aligned);
                // the mapping is page aligned, so the address is aligned too
                assertEquals(0, a.block(aligned).address() % 64);
            }
            a.verify();
        }
    }

    @Test
    void aRequestThatCannotBeMetChangesNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long kept = a.allocate(1000);
            a.block(kept).fill((byte) 7);
            HeapStats before = a.verify();
            OutOfSharedMemoryException e = assertThrows(OutOfSharedMemoryException.class, () -> a.allocate(2 << 20));
            assertEquals(2 << 20, e.requestedBytes());
            assertEquals(before.freeBytes(), e.freeBytes());
            assertEquals(before.largestFreeBlock(), e.largestFreeBlock());
            assertTrue(e.getMessage().contains("requested 2097152 bytes"), e.getMessage());
            assertThrows(OutOfSharedMemoryException.class, () -> a.allocateAligned(before.largestFreeBlock(), 64));
            assertEquals(before, a.verify());
            for (int i = 0; i < 1000; i++) {
                assertEquals(7, a.block(kept).get(ValueLayout.JAVA_BYTE, i));
            }
        }
    }

    @Test
    void fillingTheHeapEndsInOutOfMemoryWithEverythingIntact() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            List<Long> blocks = new ArrayList<>();
            try {
                while (true) {
                    long offset = a.allocate(1000);
                    a.block(offset).set(ValueLayout.JAVA_INT, 0, blocks.size());
                    blocks.add(offset);
                }
            } catch (OutOfSharedMemoryException expected) {
                // the heap is full
            }
            assertTrue(blocks.size() > 900);
            a.verify();
            for (int i = 0; i < blocks.size(); i++) {
                assertEquals(i, a.block(blocks.get(i)).get(ValueLayout.JAVA_INT, 0));
            }
        }
    }

    @Test
    void badOffsetsAndCorruptedHeadersAreReportedNotFollowed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long x = a.allocate(64);
            long y = a.allocate(64);
            assertThrows(CorruptedRegionException.class, () -> a.free(5));
            assertThrows(CorruptedRegionException.class, () -> a.free(x + 8));
            assertThrows(CorruptedRegionException.class, () -> a.free(1L << 40));
            a.free(y);
            assertThrows(CorruptedRegionException.class, () -> a.free(y), "double free");

            var memory = TestAccess.context(shm).memory();
            long header = BlockLayout.blockOf(x);
            long good = memory.getLong(header);
            memory.putLong(header, 0); // size 0 would make a naive walk loop forever
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertEquals(header, e.offset());
            memory.putLong(header, (1L << 40) | BlockLayout.FLAG_IN_USE);
            assertThrows(CorruptedRegionException.class, a::verify);
            assertThrows(CorruptedRegionException.class, () -> a.block(x));
            memory.putLong(header, good);
            a.verify();

            // A free-list link pointing into the header area.
            long tailHead = memory.getLong(AllocatorLayout.binHeadOffset(AllocatorLayout.BIN_COUNT - 1));
            for (int bin = 0; bin < AllocatorLayout.BIN_COUNT; bin++) {
                long head = memory.getLong(AllocatorLayout.binHeadOffset(bin));
                if (head != 0) {
                    long savedNext = memory.getLong(head + BlockLayout.NEXT_FREE_OFFSET);
                    memory.putLong(head + BlockLayout.NEXT_FREE_OFFSET, 8);
                    assertThrows(CorruptedRegionException.class, a::verify);
                    memory.putLong(head + BlockLayout.NEXT_FREE_OFFSET, savedNext);
                }
            }
            assertEquals(0, tailHead & 15);
            a.verify();
        }
    }

    @Test
    void negativeSizesAreRejected() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            assertThrows(IllegalArgumentException.class, () -> a.allocate(-1));
            assertThrows(IllegalArgumentException.class, () -> a.allocateAligned(10, 48));
        }
    }
}
