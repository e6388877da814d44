package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The fresh memory of one undo window: what it answers depends only on the union of the fresh
 * ranges (less what was freed), and blocks carved out of a block the window took already add no
 * range to scan.
 */
class FreshRangesTest {

    @Test
    void blocksCarvedInsideARangeTakenEarlierAddNothingToScan() {
        FreshRanges fresh = new FreshRanges();
        // A free block of 64 KiB taken whole: all but its size word is fresh.
        fresh.allocated(1024 + 8, 1024 + 65536);
        // Forty blocks carved from its remainders, each inside that interior.
        for (int i = 1; i <= 40; i++) {
            long block = 1024 + 1024L * i;
            fresh.allocated(block + 24, block + 1024 - 8);
        }

        assertFalse(fresh.crowded(), "forty nested blocks are one range, not forty-one");
        assertTrue(fresh.contains(1024 + 8, 65536 - 8));
        assertTrue(fresh.contains(1024 + 2048, 8), "a nested block's header, inside the first interior");
        assertFalse(fresh.contains(1024, 8), "the taken block's size word was meaningful when it was free");
        assertFalse(fresh.contains(1024 + 65536, 8), "nor is the next block's");
        assertEquals(1024 + 65536, fresh.freshEndAt(1024 + 4096));
        assertEquals(1024 + 8, fresh.nextFreshStart(0));
        assertEquals(Long.MAX_VALUE, fresh.nextFreshStart(1024 + 8));
    }

    @Test
    void rangesThatAreNotNestedAreEachRecorded() {
        FreshRanges fresh = new FreshRanges();
        for (int i = 0; i < 9; i++) {
            long block = 4096L * i;
            fresh.allocated(block + 24, block + 1024 - 8);
        }

        assertTrue(fresh.crowded(), "nine separate blocks are nine ranges: past half the arrays");
        for (int i = 0; i < 9; i++) {
            long block = 4096L * i;
            assertTrue(fresh.contains(block + 24, 1024 - 32), "block " + i);
            assertFalse(fresh.contains(block + 1024, 8), "past block " + i);
            assertEquals(i < 8 ? block + 4096 + 24 : Long.MAX_VALUE, fresh.nextFreshStart(block + 24), "the next block after " + i);
        }
    }

    @Test
    void aBlockOverlappingOneFreedInTheWindowIsNotFreshEvenInsideAnEarlierRange() {
        FreshRanges fresh = new FreshRanges();
        fresh.freed(0, 1024); // live data when the window began
        fresh.allocated(24, 4096 - 8);

        assertFalse(fresh.contains(512, 8), "memory that held live data is not fresh");
        assertEquals(-1, fresh.freshEndAt(512));
    }

    @Test
    void theRangeRecordedLastAnswersForItsOwnWordsOnly() {
        FreshRanges fresh = new FreshRanges();
        assertFalse(fresh.inNewest(0, 8), "nothing taken: nothing fresh");
        fresh.allocated(1024, 2048);
        fresh.allocated(8192, 9216);

        assertTrue(fresh.inNewest(8192, 8));
        assertTrue(fresh.inNewest(9216 - 16, 16));
        assertFalse(fresh.inNewest(9216 - 8, 16), "a slot that runs past the block's end");
        assertFalse(fresh.inNewest(1024, 8), "fresh, but in an earlier range: the caller asks contains");
        assertTrue(fresh.contains(1024, 8));
        fresh.clear();
        assertFalse(fresh.inNewest(8192, 8), "a new window has nothing fresh");
    }

    @Test
    void blocksFreedSideBySideAreOneRangeAndEveryOneStillCounts() {
        FreshRanges fresh = new FreshRanges();
        // Forty blocks of 64 bytes freed in address order, as a destruction frees a list's blobs,
        // then ten more freed downwards just below them.
        for (int i = 0; i < 40; i++) {
            fresh.freed(4096 + 64L * i, 4096 + 64L * (i + 1));
        }
        for (int i = 1; i <= 10; i++) {
            fresh.freed(4096 - 64L * i, 4096 - 64L * (i - 1));
        }

        assertFalse(fresh.crowded(), "fifty neighbouring blocks are one range");
        for (int i = -10; i < 40; i++) {
            long block = 4096 + 64L * i;
            assertTrue(fresh.freedOverlaps(block + 8, block + 16), "block " + i + " was freed");
        }
        assertFalse(fresh.freedOverlaps(4096 + 64 * 40, 4096 + 64 * 41), "just past the last block");
        assertFalse(fresh.freedOverlaps(4096 - 64 * 11, 4096 - 64 * 10), "just below the first block");
        fresh.allocated(4096 + 24, 4096 + 1000);
        assertFalse(fresh.contains(4096 + 64, 8), "a block taken over freed memory is not fresh");
    }

    @Test
    void aBlockFreedInsideFreshMemoryLeavesNothingThatMakesItsMemoryLive() {
        FreshRanges fresh = new FreshRanges();
        // A free block of 64 KiB at 1024 taken: all but its size word is fresh.
        fresh.allocated(1024 + 8, 1024 + 65536);
        // A block carved inside it, freed, and its memory taken again (merged with a neighbour).
        fresh.freed(2048, 2112);
        assertFalse(fresh.freedOverlaps(2048, 2112), "nothing of it held anything when the window began");
        fresh.allocated(2048 + 8, 2176);
        assertTrue(fresh.contains(2048 + 8, 2176 - 2056));
        // The block carved at the free block's start: only its size word was meaningful.
        fresh.freed(1024, 1024 + 128);
        assertTrue(fresh.freedOverlaps(1024, 1024 + 8), "its size word");
        assertFalse(fresh.freedOverlaps(1024 + 8, 1024 + 128), "the rest was free memory");
        fresh.allocated(1024 + 8, 1024 + 128);
        assertTrue(fresh.contains(1024 + 8, 120), "taken back: still fresh");
        assertFalse(fresh.crowded());
    }
}
