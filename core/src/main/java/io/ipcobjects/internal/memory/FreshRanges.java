package io.ipcobjects.internal.memory;

import java.util.Map;
import java.util.TreeMap;

/**
 * The memory of one undo window (a scope, or the part of it since its last commit) whose old
 * contents nobody will need: heap blocks that were free when the window began and that it has
 * since allocated, all but their size word. Writes there need no undo entry, because undoing the
 * window makes that memory free again, and of a free block only the size word means anything a
 * rollback must put back ({@code alloc.BlockLayout}: its links and footer are bookkeeping that a
 * takeover rebuilds from the size words). This is what keeps a tensor or a blob copied into a
 * fresh block out of the undo log.
 *
 * <p>A block freed in the window may have been in use when it began, so an allocation that
 * overlaps one is not fresh, unless all of it lies in fresh memory already: a block carved from
 * fresh memory, freed and taken again (a message put and taken in a loop) stays fresh, and is
 * never logged however often the loop runs. Both sets are in-process and die with the window.
 *
 * <p>Cost: every logged write of a window that allocated asks {@link #contains}, so the first
 * {@value #SCAN_LIMIT} ranges of each set are plain arrays, scanned newest first (the block
 * just allocated is the one most writes go to); only a window that allocates or frees more
 * spills into a {@link TreeMap}, and the undo log commits such a window at its next operation
 * ({@link #crowded()}).
 */
final class FreshRanges {

    private static final int SCAN_LIMIT = 16;

    /** Whether anything was recorded since the last {@link #clear()}. */
    private boolean used;

    /** Fresh ranges [start, end), oldest first. A remainder taken later may nest inside an earlier range: any range holding an offset answers for it. */
    private final long[] freshStarts = new long[SCAN_LIMIT];
    private final long[] freshEnds = new long[SCAN_LIMIT];
    private int freshCount;
    /**
     * The last range of the arrays, copied into fields so that {@link #inNewest}, asked before
     * most logged writes, reads two fields and no array; [1, 0) while there is none.
     */
    private long newestStart = 1;
    private long newestEnd;
    /** Fresh ranges past the arrays: start to end. */
    private final TreeMap<Long, Long> freshMore = new TreeMap<>();

    private final long[] freedStarts = new long[SCAN_LIMIT];
    private final long[] freedEnds = new long[SCAN_LIMIT];
    private int freedCount;
    /** Freed ranges past the arrays: start to end, possibly overlapping, scanned by floor. */
    private final TreeMap<Long, Long> freedMore = new TreeMap<>();
    /** Largest freed range length in {@link #freedMore}, to bound its overlap search. */
    private long freedMoreMaxLength;

    /** Whether anything was allocated or freed since the last {@link #clear()}: if not, nothing is fresh. */
    boolean used() {
        return used;
    }

    /**
     * Whether the sets have grown past half their arrays: the undo log then commits at the next
     * operation boundary, so a long scope that allocates and frees in a loop keeps its lookups
     * short.
     */
    boolean crowded() {
        return freedCount > SCAN_LIMIT / 2 || freshCount > SCAN_LIMIT / 2;
    }

    void clear() {
        if (!used) {
            return; // the common case: a window that allocated and freed nothing
        }
        used = false;
        freshCount = 0;
        newestStart = 1;
        newestEnd = 0;
        freedCount = 0;
        if (!freshMore.isEmpty()) {
            freshMore.clear();
        }
        if (!freedMore.isEmpty()) {
            freedMore.clear();
            freedMoreMaxLength = 0;
        }
    }

    /**
     * The heap is taking a free block of which {@code [start, end)} is all but the size word:
     * memory that is free now.
     */
    void allocated(long start, long end) {
        used = true;
        if (end <= start || contains(start, end - start)) {
            // Memory free when the window began, all of it (a block carved from a remainder of
            // a block taken earlier, or a block freed and taken again): fresh already, whatever
            // the freed set says about its edges. Recording it again would only lengthen the scan
            // that every logged write outside fresh memory makes through all the ranges.
            return;
        }
        if (overlapsFreed(start, end)) {
            return;
        }
        if (freshCount < SCAN_LIMIT) {
            freshStarts[freshCount] = start;
            freshEnds[freshCount] = end;
            freshCount++;
            newestStart = start;
            newestEnd = end;
        } else {
            freshMore.merge(start, end, Math::max);
        }
    }

