package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Free-list heads and links come from the region: a bad one is refused before anything is
 * written through it, as CorruptedRegionException (never IndexOutOfBoundsException), by
 * allocate, free and verify alike.
 */
class HostileFreeListTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static byte[] contents(Access a, long offset) {
        return a.block(offset).asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE);
    }

    private static void fill(Access a, long offset, byte value) {
        a.block(offset).asSlice(0, 64).fill(value);
    }

    @Test
    void aBinHeadPointingAtALiveBlockIsRefusedAndTheBlockIsNotWritten() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long live = a.allocate(100);
            long victim = a.allocate(100);
            a.allocate(100); // a guard, so freeing the victim merges with nothing
            fill(a, live, (byte) 0x5A);
            byte[] before = contents(a, live);
            int bin = AllocatorLayout.binOf(BlockLayout.blockSizeFor(100));
            memory.putLong(AllocatorLayout.binHeadOffset(bin), BlockLayout.blockOf(live));

            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> a.free(victim));
            assertTrue(e.getMessage().contains("bin " + bin), e.getMessage());
            assertArrayEquals(before, contents(a, live), "the live block was not written through the bad head");
            assertThrows(CorruptedRegionException.class, a::verify);
        }
    }

    @Test
    void outOfRangeHeadsAndLinksAreCorruptionNotIndexOutOfBounds() {
        for (long bad : new long[] {1L << 40, -4096, Long.MAX_VALUE - 15, 1 << 20}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
                RegionMemory memory = TestAccess.context(shm).memory();
                HeapAllocator allocator = TestAccess.context(shm).allocator();
                long x = a.allocate(100);
                a.allocate(100);
                a.free(x); // x is now the only block of its bin
                int bin = AllocatorLayout.binOf(BlockLayout.blockSizeFor(100));
                long head = memory.getLong(AllocatorLayout.binHeadOffset(bin));

                memory.putLong(AllocatorLayout.binHeadOffset(bin), bad);
                assertThrows(CorruptedRegionException.class, () -> a.allocate(100), "allocate, head " + bad);
                assertThrows(CorruptedRegionException.class, allocator::verify, "verify, head " + bad);
                memory.putLong(AllocatorLayout.binHeadOffset(bin), head);

                memory.putLong(head + BlockLayout.NEXT_FREE_OFFSET, bad);
                assertThrows(CorruptedRegionException.class, () -> a.allocate(100), "allocate, next link " + bad);
                assertThrows(CorruptedRegionException.class, allocator::verify, "verify, next link " + bad);
                memory.putLong(head + BlockLayout.NEXT_FREE_OFFSET, 0);
                allocator.verify();
            }
        }
    }

    @Test
    void aNextLinkPointingAtALiveBlockIsRefusedOnRemoval() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long live = a.allocate(100);
            long x = a.allocate(100);
            a.allocate(100);
            fill(a, live, (byte) 0x33);
            byte[] before = contents(a, live);
            a.free(x);
            long block = BlockLayout.blockOf(x);
            // The free block now claims a successor that is a live block (in range, aligned).
            memory.putLong(block + BlockLayout.NEXT_FREE_OFFSET, BlockLayout.blockOf(live));

            assertThrows(CorruptedRegionException.class, () -> a.allocate(100), "taking x unlinks it: its next is checked");
            assertArrayEquals(before, contents(a, live));
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class,
                    () -> TestAccess.context(shm).allocator().verify());
            assertTrue(e.getMessage().contains("not a free block") || e.getMessage().contains("not a valid free block"),
                    e.getMessage());
        }
    }

    @Test
    void aFreeListNodeThatIsNotABlockBoundaryIsFoundByVerify() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long x = a.allocate(100);
            long big = a.allocate(4096);
            a.allocate(100);
            a.free(x);
            // Forge a free block header in the middle of a live raw block and list it instead of x.
            long fake = BlockLayout.blockOf(big) + 1024;
            long size = BlockLayout.blockSizeFor(100);
            memory.putLong(fake, size);
            memory.putLong(fake + BlockLayout.NEXT_FREE_OFFSET, 0);
            memory.putLong(fake + BlockLayout.PREV_FREE_OFFSET, 0);
            memory.putLong(fake + size - 8, size);
            int bin = AllocatorLayout.binOf(size);
            memory.putLong(AllocatorLayout.binHeadOffset(bin), fake);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class,
                    () -> TestAccess.context(shm).allocator().verify());
            assertTrue(e.getMessage().contains("not a free block of the heap"), e.getMessage());
        }
    }

    @Test
    void aSecondFreeOfABlockMergedIntoItsPredecessorIsRefused() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            HeapAllocator allocator = TestAccess.context(shm).allocator();
            long x = a.allocate(100);
            long y = a.allocate(100);
            a.allocate(100);
            a.free(x);
            a.free(y); // merges into x's free block: y's old header lies inside it
            assertThrows(CorruptedRegionException.class, () -> allocator.free(y));
            allocator.verify();
        }
    }
}
