package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The allocator at its exact limits, on a heap formatted in plain memory (no region, no lock, no
 * undo log): the bin a size falls in, the large-bin search limit, the smallest remainder that is
 * split off, the gap in front of an aligned payload, the heap's last block, the walk bounds, and
 * the free-list bookkeeping a takeover rebuilds. Each test fixes one boundary by an exact offset
 * or size, so an off-by-one in the allocator changes what it returns.
 */
class HeapAllocatorBoundariesTest {

    private static final long HEAP_START = RegionHeaderLayout.HEAP_START;
    /** Bytes mapped after the heap's end (zero): a read past the end would find a size-0 "block" there. */
    private static final long AFTER_HEAP = 4096;

    private final Arena arena = Arena.ofConfined();
    private RegionMemory memory;

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /** A freshly formatted heap of {@code heapBytes} bytes in page-aligned zeroed memory. */
    private HeapAllocator heap(long heapBytes) {
        memory = new RegionMemory(arena.allocate(HEAP_START + heapBytes + AFTER_HEAP, 4096));
        HeapAllocator.format(memory, HEAP_START, HEAP_START + heapBytes);
        return new HeapAllocator(memory);
    }

    private long blockSize(long payload) {
        return BlockLayout.size(memory.getLong(BlockLayout.blockOf(payload)));
    }

    /** Allocates a block of exactly {@code blockBytes} bytes (a multiple of 16, at least 32). */
    private static long allocateBlock(HeapAllocator allocator, long blockBytes) {
        return allocator.allocate(blockBytes - BlockLayout.HEADER_BYTES, 1);
    }

    @Test
    void binsAreOneSizeEachBelow1024AndFourPerPowerOfTwoAbove() {
        // The bin of a size is part of the region's format: every process must compute the same one.
        for (long size = BlockLayout.MIN_BLOCK_BYTES; size < AllocatorLayout.SMALL_LIMIT; size += BlockLayout.GRANULE) {
            assertEquals((size - BlockLayout.MIN_BLOCK_BYTES) / BlockLayout.GRANULE, AllocatorLayout.binOf(size), "size " + size);
        }
        for (int power = 10; power < 48; power++) {
            for (long quarter = 0; quarter < 4; quarter++) {
                long first = (1L << power) + quarter * (1L << (power - 2));
                long last = first + (1L << (power - 2)) - BlockLayout.GRANULE;
                int bin = AllocatorLayout.SMALL_BIN_COUNT + 4 * (power - 10) + (int) quarter;
                assertEquals(bin, AllocatorLayout.binOf(first), "size " + first);
                assertEquals(bin, AllocatorLayout.binOf(last), "size " + last);
            }
        }
        assertTrue(AllocatorLayout.binOf(1L << 46) < AllocatorLayout.BIN_COUNT, "a 64 TiB heap still has a bin");
    }

