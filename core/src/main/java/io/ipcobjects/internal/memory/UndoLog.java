package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.UndoLogLayout.*;

import io.ipcobjects.CorruptedRegionException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The region's undo log, as one attachment writes and replays it ({@link UndoLogLayout}).
 *
 * <h2>Overview</h2>
 * Crash consistency for everything under the region lock. While a thread holds the lock (a
 * <em>scope</em>), every plain or release write it makes through {@link RegionMemory} to memory
 * that existed before the scope first copies the old contents into the log; the scope commits
 * by setting the log's length back to 0 just before the lock is released. A process killed at
 * any instruction therefore leaves the log holding exactly the old contents of what its open
 * scope changed, and whoever takes the lock over puts them back ({@link #rollBackAll}) before
 * anyone reads: the region is as it was before that scope's current operation. (Each operation
 * of a scope commits the one before it: {@link #operationStarts}.)
 *
 * <p><b>Write order.</b> An entry is written first, then the length that covers it (release: the
 * entry is visible before the length), then a store-store fence, and only then does the caller
 * overwrite the target. A crash before the length store loses only an entry whose target was not
 * touched yet; a crash after it restores a value that may not even have changed. Replay is
 * idempotent (it writes old values), so a taker that dies while replaying leaves the log for
 * the next one: the length is cleared only after the last entry is back.
 *
 * <p><b>What is not logged.</b> Fresh memory ({@link FreshRanges}: the interiors of free blocks
 * this operation took, including the headers of remainders split off inside them); the heap's
 * free-block bookkeeping (free-list links and heads, the bin bitmap, free blocks' footers,
 * {@link RegionMemory#putLongRebuilt}) and its counters, which every takeover rebuilds from the
 * block headers, which are logged (only where such a word overwrites a block this operation
 * freed is its old value logged: that was live data); the lock word and process-table words
 * (atomic, with their own protocols); and tensor element data (written without the lock, by the
 * users' own protocol). In a long operation a word already logged is not logged again (the
 * first old value is the one to restore; a small direct-mapped table remembers recent ones).
 *
 * <p><b>A full log.</b> An operation that changes more existing data than the log holds goes on:
 * its further entries are kept in this process's memory, and while they are, the header carries
 * a damage code. If the operation completes, it commits as usual and the code is cleared; if
 * its thread dies, this process still holds every entry and rolls it all back; only if the whole
 * process dies inside such an operation can the region not be restored, and then the code stays
 * and every process refuses the region (sticky, never silent). A larger log
 * ({@code SharedMemoryOptions.withUndoLogBytes}) closes that window for bigger operations.
 *
 * <p>Threads: only the lock holder writes through the log ({@link #owner}); writes of other
 * threads (process-table slots, closing a handle) are not logged.
 */
public final class UndoLog {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final VarHandle LONG_HANDLE = ValueLayout.JAVA_LONG.varHandle();
    /** Entries of the recently-logged table: a power of two. */
    private static final int SEEN = 512;
    /** Log bytes an operation writes before the dedup table is used. */
    private static final long DEDUP_FROM = 32 * WORD_ENTRY_BYTES;
    /** A 16-byte range entry: head, length, two words. */
    private static final long SIXTEEN_ENTRY_BYTES = ENTRY_BYTES_OFFSET + 16;

    private final MemorySegment segment;
    private final long base;
    private final long end;
    /** Writes below this offset may be logged; the log's own area and beyond may not. */
    private final long targetLimit;

    /** The thread whose writes are logged: the lock holder in a scope, else null. */
    Thread owner;
    /** This process's copy of the length word while it owns the log. */
    private long length;
    /** Where the entries start, and how many bytes of them the area holds. */
    private final long entries;
    private final long capacity;
    /** Whether {@link #spilled} holds anything: the operation's further entries go there too. */
    private boolean spilling;
    /**
     * While {@link #length} is below this, a write takes the fast path: the operation has
     * allocated and freed nothing (no fresh memory to skip), the dedup table is not in use yet,
     * the log has room and nothing was spilled. 0 sends every write to the general path.
     */
    private long fastLimit;
    /** {@link #fastLimit} of an operation that has not allocated, freed or spilled. */
    private final long normalFastLimit;
    /** Entries of the open operation that did not fit the region's log, oldest first: long[]{head, old} or RangeEntry. */
    private final List<Object> spilled = new ArrayList<>();

    private final long[] seenKeys = new long[SEEN];
    private final int[] seenEpochs = new int[SEEN];
    private int epoch = 1;

    private final FreshRanges fresh = new FreshRanges();
    private final List<Runnable> rollbackListeners = new ArrayList<>();

    private record RangeEntry(long target, byte[] old) {
    }

    /** The log whose area the header names; checked against the region's size. */
    public UndoLog(MemorySegment segment, long base, long bytes) {
        this.segment = segment;
        this.base = base;
        this.end = base + bytes;
        this.targetLimit = base;
        this.entries = base + ENTRIES_OFFSET;
        this.capacity = bytes - ENTRIES_OFFSET;
        this.normalFastLimit = Math.min(DEDUP_FROM, capacity - SIXTEEN_ENTRY_BYTES);
        this.fastLimit = normalFastLimit;
        if (base < RegionHeaderLayout.HEAP_START || bytes < MIN_LOG_BYTES || end > segment.byteSize() || base % 8 != 0) {
            throw new CorruptedRegionException("undo log area [" + base + ", " + end + ") does not fit a region of "
                    + segment.byteSize() + " bytes", RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD);
        }
    }

    /** Runs {@code listener} after every rollback in this process (caches of region contents drop what they hold). */
    public void onRollback(Runnable listener) {
        rollbackListeners.add(listener);
    }

    // ---- the scope's boundaries (called by lock.LockScope, under the lock) ----

    /**
     * A scope begins on the calling thread. After a takeover ({@code takenOver}), entries still
     * in the log belong to a scope that never committed (its owner died): they are rolled back
     * first. Returns true if it rolled back.
     */
    public boolean begin(Thread thread, boolean takenOver) {
        // Every release commits first, so only a lock taken over from a dead owner (a process,
        // or a thread of this one) can come with entries: only then is the log read.
        boolean rolledBack = false;
        if (takenOver && (getLengthVolatile() != 0 || spilling)) {
            rollBackAll();
            rolledBack = true;
        }
        length = 0;
        fresh.clear();
        fastLimit = normalFastLimit;
        owner = thread;
        return rolledBack;
    }

    /**
     * An operation of the scope begins: the one before it is finished and committed (a crash
     * from here on goes back to this point, not to the scope's start, so the log only ever holds
     * one operation's entries).
     */
    public void operationStarts() {
        if (length != 0 || fastLimit != normalFastLimit) {
            commitStep();
        }
    }

    /** The scope ends: its last operation is committed. */
    public void commit() {
        commitStep();
        owner = null;
    }

    /**
     * Whether a long walk (the destruction of a big container) should commit a step now: the
     * calling thread is logging and the log is past half full. The walk calls
     * {@link #commitStep()} only at a point where the structure it is emptying is consistent.
     */
    public boolean stepDue() {
        return owner == Thread.currentThread() && length > capacity / 2;
    }

    /**
     * Commits what the current operation wrote so far, as if it had ended here: at operation
     * boundaries, and inside the destruction of a container too big for one log, which empties
     * it element by element and commits at consistent points (a crash then leaves it smaller,
     * never broken).
     */
    public void commitStep() {
        if (length != 0) {
            LONG_HANDLE.setRelease(segment, base + LENGTH_OFFSET, 0L);
            if (length >= DEDUP_FROM) {
                nextEpoch(); // the dedup table was in use: forget what it holds
            }
            length = 0;
        }
        if (spilling) {
            spilled.clear();
            spilling = false;
            nextEpoch();
            // The region's log is empty first: dying between the two leaves the code, which is safe.
            VarHandle.fullFence();
            clearPendingDamage();
        }
        // What the operation allocated is committed state now, no longer fresh.
        fresh.clear();
        fastLimit = normalFastLimit;
    }

    /** Whether this process holds entries that did not fit the region's log (its operation is still open). */
    public boolean holdsSpilledEntries() {
        return spilling;
    }

    /** Ends the scope of {@code thread} if it owns the log (a failed admission), committing what is left. */
    public void endIfOwnedBy(Thread thread) {
        if (owner == thread) {
            commit();
        }
    }

    /** Whether the log holds entries of a scope that did not commit. One volatile read. */
    public boolean hasUncommittedEntries() {
        return getLengthVolatile() != 0;
    }

    // ---- what the allocator tells it ----

    /**
     * The free block {@code [block, block + size)} is about to be taken (all of it, or split) by
     * the lock holder. Called before the allocator writes, so the header and links of a remainder
     * split off inside it are fresh too.
     */
    public void takingFreeBlock(long block, long size) {
        if (owner == Thread.currentThread()) {
            // A free block's first 24 bytes (size, links) and last 8 (footer) were meaningful
            // when it was free: only the interior is fresh.
            fresh.allocated(block + 24, block + size - 8);
            fastLimit = 0;
        }
    }

    /** The block {@code [block, block + size)} was just freed by the lock holder. */
    public void freed(long block, long size) {
        if (owner == Thread.currentThread()) {
            fresh.freed(block, block + size);
            fastLimit = 0;
        }
    }

    // ---- logging a write (RegionMemory calls these before it writes) ----

    /*
     * The fast paths (beforeLong, beforeInt, beforeSixteen) are what most logged writes pay:
     * one compare of the length with fastLimit, a bounds test, the entry's stores and the
     * release store of the length. They are small so the JIT inlines them into RegionMemory's
     * writers and those into their callers. An operation that allocated or freed (fresh memory
     * to skip), a long one (past DEDUP_FROM bytes, the dedup table is used: small operations
     * rarely write a word twice, and a duplicate entry costs log space, never correctness, since
     * replay goes newest to oldest and leaves the oldest value) and a full log take the general
     * path (beforeWord, beforeRange).
     */

    void beforeLong(long target) {
        long at = length;
        if (at >= fastLimit) {
            beforeWord(target, KIND_LONG);
            return;
        }
        if (target < 0 || target > targetLimit - Long.BYTES) {
            throw outsideLoggedArea(target, Long.BYTES);
        }
        writeWordEntry(at, entryHead(target, KIND_LONG), segment.get(LONG, target));
    }

    void beforeInt(long target) {
        long at = length;
        if (at >= fastLimit) {
            beforeWord(target, KIND_INT);
            return;
        }
        if (target < 0 || target > targetLimit - Integer.BYTES) {
            throw outsideLoggedArea(target, Integer.BYTES);
        }
        writeWordEntry(at, entryHead(target, KIND_INT), segment.get(INT, target) & 0xFFFF_FFFFL);
    }

    private void writeWordEntry(long at, long head, long old) {
        long entry = entries + at;
        segment.set(LONG, entry + ENTRY_TARGET_OFFSET, head);
        segment.set(LONG, entry + ENTRY_VALUE_OFFSET, old);
        publishLength(at + WORD_ENTRY_BYTES);
    }

    /** The general path of a word: fresh memory, dedup, a full log. */
    void beforeWord(long target, int kind) {
        if (fresh.used() && fresh.contains(target, kind)) {
            return;
        }
        if (length >= DEDUP_FROM && loggedBefore(target, kind)) {
            return;
        }
        if (target < 0 || target > targetLimit - kind) {
            throw outsideLoggedArea(target, kind);
        }
        if (length + WORD_ENTRY_BYTES > capacity || spilling) {
            spillWord(target, kind);
            return;
        }
        writeWordEntry(length, entryHead(target, kind), readWord(target, kind));
    }

    /**
     * Whether any of {@code [start, end)} lies in a block the lock holder freed in the current
     * operation (memory that held live data when it began). False for other threads.
     */
    public boolean freedInOperation(long start, long end) {
        return owner == Thread.currentThread() && fresh.used() && fresh.freedOverlaps(start, end);
    }

    /** Logs the 16 bytes at {@code target} as one range entry (a value slot, written as three words). */
    void beforeSixteen(long target) {
        long at = length;
        if (at >= fastLimit) {
            beforeRange(target, 16); // the general path: fresh memory, a full log
            return;
        }
        if (target < 0 || target > targetLimit - 16) {
            throw outsideLoggedArea(target, 16);
        }
        long entry = entries + at;
        segment.set(LONG, entry + ENTRY_TARGET_OFFSET, entryHead(target, KIND_RANGE));
        segment.set(LONG, entry + ENTRY_VALUE_OFFSET, 16L);
        segment.set(LONG, entry + ENTRY_BYTES_OFFSET, segment.get(LONG, target));
        segment.set(LONG, entry + ENTRY_BYTES_OFFSET + 8, segment.get(LONG, target + 8));
        publishLength(at + SIXTEEN_ENTRY_BYTES);
    }

    private long readWord(long target, int kind) {
        return switch (kind) {
            case KIND_LONG -> segment.get(LONG, target);
            case KIND_INT -> segment.get(INT, target) & 0xFFFF_FFFFL;
            default -> segment.get(ValueLayout.JAVA_BYTE, target) & 0xFFL;
        };
    }

    /** Whether this word was logged earlier in the operation (then its first old value is the one to keep); else remembers it. */
    private boolean loggedBefore(long target, int kind) {
        long head = entryHead(target, kind);
        int slot = (int) ((target * 0x9E3779B97F4A7C15L) >>> 55) & (SEEN - 1);
        if (seenEpochs[slot] == epoch && seenKeys[slot] == head) {
            return true;
        }
        // Remembered before it is logged: if logging then throws, the operation fails and its
        // epoch ends with it, so nothing is skipped wrongly.
        seenEpochs[slot] = epoch;
        seenKeys[slot] = head;
        return false;
    }

    private void spillWord(long target, int kind) {
        spill(new long[] {entryHead(target, kind), readWord(target, kind)});
    }

    private IllegalStateException outsideLoggedArea(long target, long bytes) {
        return new IllegalStateException("write of " + bytes + " bytes at " + target
                + " outside the logged area [0, " + targetLimit + ")");
    }

    void beforeRange(long target, long bytes) {
        if (bytes <= 0 || fresh.contains(target, bytes)) {
            return;
        }
        checkTarget(target, bytes);
        // Log only the parts outside fresh memory: a copy into a block just allocated starts at
        // its payload, 8 bytes before the fresh interior, and must not log the whole block.
        long end = target + bytes;
        long at = target;
        while (at < end) {
            long freshEnd = fresh.freshEndAt(at);
            if (freshEnd >= 0) {
                at = Math.min(freshEnd, end);
                continue;
            }
            long stop = Math.min(fresh.nextFreshStart(at), end);
            logRange(at, stop - at);
            at = stop;
        }
    }

    private void logRange(long target, long bytes) {
        long need = rangeEntryBytes(bytes);
        if (spilling || length + need > capacity) {
            byte[] old = new byte[Math.toIntExact(bytes)];
            MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, target, old, 0, old.length);
            spill(new RangeEntry(target, old));
            return;
        }
        long at = entries + length;
        segment.set(LONG, at + ENTRY_TARGET_OFFSET, entryHead(target, KIND_RANGE));
        segment.set(LONG, at + ENTRY_VALUE_OFFSET, bytes);
        MemorySegment.copy(segment, target, segment, at + ENTRY_BYTES_OFFSET, bytes);
        publishLength(length + need);
    }

    private void publishLength(long newLength) {
        length = newLength;
        // Release: the entry is visible before the length that covers it. The fence then keeps
        // the caller's write to the target after the length (a plain store could move up).
        LONG_HANDLE.setRelease(segment, base + LENGTH_OFFSET, newLength);
        VarHandle.storeStoreFence();
    }

    private void checkTarget(long target, long bytes) {
        if (target < 0 || target > targetLimit - bytes) {
            throw outsideLoggedArea(target, bytes);
        }
    }

    /** The region's log is full: the operation goes on, its further old contents kept in this process. */
    private void spill(Object entry) {
        if (!spilling) {
            spilling = true;
            fastLimit = 0;
            // Until this operation commits, part of its old contents lives only here: if this
            // process dies first the region cannot be restored, so say so in the header first.
            segment.set(INT, RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING);
            VarHandle.fullFence();
        }
        spilled.add(entry);
    }

    private void clearPendingDamage() {
        if (segment.get(INT, RegionHeaderLayout.DAMAGE_OFFSET) == RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING) {
            segment.set(INT, RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_NONE);
        }
    }

    // ---- rolling back ----

    /**
     * Puts back everything an uncommitted scope changed: the entries in the region's log, and
     * this process's spilled ones if its own thread died with them. Called under the lock by the
     * process that took it over (or whose lock-holding thread died).
     *
     * @throws CorruptedRegionException the log's entries do not make sense (nothing was written)
     */
    public void rollBackAll() {
        long committed = getLengthVolatile();
        if (committed < 0 || committed > end - base - ENTRIES_OFFSET) {
            throw new CorruptedRegionException("undo log length " + committed + " does not fit its area of "
                    + (end - base) + " bytes", base + LENGTH_OFFSET);
        }
        boolean hadSpilled = spilling;
        for (int i = spilled.size() - 1; i >= 0; i--) {
            restore(spilled.get(i)); // newer than everything in the region's log
        }
        spilled.clear();
        spilling = false;
        fastLimit = normalFastLimit;
        length = committed;
        replay(0);
        if (hadSpilled) {
            clearPendingDamage(); // this process held the spilled entries (its lock-holding thread died): all are back
        }
        nextEpoch();
        rollbackListeners.forEach(Runnable::run);
    }

    /** Replays the region's entries from the newest back to {@code downTo}, then sets the length there. */
    private void replay(long downTo) {
        // Entries have different sizes: find their starts walking forwards, checking each one
        // before anything is written, then restore walking backwards.
        long[] starts = new long[16];
        int count = 0;
        long at = downTo;
        while (at < length) {
            long entry = base + ENTRIES_OFFSET + at;
            long head = segment.get(LONG, entry + ENTRY_TARGET_OFFSET);
            int kind = entryKind(head);
            long target = entryTarget(head);
            long bytes = switch (kind) {
                case KIND_BYTE, KIND_INT, KIND_LONG -> kind;
                case KIND_RANGE -> segment.get(LONG, entry + ENTRY_VALUE_OFFSET);
                default -> -1;
            };
            long entryBytes = kind == KIND_RANGE ? rangeEntryBytes(bytes) : WORD_ENTRY_BYTES;
            if (bytes <= 0 || target + bytes > targetLimit || bytes > end - base || at + entryBytes > length) {
                throw new CorruptedRegionException("undo log entry at " + at + " (kind " + kind + ", " + bytes
                        + " bytes at " + target + ") does not fit the region", entry);
            }
            if (count == starts.length) {
                starts = java.util.Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = at;
            at += entryBytes;
        }
        for (int i = count - 1; i >= 0; i--) {
            long entry = base + ENTRIES_OFFSET + starts[i];
            long head = segment.get(LONG, entry + ENTRY_TARGET_OFFSET);
            long target = entryTarget(head);
            long value = segment.get(LONG, entry + ENTRY_VALUE_OFFSET);
            switch (entryKind(head)) {
                case KIND_LONG -> segment.set(LONG, target, value);
                case KIND_INT -> segment.set(INT, target, (int) value);
                case KIND_BYTE -> segment.set(ValueLayout.JAVA_BYTE, target, (byte) value);
                default -> MemorySegment.copy(segment, entry + ENTRY_BYTES_OFFSET, segment, target, value);
            }
        }
        // Everything above downTo is back: only now may the entries go.
        VarHandle.storeStoreFence();
        length = downTo;
        LONG_HANDLE.setRelease(segment, base + LENGTH_OFFSET, downTo);
    }

    private void restore(Object entry) {
        if (entry instanceof long[] word) {
            long target = entryTarget(word[0]);
            switch (entryKind(word[0])) {
                case KIND_LONG -> segment.set(LONG, target, word[1]);
                case KIND_INT -> segment.set(INT, target, (int) word[1]);
                default -> segment.set(ValueLayout.JAVA_BYTE, target, (byte) word[1]);
            }
        } else {
            RangeEntry range = (RangeEntry) entry;
            MemorySegment.copy(range.old(), 0, segment, ValueLayout.JAVA_BYTE, range.target(), range.old().length);
        }
    }

    private long getLengthVolatile() {
        return (long) LONG_HANDLE.getVolatile(segment, base + LENGTH_OFFSET);
    }

    private void nextEpoch() {
        if (++epoch == 0) {
            java.util.Arrays.fill(seenEpochs, 0);
            epoch = 1;
        }
    }
}