    /**
     * The heap freed the block {@code [start, end)}. A later allocation that overlaps memory
     * which held something when the window began is not fresh. For a block carved from fresh
     * memory, that is nothing, or its size word when it was carved at a free block's start: the
     * rest stays fresh, so a table that grows several times in one window is never logged.
     */
    void freed(long start, long end) {
        used = true;
        if (contains(start, end - start)) {
            // The whole block lies in memory that was free when the window began: none of it
            // held anything then, header and footer included.
            return;
        }
        if (freshEndAt(start + 8) >= end) {
            // A block carved at the start of a free block the window took: all but its size
            // word lay in that free block's fresh memory.
            recordFreed(start, start + 8);
            return;
        }
        recordFreed(start, end);
    }

    private void recordFreed(long start, long end) {
        for (int i = freedCount - 1; i >= 0; i--) {
            if (start >= freedStarts[i] && end <= freedEnds[i]) {
                return; // known already: a block allocated and freed again in a loop adds nothing
            }
        }
        int last = freedCount - 1;
        if (last >= 0 && freedMore.isEmpty()) {
            // A destruction frees its blocks in the order they were allocated, mostly side by
            // side: a block that touches the range recorded last extends it (only the union of
            // the freed ranges is ever asked), so the set stays short instead of spilling.
            if (start == freedEnds[last] && end > start) {
                freedEnds[last] = end;
                return;
            }
            if (end == freedStarts[last] && end > start) {
                freedStarts[last] = start;
                return;
            }
        }
        if (freedCount < SCAN_LIMIT) {
            freedStarts[freedCount] = start;
            freedEnds[freedCount] = end;
            freedCount++;
        } else {
            freedMore.merge(start, end, Math::max);
            freedMoreMaxLength = Math.max(freedMoreMaxLength, end - start);
        }
    }

    /**
     * Whether all of {@code [offset, offset + length)} lies in the fresh range recorded last
     * (among the first {@value #SCAN_LIMIT}): the block a scope took last, where most of its
     * writes go, answered with two compares. False says nothing: ask {@link #contains}.
     */
    boolean inNewest(long offset, long length) {
        return offset >= newestStart && offset + length <= newestEnd;
    }

    /** Whether all of {@code [offset, offset + length)} is fresh. */
    boolean contains(long offset, long length) {
        long end = offset + length;
        for (int i = freshCount - 1; i >= 0; i--) {
            if (offset >= freshStarts[i] && end <= freshEnds[i]) {
                return true;
            }
        }
        if (freshMore.isEmpty()) {
            return false;
        }
        Map.Entry<Long, Long> floor = freshMore.floorEntry(offset);
        return floor != null && end <= floor.getValue();
    }

    /** Whether any of {@code [start, end)} is fresh. */
    boolean touches(long start, long end) {
        return freshEndAt(start) >= 0 || nextFreshStart(start) < end;
    }

    /** The end of a fresh range holding {@code offset}, or -1 if it is not fresh. */
    long freshEndAt(long offset) {
        for (int i = freshCount - 1; i >= 0; i--) {
            if (offset >= freshStarts[i] && offset < freshEnds[i]) {
                return freshEnds[i];
            }
        }
        if (freshMore.isEmpty()) {
            return -1;
        }
        Map.Entry<Long, Long> floor = freshMore.floorEntry(offset);
        return floor != null && offset < floor.getValue() ? floor.getValue() : -1;
    }

    /** The start of the first fresh range after {@code offset}, or {@link Long#MAX_VALUE}. */
    long nextFreshStart(long offset) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < freshCount; i++) {
            if (freshStarts[i] > offset && freshStarts[i] < next) {
                next = freshStarts[i];
            }
        }
        if (!freshMore.isEmpty()) {
            Long higher = freshMore.higherKey(offset);
            if (higher != null && higher < next) {
                next = higher;
            }
        }
        return next;
    }

    /** Whether any of {@code [start, end)} lies in a block freed since the last {@link #clear()}. */
    boolean freedOverlaps(long start, long end) {
        return overlapsFreed(start, end);
    }

    private boolean overlapsFreed(long start, long end) {
        for (int i = 0; i < freedCount; i++) {
            if (freedStarts[i] < end && start < freedEnds[i]) {
                return true;
            }
        }
        if (freedMore.isEmpty()) {
            return false;
        }
        // Any range overlapping [start, end) starts in [start - maxLength, end).
        for (Map.Entry<Long, Long> e : freedMore.subMap(start - freedMoreMaxLength, true, end, false).entrySet()) {
            if (e.getValue() > start) {
                return true;
            }
        }
        return false;
    }
}