    @Test
    void aPayloadOfSixteenBytesFitsAMinimumBlock() {
        HeapAllocator allocator = heap(1 << 16);
        long sixteen = allocator.allocate(16, 1);
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, blockSize(sixteen));
        assertEquals(16, allocator.checkBlock(sixteen, 1));
        long seventeen = allocator.allocate(17, 1);
        assertEquals(48, blockSize(seventeen));
        long kib = allocator.allocate(1024 - 16, 1);
        assertEquals(1024, blockSize(kib));
    }

    @Test
    void heapBoundsAreCheckedWhenAttaching() {
        memory = new RegionMemory(arena.allocate(HEAP_START + 4096, 4096));
        long[][] refused = {
                {0, 4096}, // starts at 0
                {-16, 4096},
                {HEAP_START + 8, HEAP_START + 4096}, // not on a granule
                {HEAP_START, HEAP_START + 4096 + 16}, // ends past the memory
                {HEAP_START, HEAP_START + 16}, // smaller than a block
                {HEAP_START, HEAP_START + 4088}, // end not on a granule
        };
        for (long[] bounds : refused) {
            memory.putLong(AllocatorLayout.HEAP_START_OFFSET, bounds[0]);
            memory.putLong(AllocatorLayout.HEAP_END_OFFSET, bounds[1]);
            assertThrows(CorruptedRegionException.class, () -> new HeapAllocator(memory), bounds[0] + ".." + bounds[1]);
        }
        // The smallest heap there can be: one minimum block; and a heap that ends exactly at the memory's end.
        HeapAllocator.format(memory, HEAP_START, HEAP_START + BlockLayout.MIN_BLOCK_BYTES);
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, new HeapAllocator(memory).verify().freeBytes());
        HeapAllocator.format(memory, HEAP_START, HEAP_START + 4096);
        HeapAllocator whole = new HeapAllocator(memory);
        assertEquals(HEAP_START + 4096, whole.heapEnd());
        whole.allocate(4096 - BlockLayout.HEADER_BYTES, 1);
        assertEquals(0, whole.verify().freeBlocks());
    }

    @Test
    void holdsAnswersForUsedBlocksOfTheTagOnlyAndReadsNothingOutsideTheHeap() {
        long heapBytes = 4096;
        HeapAllocator allocator = heap(heapBytes);
        long first = allocator.allocate(100, 5);
        long middle = allocator.allocate(100, 6);
        long last = allocateBlock(allocator, allocator.stats().largestFreeBlock() - BlockLayout.MIN_BLOCK_BYTES);
        long end = allocator.allocate(16, 7); // the heap's last block: a minimum block ending at the heap's end
        assertEquals(allocator.heapEnd(), BlockLayout.blockOf(end) + BlockLayout.MIN_BLOCK_BYTES);
        assertTrue(allocator.holds(first, 5), "the block at the heap's start");
        assertTrue(allocator.holds(middle, 6));
        assertTrue(allocator.holds(end, 7), "the minimum block at the heap's end");
        assertTrue(allocator.holds(last, 1));
        assertFalse(allocator.holds(first, 6), "another tag");
        assertFalse(allocator.holds(middle + 16, 6), "not a payload: inside one");
        assertFalse(allocator.holds(middle + 8, 6), "not on a granule");
        assertFalse(allocator.holds(first - 16, 5), "before the heap");
        assertFalse(allocator.holds(end + 16, 7), "past the last block");
        assertFalse(allocator.holds(allocator.heapEnd() + BlockLayout.HEADER_BYTES, 0), "at the heap's end");
        assertFalse(allocator.holds(1L << 50, 0), "far outside the memory");
        assertFalse(allocator.holds(-4096, 0));
        allocator.free(middle);
        assertFalse(allocator.holds(middle, 6), "freed");
        // A used block whose size runs past the heap's end is not a block.
        long endBlock = BlockLayout.blockOf(end);
        memory.putLong(endBlock, (BlockLayout.MIN_BLOCK_BYTES + BlockLayout.GRANULE) | BlockLayout.FLAG_IN_USE);
        assertFalse(allocator.holds(end, 7), "size past the heap's end");
        memory.putLong(endBlock, BlockLayout.FLAG_IN_USE); // size 0
        assertFalse(allocator.holds(end, 7), "size 0");
        memory.putLong(endBlock, BlockLayout.MIN_BLOCK_BYTES | BlockLayout.FLAG_IN_USE);
        assertTrue(allocator.holds(end, 7));
    }

    @Test
    void blocksAtTheHeapsFirstAndLastOffsetsAreFreedReusedAndListed() {
        long heapBytes = 4096;
        HeapAllocator allocator = heap(heapBytes);
        long first = allocator.allocate(16, 1);
        assertEquals(HEAP_START + BlockLayout.HEADER_BYTES, first);
        long guard = allocator.allocate(100, 1);
        long second = allocator.allocate(16, 1);
        long rest = allocateBlock(allocator, allocator.stats().largestFreeBlock() - BlockLayout.MIN_BLOCK_BYTES);
        long end = allocator.allocate(16, 1);
        assertEquals(allocator.heapEnd() - BlockLayout.MIN_BLOCK_BYTES, BlockLayout.blockOf(end));
        allocator.free(end); // a minimum free block at the very end: the only free block, head of bin 0
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, allocator.largestFreeBlock(), "bin 0 is looked at too");
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, allocator.stats().largestFreeBlock());
        allocator.free(first); // pushed in front of the head at the heap's end
        allocator.free(second); // pushed in front of the head at the heap's start
        assertEquals(3, allocator.verify().freeBlocks());
        assertEquals(second, allocator.allocate(16, 1));
        assertEquals(first, allocator.allocate(16, 1), "the head at the heap's start is taken");
        assertEquals(end, allocator.allocate(16, 1), "the head at the heap's end is taken");
        allocator.free(rest);
        allocator.free(guard);
        allocator.verify();
    }

    @Test
    void aFreeBlockEndingExactlyAtTheHeapsEndIsAValidHeadToPushInFrontOf() {
        for (long claimed : new long[] {1040, 1056}) {
            HeapAllocator allocator = heap(4096);
            long a = allocateBlock(allocator, 1040);
            allocator.allocate(16, 1);
            allocateBlock(allocator, 1984);
            long tail = allocator.heapEnd() - 1040; // the free tail, 1040 bytes, ends at the heap's end
            int bin = AllocatorLayout.binOf(1040);
            assertEquals(tail, memory.getLong(AllocatorLayout.binHeadOffset(bin)));
            memory.putLong(tail, claimed);
            if (claimed == 1040) {
                allocator.free(a); // same bin as the tail
                assertEquals(BlockLayout.blockOf(a), memory.getLong(AllocatorLayout.binHeadOffset(bin)));
                assertEquals(2, allocator.verify().freeBlocks());
            } else {
                // The head claims 16 bytes past the heap's end (same bin): refused as a head.
                assertThrows(CorruptedRegionException.class, () -> allocator.free(a));
                assertEquals(tail, memory.getLong(AllocatorLayout.binHeadOffset(bin)));
            }
        }
    }

    @Test
    void aBinHeadOutsideTheHeapIsRefusedEvenIfItLooksLikeAFreeBlock() {
        HeapAllocator allocator = heap(4096);
        long x = allocator.allocate(100, 1);
        allocator.allocate(16, 1);
        int bin = AllocatorLayout.binOf(blockSize(x));
        long fake = HEAP_START - 512; // before the heap: a well-formed free block of the bin, first in its list
        memory.putLong(fake, blockSize(x));
        memory.putLong(fake + BlockLayout.NEXT_FREE_OFFSET, 0);
        memory.putLong(fake + BlockLayout.PREV_FREE_OFFSET, 0);
        memory.putLong(AllocatorLayout.binHeadOffset(bin), fake);
        assertThrows(CorruptedRegionException.class, () -> allocator.free(x));
        assertEquals(0, memory.getLong(fake + BlockLayout.PREV_FREE_OFFSET), "nothing written through the bad head");

        // A head that is a used block of the bin, its first payload word 0 (where a free block's back link is).
        HeapAllocator other = heap(4096);
        long live = other.allocate(100, 1);
        long victim = other.allocate(100, 1);
        other.allocate(16, 1);
        memory.putLong(AllocatorLayout.binHeadOffset(bin), BlockLayout.blockOf(live));
        assertEquals(0, memory.getLong(live));
        assertThrows(CorruptedRegionException.class, () -> other.free(victim));
        assertEquals(0, memory.getLong(live), "the live block was not written through the bad head");
    }

    @Test
    void sizeWordsThatRunPastTheHeapsEndAreCorruption() {
        HeapAllocator allocator = heap(4096);
        long used = allocator.allocate(100, 1);
        long usedBlock = BlockLayout.blockOf(used);
        long tail = usedBlock + blockSize(used);
        long tailFlags = memory.getLong(tail);
        // The free tail claims 64 bytes more than there are.
        memory.putLong(tail, tailFlags + 64);
        assertThrows(CorruptedRegionException.class, () -> allocator.allocate(100, 1));
        CorruptedRegionException e = assertThrows(CorruptedRegionException.class, allocator::verify);
        assertEquals(tail, e.offset(), "reported at the block that does not fit");
        memory.putLong(tail, tailFlags);
        // The last block is used and claims 64 bytes more than there are.
        long last = allocator.allocate(4096 - blockSize(used) - BlockLayout.HEADER_BYTES, 1);
        long lastBlock = BlockLayout.blockOf(last);
        long lastFlags = memory.getLong(lastBlock);
        memory.putLong(lastBlock, lastFlags + 64);
        e = assertThrows(CorruptedRegionException.class, allocator::verify);
        assertEquals(lastBlock, e.offset(), "reported at the block that does not fit");
        assertThrows(CorruptedRegionException.class, () -> allocator.free(last));
        memory.putLong(lastBlock, lastFlags);
        allocator.free(last);
        allocator.verify();
    }

    @Test
    void aBlockMergedIntoItsFreePredecessorCannotBeFreedAgain() {
        HeapAllocator allocator = heap(1 << 16);
        long x = allocator.allocate(100, 1);
        long y = allocator.allocate(100, 1);
        allocator.allocate(16, 1);
        allocator.free(x);
        allocator.free(y); // merged into x: y's header is inside x now
        HeapStats stats = allocator.verify();
        assertThrows(CorruptedRegionException.class, () -> allocator.free(y), "double free after a merge");
        assertEquals(stats, allocator.verify());
    }

    @Test
    void aBadFooterBeforeABlockIsReportedAtTheFooter() {
        HeapAllocator allocator = heap(1 << 16);
        long x = allocator.allocate(100, 1);
        long y = allocator.allocate(100, 1);
        allocator.allocate(16, 1);
        allocator.free(x); // y's PREV_FREE flag is set: freeing y reads x's footer
        long footer = BlockLayout.blockOf(y) - BlockLayout.FOOTER_BYTES;
        long good = memory.getLong(footer);
        // Too small, not on a granule, reaching before the heap: the footer is reported.
        for (long bad : new long[] {16, good + 8, BlockLayout.blockOf(y) - HEAP_START + 16}) {
            memory.putLong(footer, bad);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> allocator.free(y), "footer " + bad);
            assertEquals(footer, e.offset(), "footer " + bad);
        }
        // A plausible size that leads into the middle of the free block: reported where it leads.
        memory.putLong(footer, good - 16);
        CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> allocator.free(y));
        assertEquals(BlockLayout.blockOf(y) - (good - 16), e.offset());
    }

    @Test
    void anAlignedRequestIsMetByAMinimumBlockWhoseOwnPayloadIsAligned() {
        HeapAllocator allocator = heap(4096);
        long front = allocateBlock(allocator, 64 + Math.floorMod(48 - HEAP_START - 64, 64)); // the next block's payload is on 64
        long small = allocator.allocate(16, 1);
        assertEquals(0, small % 64);
        allocateBlock(allocator, allocator.stats().largestFreeBlock());
        allocator.free(small); // the only free block: 32 bytes, bin 0
        assertEquals(small, allocator.allocateAligned(16, 64, 2), "the full search starts at bin 0");
        assertTrue(front > 0);
    }

    @Test
    void theFullAlignedSearchWalksAtMostTheFreeBlockCountPlusOne() {
        HeapAllocator allocator = heap(4096);
        allocateBlock(allocator, 64 + Math.floorMod(-HEAP_START - 64, 64)); // the next block starts on 64
        List<Long> unaligned = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            unaligned.add(allocateBlock(allocator, 128)); // payload at 16 modulo 64: a 64-aligned one needs a gap of 48
            allocateBlock(allocator, 64);
        }
        allocateBlock(allocator, allocator.stats().largestFreeBlock());
        for (long payload : unaligned) {
            assertEquals(16, payload % 64);
            allocator.free(payload);
        }
        assertEquals(5, allocator.stats().freeBlocks());
        // Fits none of the five: every one is looked at.
        assertThrows(OutOfSharedMemoryException.class, () -> allocator.allocateAligned(112, 64, 1));
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 4); // understated by one: the walk still fits its bound
        assertThrows(OutOfSharedMemoryException.class, () -> allocator.allocateAligned(112, 64, 1));
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 3); // by two: the lists hold more than the count allows
        assertThrows(CorruptedRegionException.class, () -> allocator.allocateAligned(112, 64, 1));
    }

    @Test
    void takingABlockLeavesTheBytesOfTheBlockBeforeItAlone() {
        HeapAllocator allocator = heap(1 << 16);
        long before = allocator.allocate(100, 1);
        long capacity = allocator.checkBlock(before, 1);
        for (long at = 0; at < capacity; at += 8) {
            memory.putLong(before + at, 0x7777_7777_7777_7777L);
        }
        allocator.allocate(100, 2); // carved right behind it
        for (long at = 0; at < capacity; at += 8) {
            assertEquals(0x7777_7777_7777_7777L, memory.getLong(before + at), "byte " + at + " of the block before");
        }
    }

    @Test
    void formatLaysOutAnEmptyHeapOverWhateverWasThereAndRoundsTheEndDown() {
        HeapAllocator allocator = heap(1 << 16);
        List<Long> live = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            live.add(allocator.allocate(16 + 40 * i, 1));
        }
        for (int i = 0; i < live.size(); i += 2) {
            allocator.free(live.get(i)); // free blocks in many bins: bitmap, heads and counters all set
        }
        // Formatted again over the used heap, with an end that is not on a granule.
        HeapAllocator.format(memory, HEAP_START, HEAP_START + (1 << 16) + 8);
        HeapAllocator fresh = new HeapAllocator(memory);
        assertEquals(HEAP_START, fresh.heapStart());
        assertEquals(HEAP_START + (1 << 16), fresh.heapEnd(), "the end is rounded down to a granule");
        HeapStats stats = fresh.verify();
        assertEquals(new HeapStats(1 << 16, 0, 0, 1 << 16, 1, 1 << 16), stats);
        assertEquals(stats, fresh.stats(), "counters start at zero");
        for (int bin = 0; bin < AllocatorLayout.BIN_COUNT; bin++) {
            long head = memory.getLong(AllocatorLayout.binHeadOffset(bin));
            assertEquals(bin == AllocatorLayout.binOf(1 << 16) ? HEAP_START : 0, head, "head of bin " + bin);
        }
    }

    @Test
    void zeroBytesAreAnAllocationAndBadRequestsAreRefusedOnBothPaths() {
        HeapAllocator allocator = heap(1 << 16);
        long empty = allocator.allocate(0, 1);
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, blockSize(empty));
        long emptyAligned = allocator.allocateAligned(0, 64, 1);
        assertEquals(0, emptyAligned % 64);
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocateAligned(-1, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocateAligned(-16, 64, 1));
        // Sizes whose block size overflows a long: refused as too large, never allocated as a small block.
        HeapStats before = allocator.verify();
        assertThrows(OutOfSharedMemoryException.class, () -> allocator.allocate(Long.MAX_VALUE - 8, 1));
        assertThrows(OutOfSharedMemoryException.class, () -> allocator.allocateAligned(Long.MAX_VALUE - 8, 64, 1));
        assertEquals(before, allocator.verify());
    }

    @Test
    void anAlignmentOfAGranuleOrLessIsAPlainAllocationThatTakesTheExactFit() {
        HeapAllocator allocator = heap(1 << 16);
        long fit = allocator.allocate(100, 1);
        allocator.allocate(8, 1); // a guard: freeing fit merges with nothing
        allocator.free(fit);
        for (long alignment : new long[] {1, 8, 16}) {
            long payload = allocator.allocateAligned(100, alignment, 7);
            assertEquals(fit, payload, "alignment " + alignment + " takes the free block of exactly the size, as allocate does");
            assertEquals(7, memory.getInt(BlockLayout.blockOf(payload) + BlockLayout.TYPE_TAG_OFFSET));
            allocator.free(payload);
        }
        allocator.verify();
    }

    @Test
    void aRemainderOfExactlyAMinimumBlockIsSplitOffOneGranuleLessIsNot() {
        HeapAllocator allocator = heap(1 << 16);
        long need = 128;
        long roomy = allocateBlock(allocator, need + BlockLayout.MIN_BLOCK_BYTES);
        allocator.allocate(8, 1);
        long tight = allocateBlock(allocator, need + BlockLayout.MIN_BLOCK_BYTES - BlockLayout.GRANULE);
        allocator.allocate(8, 1);
        allocator.free(roomy);
        long a = allocateBlock(allocator, need);
        assertEquals(roomy, a);
        assertEquals(need, blockSize(a), "a 32-byte remainder is a free block of its own");
        assertFalse(BlockLayout.inUse(memory.getLong(BlockLayout.blockOf(a) + need)));
        allocator.free(tight);
        long b = allocateBlock(allocator, need);
        assertEquals(tight, b);
        assertEquals(need + BlockLayout.MIN_BLOCK_BYTES - BlockLayout.GRANULE, blockSize(b), "16 bytes more stay with the block");
        allocator.verify();
    }

    @Test
    void theSmallestLargeBinIsSearchedForAFitNotTakenBlindly() {
        HeapAllocator allocator = heap(1 << 16);
        long smallest = AllocatorLayout.SMALL_LIMIT; // 1024: the first size of the first large bin
        assertEquals(AllocatorLayout.SMALL_BIN_COUNT, AllocatorLayout.binOf(smallest));
        assertEquals(AllocatorLayout.SMALL_BIN_COUNT - 1, AllocatorLayout.binOf(smallest - BlockLayout.GRANULE));
        long tooSmall = allocateBlock(allocator, smallest);
        allocator.allocate(8, 1);
        allocator.free(tooSmall);
        long need = smallest + 5 * BlockLayout.GRANULE; // same bin, larger than the free block in it
        assertEquals(AllocatorLayout.binOf(smallest), AllocatorLayout.binOf(need));
        long payload = allocateBlock(allocator, need);
        assertNotEquals(tooSmall, payload, "a block smaller than the request was handed out");
        assertEquals(need, blockSize(payload));
        // An exact fit in the same large bin is found by the search.
        allocator.free(payload);
        long exact = allocateBlock(allocator, smallest);
        assertEquals(tooSmall, exact, "the free block of exactly 1024 bytes fits a 1024-byte request");
        allocator.verify();
    }

    @Test
    void aLargeBinIsSearchedForSixteenBlocksNotSeventeen() {
        HeapAllocator allocator = heap(1 << 17);
        // Bin of sizes [1536, 1792): 16 blocks of 1536 at the front of its list and one of 1776 behind them.
        long small = 1536;
        long fits = 1776;
        int bin = AllocatorLayout.binOf(small);
        assertEquals(bin, AllocatorLayout.binOf(fits));
        long seventeenth = allocateBlock(allocator, fits);
        allocator.allocate(8, 1);
        List<Long> front = new ArrayList<>();
        for (int i = 0; i < HeapAllocator.BIN_SEARCH_LIMIT; i++) {
            front.add(allocateBlock(allocator, small));
            allocator.allocate(8, 1);
        }
        allocator.free(seventeenth); // pushed first: last in the list
        for (long payload : front) {
            allocator.free(payload);
        }
        long need = 1696;
        assertEquals(bin, AllocatorLayout.binOf(need));
        long payload = allocateBlock(allocator, need);
        assertNotEquals(seventeenth, payload, "the search looked beyond " + HeapAllocator.BIN_SEARCH_LIMIT + " blocks");
        assertTrue(payload > seventeenth, "taken from the tail, a larger bin");
        allocator.free(payload);
        // With one small block fewer in front, the fitting block is the 16th and is found.
        long first = memory.getLong(AllocatorLayout.binHeadOffset(bin));
        long taken = allocateBlock(allocator, small); // takes the head: one 1536 block fewer in front
        assertEquals(first + BlockLayout.HEADER_BYTES, taken);
        assertEquals(seventeenth, allocateBlock(allocator, need), "the 16th block of the bin is looked at");
        allocator.verify();
    }

    /** The offset of the first payload at or after {@code block + 16} that is aligned and leaves no gap or a gap of at least a minimum block. */
    private static long firstAlignedPayload(long block, long alignment) {
        for (long payload = block + BlockLayout.HEADER_BYTES; ; payload += BlockLayout.GRANULE) {
            long gap = payload - BlockLayout.HEADER_BYTES - block;
            if (payload % alignment == 0 && (gap == 0 || gap >= BlockLayout.MIN_BLOCK_BYTES)) {
                return payload;
            }
        }
    }

    /** Allocates the heap's first block so that the free tail behind it starts at {@code shift} modulo {@code modulus}; returns the tail. */
    private long tailAt(HeapAllocator allocator, long shift, long modulus) {
        long front = allocateBlock(allocator, 64 + Math.floorMod(shift - HEAP_START - 64, modulus));
        long tail = BlockLayout.blockOf(front) + blockSize(front);
        assertEquals(shift, tail % modulus);
        assertFalse(BlockLayout.inUse(memory.getLong(tail)));
        return tail;
    }

    @Test
    void anAlignedPayloadStartsAtTheFirstBoundaryWhoseGapCanBeAFreeBlock() {
        for (long shift = 0; shift < 64; shift += 16) {
            HeapAllocator allocator = heap(1 << 16);
            long tail = tailAt(allocator, shift, 64); // gaps of 48, 32, 80 (16 is too small) and 0
            long payload = allocator.allocateAligned(200, 64, 3);
            assertEquals(firstAlignedPayload(tail, 64), payload, "tail at " + tail + " (mod 64: " + shift + ")");
            long gap = BlockLayout.blockOf(payload) - tail;
            if (gap > 0) {
                assertFalse(BlockLayout.inUse(memory.getLong(tail)), "the gap is a free block");
                assertEquals(gap, BlockLayout.size(memory.getLong(tail)));
            }
            assertEquals(3, memory.getInt(BlockLayout.blockOf(payload) + BlockLayout.TYPE_TAG_OFFSET));
            allocator.verify();
        }
    }

    @Test
    void anAlignedRequestThatFitsOnlyExactlyIsFoundByTheFullSearch() {
        for (long shift = 0; shift < 256; shift += 16) {
            HeapAllocator allocator = heap(4096);
            long tail = tailAt(allocator, shift, 256);
            long tailSize = BlockLayout.size(memory.getLong(tail));
            long payloadAt = firstAlignedPayload(tail, 256);
            long need = tail + tailSize - BlockLayout.blockOf(payloadAt); // the block ends exactly at the heap's end
            HeapStats before = allocator.verify();
            assertThrows(OutOfSharedMemoryException.class,
                    () -> allocator.allocateAligned(need - BlockLayout.HEADER_BYTES + BlockLayout.GRANULE, 256, 1),
                    "one granule more than fits");
            assertEquals(before, allocator.verify(), "a failed request changes nothing");
            long payload = allocator.allocateAligned(need - BlockLayout.HEADER_BYTES, 256, 1);
            assertEquals(payloadAt, payload, "tail at " + tail);
            assertEquals(need, blockSize(payload));
            assertEquals(allocator.heapEnd(), BlockLayout.blockOf(payload) + need);
            allocator.verify();
        }
    }

    @Test
    void freeingTheHeapsLastBlockReadsNothingPastTheEnd() {
        long heapBytes = 4096;
        HeapAllocator allocator = heap(heapBytes);
        long first = allocator.allocate(100, 1);
        long last = allocateBlock(allocator, allocator.stats().largestFreeBlock());
        assertEquals(allocator.heapEnd(), BlockLayout.blockOf(last) + blockSize(last), "the last block ends at the heap's end");
        assertEquals(0, allocator.stats().freeBlocks());
        allocator.free(last);
        allocator.free(first);
        assertEquals(new HeapStats(heapBytes, 0, 0, heapBytes, 1, heapBytes), allocator.verify());
    }

    @Test
    void verifyCountsMoreThanSixtyFourFreeBlocks() {
        HeapAllocator allocator = heap(1 << 16);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            blocks.add(allocator.allocate(16, 1));
        }
        for (int i = 0; i < blocks.size(); i += 2) {
            allocator.free(blocks.get(i));
        }
        HeapStats stats = allocator.verify();
        assertEquals(151, stats.freeBlocks(), "150 freed blocks and the tail");
        assertEquals(150, stats.usedBlocks());
        assertEquals(stats, allocator.stats());
    }

    @Test
    void largestFreeBlockWalksAtMostTheFreeBlockCountPlusOne() {
        HeapAllocator allocator = heap(1 << 17);
        // Twelve free blocks of one large bin, the highest non-empty one, and nothing else free.
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            blocks.add(allocateBlock(allocator, 8192));
            allocator.allocate(8, 1);
        }
        allocateBlock(allocator, allocator.stats().largestFreeBlock()); // the tail, so it is not free
        for (long payload : blocks) {
            allocator.free(payload);
        }
        assertEquals(12, allocator.stats().freeBlocks());
        assertEquals(8192, allocator.largestFreeBlock());
        // The count word understated by two: the walk of 12 still fits its bound (count + 1 steps after the first).
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 10);
        assertEquals(8192, allocator.largestFreeBlock());
        // Understated by three: the list is longer than the count allows.
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 9);
        assertThrows(CorruptedRegionException.class, allocator::largestFreeBlock);
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 12);
        allocator.verify();
    }

    @Test
    void theReservedWordsAfterTheBitmapAreIgnored() {
        HeapAllocator allocator = heap(4096);
        allocateBlock(allocator, 4096);
        memory.putLong(AllocatorLayout.BITMAP_RESERVED_OFFSET, -1L);
        OutOfSharedMemoryException e = assertThrows(OutOfSharedMemoryException.class, () -> allocator.allocate(100, 1));
        assertEquals(0, e.largestFreeBlock());
        assertEquals(0, allocator.largestFreeBlock());
        assertEquals(0, allocator.verify().freeBlocks());
    }

    @Test
    void aTakenBlockCarriesItsTagWhereItsFreeListLinkWas() {
        HeapAllocator allocator = heap(1 << 16);
        long x = allocator.allocate(100, 1);
        allocator.allocate(8, 1);
        long y = allocator.allocate(100, 1);
        allocator.allocate(8, 1);
        allocator.free(x);
        allocator.free(y); // y is the head of its bin, linked to x
        assertEquals(BlockLayout.blockOf(x), memory.getLong(BlockLayout.blockOf(y) + BlockLayout.NEXT_FREE_OFFSET));
        long taken = allocator.allocate(100, 42);
        assertEquals(y, taken);
        assertEquals(allocator.checkBlock(taken, 42), blockSize(taken) - BlockLayout.HEADER_BYTES);
        assertTrue(allocator.holds(taken, 42));
        assertEquals(0, memory.getInt(BlockLayout.blockOf(taken) + BlockLayout.RESERVED_OFFSET));
    }

    @Test
    void aFreeListNeighbourThatDoesNotLinkBackIsRefusedBeforeAnythingIsWritten() {
        HeapAllocator allocator = heap(1 << 16);
        long w = allocator.allocate(100, 1);
        long x = allocator.allocate(100, 1);
        allocator.allocate(8, 1);
        long y = allocator.allocate(100, 1);
        allocator.allocate(8, 1);
        allocator.free(x);
        allocator.free(y); // list of the bin: y -> x
        long xBlock = BlockLayout.blockOf(x);
        long yBlock = BlockLayout.blockOf(y);
        assertEquals(xBlock, memory.getLong(yBlock + BlockLayout.NEXT_FREE_OFFSET));

        // x's back link no longer names y: taking y (the head) must not write through its next link.
        memory.putLong(xBlock + BlockLayout.PREV_FREE_OFFSET, 0);
        HeapStats counters = allocator.stats();
        assertThrows(CorruptedRegionException.class, () -> allocator.allocate(100, 1));
        assertEquals(0, memory.getLong(xBlock + BlockLayout.PREV_FREE_OFFSET), "nothing written through the bad link");
        assertEquals(counters, allocator.stats());
        memory.putLong(xBlock + BlockLayout.PREV_FREE_OFFSET, yBlock);
        allocator.verify();

        // y's next link no longer names x: freeing w merges x, which is unlinked through its back link y.
        memory.putLong(yBlock + BlockLayout.NEXT_FREE_OFFSET, 0);
        long xFlags = memory.getLong(xBlock);
        assertThrows(CorruptedRegionException.class, () -> allocator.free(w));
        assertEquals(0, memory.getLong(yBlock + BlockLayout.NEXT_FREE_OFFSET), "nothing written through the bad link");
        assertEquals(xFlags, memory.getLong(xBlock), "x is not merged");
        assertEquals(yBlock, memory.getLong(xBlock + BlockLayout.PREV_FREE_OFFSET));
    }

    @Test
    void aTakeoverRebuildsTheFreeListsAndCountersFromTheBlockHeaders() {
        HeapAllocator allocator = heap(1 << 18);
        List<Long> blocks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            blocks.add(allocator.allocate(16 + 24 * i, 1));
        }
        for (int i = 0; i < blocks.size(); i += 3) {
            allocator.free(blocks.get(i));
        }
        HeapStats sound = allocator.verify();
        // Scramble every word the rebuild owns: counters, bitmap, bin heads, and each free block's links and footer.
        memory.putLong(AllocatorLayout.USED_BYTES_OFFSET, 12345);
        memory.putLong(AllocatorLayout.USED_BLOCKS_OFFSET, 7);
        memory.putLong(AllocatorLayout.FREE_BYTES_OFFSET, 99);
        memory.putLong(AllocatorLayout.FREE_BLOCKS_OFFSET, 3);
        for (int i = 0; i < AllocatorLayout.BITMAP_WORDS; i++) {
            memory.putLong(AllocatorLayout.BITMAP_OFFSET + i * 8L, 0x5555_5555_5555_5555L);
        }
        for (int bin = 0; bin < AllocatorLayout.BIN_COUNT; bin++) {
            memory.putLong(AllocatorLayout.binHeadOffset(bin), HEAP_START + 16 * bin);
        }
        for (long block = HEAP_START; block < allocator.heapEnd(); block += BlockLayout.size(memory.getLong(block))) {
            long sizeFlags = memory.getLong(block);
            if (!BlockLayout.inUse(sizeFlags)) {
                memory.putLong(block + BlockLayout.NEXT_FREE_OFFSET, 4242);
                memory.putLong(block + BlockLayout.PREV_FREE_OFFSET, 4242);
                memory.putLong(BlockLayout.footerOffset(block, BlockLayout.size(sizeFlags)), 16);
            }
        }
        assertThrows(CorruptedRegionException.class, allocator::verify);
        allocator.rebuildAfterRollback();
        assertEquals(sound, allocator.verify());
        assertEquals(sound, allocator.stats());
        // Rebuilt lists work: everything can be freed and the heap is one block again.
        for (int i = 0; i < blocks.size(); i++) {
            if (i % 3 != 0) {
                allocator.free(blocks.get(i));
            }
        }
        assertEquals(new HeapStats(1 << 18, 0, 0, 1 << 18, 1, 1 << 18), allocator.verify());
    }

    @Test
    void aRebuildStopsAtABlockThatDoesNotFitAndCountsWhatCameBefore() {
        HeapAllocator allocator = heap(1 << 16);
        long x = allocateBlock(allocator, 64);
        long y = allocateBlock(allocator, 96);
        allocator.free(x);
        long broken = BlockLayout.blockOf(y) + 96; // the free tail: its size word is broken
        memory.putLong(broken, 0);
        allocator.rebuildAfterRollback();
        HeapStats counted = allocator.stats();
        assertEquals(96, counted.usedBytes());
        assertEquals(1, counted.usedBlocks());
        assertEquals(64, counted.freeBytes());
        assertEquals(1, counted.freeBlocks());
        assertEquals(64, counted.largestFreeBlock());
        assertThrows(CorruptedRegionException.class, allocator::verify);
        memory.putLong(broken, (1 << 16) - 160 + 64); // 64 bytes past the heap's end: not counted either
        allocator.rebuildAfterRollback();
        assertEquals(64, allocator.stats().freeBytes());
        memory.putLong(broken, (1 << 16) - 160);
        allocator.rebuildAfterRollback();
        assertEquals(new HeapStats(1 << 16, 96, 1, (1 << 16) - 96, 2, (1 << 16) - 160), allocator.verify());
    }
}
