package io.ipcobjects.internal.memory;

import java.util.Map;
import java.util.TreeMap;

/**
 * The memory of one scope whose old contents nobody will need: the interiors of heap blocks
 * that were free when the scope began and that the scope has since allocated. Writes there
 * need no undo entry, because undoing the scope makes that memory free again, and a free
 * block's interior means nothing ({@code alloc.BlockLayout}: only a free block's first 24
 * bytes and its last 8 hold anything). This is what keeps a tensor or a blob copied into a
 * fresh block out of the undo log.
 *
 * <p>A block freed in this scope was in use when the scope began (or may have been), so an
 * allocation that overlaps one is not fresh. Both sets are in-process and die with the scope.
 *
 * <p>Cost: the latest fresh range is kept in two fields, so a scope that allocates once (a
 * put) and the writes that fill the block just allocated never touch a map; earlier ranges
 * go to a {@link TreeMap} by start. Freed ranges are a plain array until they grow.
 */
final class FreshRanges {

    private static final int FREED_SCAN_LIMIT = 16;

    /** Whether anything was recorded since the last {@link #clear()}. */
    private boolean used;
    /** The latest fresh range, [lastStart, lastEnd); empty when lastEnd <= lastStart. */
    private long lastStart;
    private long lastEnd;
    /** Earlier fresh ranges, start to end. A remainder taken later nests inside its block's range; a lookup that finds the inner one only answers "not fresh" where the outer would say fresh, which logs more, never less. */
    private final TreeMap<Long, Long> earlier = new TreeMap<>();

    private long[] freedStarts = new long[FREED_SCAN_LIMIT];
    private long[] freedEnds = new long[FREED_SCAN_LIMIT];
    private int freedCount;
    /** Freed ranges past the array: start to end, possibly overlapping, scanned by floor. */
    private final TreeMap<Long, Long> freedMore = new TreeMap<>();
    /** Largest freed range length in {@link #freedMore}, to bound its overlap search. */
    private long freedMoreMaxLength;

    /** Whether anything was allocated or freed since the last {@link #clear()}: if not, nothing is fresh. */
    boolean used() {
        return used;
    }

    /**
     * Whether the sets have grown past their cheap form (the freed array half full, or several
     * earlier fresh ranges): the undo log then commits at the next operation boundary, so a
     * long scope that allocates and frees in a loop keeps its lookups short.
     */
    boolean crowded() {
        return freedCount > FREED_SCAN_LIMIT / 2 || earlier.size() > 4;
    }

    void clear() {
        if (!used) {
            return; // the common case: an operation that allocated and freed nothing
        }
        used = false;
        lastStart = 0;
        lastEnd = 0;
        if (!earlier.isEmpty()) {
            earlier.clear();
        }
        freedCount = 0;
        if (!freedMore.isEmpty()) {
            freedMore.clear();
            freedMoreMaxLength = 0;
        }
    }

    /**
     * The heap is taking a free block whose interior is {@code [start, end)}: memory that is free
     * now (its footer is the word just past the range).
     */
    void allocated(long start, long end) {
        used = true;
        if (end <= start || overlapsFreed(start, end)) {
            return;
        }
        if (lastEnd > lastStart) {
            earlier.put(lastStart, lastEnd);
        }
        lastStart = start;
        lastEnd = end;
    }

    /**
     * The heap freed the block {@code [start, end)}. A later allocation that overlaps memory
     * which held something when the operation began is not fresh. For a block carved from fresh
     * memory, that is at most its first 24 bytes (possibly a free block's header then) and its
     * last 8 (possibly that block's footer): its interior stays fresh, so a table that grows
     * several times in one operation is never logged.
     */
    void freed(long start, long end) {
        used = true;
        long interior = start + 24;
        if (freshEndAt(interior) >= end - 8) {
            recordFreed(start, interior);
            recordFreed(end - 8, end);
            return;
        }
        recordFreed(start, end);
    }

    private void recordFreed(long start, long end) {
        if (freedCount < freedStarts.length) {
            freedStarts[freedCount] = start;
            freedEnds[freedCount] = end;
            freedCount++;
        } else {
            freedMore.merge(start, end, Math::max);
            freedMoreMaxLength = Math.max(freedMoreMaxLength, end - start);
        }
    }

    /** Whether any of {@code [start, end)} is fresh. */
    boolean touches(long start, long end) {
        return freshEndAt(start) >= 0 || nextFreshStart(start) < end;
    }

    /** Whether all of {@code [offset, offset + length)} is fresh. */
    boolean contains(long offset, long length) {
        long end = offset + length;
        if (offset >= lastStart && end <= lastEnd) {
            return true;
        }
        if (earlier.isEmpty()) {
            return false;
        }
        Map.Entry<Long, Long> floor = earlier.floorEntry(offset);
        return floor != null && end <= floor.getValue();
    }

    /** The end of the fresh range holding {@code offset}, or -1 if it is not fresh. */
    long freshEndAt(long offset) {
        if (offset >= lastStart && offset < lastEnd) {
            return lastEnd;
        }
        if (earlier.isEmpty()) {
            return -1;
        }
        Map.Entry<Long, Long> floor = earlier.floorEntry(offset);
        return floor != null && offset < floor.getValue() ? floor.getValue() : -1;
    }

    /** The start of the first fresh range after {@code offset}, or {@link Long#MAX_VALUE}. */
    long nextFreshStart(long offset) {
        long next = lastEnd > lastStart && lastStart > offset ? lastStart : Long.MAX_VALUE;
        if (!earlier.isEmpty()) {
            Long higher = earlier.higherKey(offset);
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
