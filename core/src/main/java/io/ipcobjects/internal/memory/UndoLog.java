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
 * anyone reads: the region is as it was before that scope. A scope that writes much also
 * commits at operation boundaries inside it ({@link #operationStarts}): a crash then goes back
 * to the last of those.
 *
 * <p><b>Where entries go.</b> Into the own log of this handle's process-table slot first, then
 * into the shared part ({@link UndoLogLayout}). The length word, the commit point, is in the
 * own log: a short scope touches no cache line another process writes, so the log adds stores
 * but no cache-line transfers to a hand-over of the lock between processes.
 *
 * <p><b>Write order.</b> An entry is written first, then the length that covers it (release: the
 * entry is visible before the length), then a store-store fence, and only then does the caller
 * overwrite the target. A crash before the length store loses only an entry whose target was not
 * touched yet; a crash after it restores a value that may not even have changed. Replay is
 * idempotent (it writes old values), so a taker that dies while replaying leaves the log for
 * the next one: the length is cleared only after the last entry is back.
 *
 * <p><b>What is not logged.</b> Fresh memory ({@link FreshRanges}: free blocks this scope took,
 * all but their size words, including the headers of remainders split off inside them); the heap's
 * free-block bookkeeping (free-list links and heads, the bin bitmap, free blocks' footers,
 * {@link RegionMemory#putLongRebuilt}) and its counters, which every takeover rebuilds from the
 * block headers, which are logged (only where such a word overwrites a block this scope
 * freed is its old value logged: that was live data); the lock word and process-table words
 * (atomic, with their own protocols); and tensor element data (written without the lock, by the
 * users' own protocol). A word already logged since the last commit is not logged again (the
 * first old value is the one to restore): a two-way set-associative table remembers the words logged past
 * the own log, so a loop that writes the same words in one scope logs each once. The table also
 * remembers words found in fresh memory, so such a loop pays one lookup per write; it forgets
 * everything when the window ends (a new epoch), since what was fresh is committed data from then
 * on. Before the table, a write asks whether it falls in the block the scope took last (two
 * compares, {@link FreshRanges#inNewest}): a scope that builds a large structure writes each new
 * word once, and would only miss in the table and fill it. And before even that, a small range
 * ({@link RegionMemory#logBefore}) asks, inline in its caller, whether it starts the range settled
 * last ({@link #settledLast}): the allocator logs one block's header as it takes it and its
 * header and links as it frees it, so a loop that allocates and frees a block pays three compares
 * for each, no call and no lookup.
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
    private static final VarHandle INT_HANDLE = ValueLayout.JAVA_INT.varHandle();
    /** Sets of the table of settled words ({@link #seen}), two entries each: a power of two. */
    private static final int SEEN_SET_BITS = 12;
    /** A 16-byte range entry: head, length, two words. */
    private static final long SIXTEEN_ENTRY_BYTES = ENTRY_BYTES_OFFSET + 16;
    /**
     * Largest range {@link #beforeSmallRange} takes. The table's key of a small range has its
     * length where a word's key has its kind (its length too: 1, 4 or 8), so equal keys always
     * mean the same bytes.
     */
    public static final int MAX_SMALL_RANGE = 64;

    private final MemorySegment segment;
    /** The log area's start and end in the region. */
    private final long base;
    private final long end;
    /** Writes below this offset may be logged; the log's own area and beyond may not. */
    private final long targetLimit;
    /** This handle's own log: its length word, and where its entries start. */
    private final long lengthWord;
    private final long ownEntries;
    /** Where the shared part's entries start (position {@link UndoLogLayout#OWN_ENTRY_BYTES}). */
    private final long sharedEntries;
    /** Entry bytes the own log and the shared part hold together. */
    private final long capacity;

    /** The thread whose writes are logged: the lock holder in a scope, else null. */
    Thread owner;
    /** This process's copy of the length word while it owns the log. */
    private long length;
    /** Whether {@link #spilled} holds anything: the operation's further entries go there too. */
    private boolean spilling;
    /**
     * While {@link #length} is below this, a write takes the fast path: nothing allocated or
     * freed since the last commit (no fresh memory to skip), nothing spilled, and the entry fits
     * the own log. 0 sends every write to the general path.
     */
    private long fastLimit;
    /** {@link #fastLimit} while nothing was allocated, freed or spilled: the largest fast entry still fits the own log. */
    private static final long NORMAL_FAST_LIMIT = OWN_ENTRY_BYTES - SIXTEEN_ENTRY_BYTES;
    /** Log bytes past which the next operation of a scope commits the ones before it: 1/8 of the log, so each operation starts with most of it. */
    private final long commitFrom;
    /** Entries of the open operation that did not fit the region's log, oldest first: long[]{head, old} or RangeEntry. */
    private final List<Object> spilled = new ArrayList<>();

    /**
     * The table of settled words and small ranges: a key ({@code entryHead(target, kind)}, below
     * {@code 1 << epochShift}) with the epoch it was settled in above it, in one long. A key lives
     * in one of the two entries of its set ({@link #seenSet}), 16 bytes side by side, so a lookup
     * reads one cache line and compares one long per entry. An entry counts only while its epoch
     * is the current one, so moving the epoch forgets the whole table at once; when the epoch no
     * longer fits its bits the table is cleared and the count starts again ({@link #nextEpoch}).
     * Two ways, not one: a scope that writes a thousand slots again and again (a list filled,
     * then updated) found a third of them evicted by a neighbour in a direct-mapped table, and
     * logged them anew.
     */
    private final long[] seen = new long[2 << SEEN_SET_BITS];
    /** Where the epoch starts in an entry of {@link #seen}: above every key this log can make. */
    private final int epochShift;
    /** The current epoch: 1 up to {@link #lastEpoch}. */
    private long epoch = 1;
    /** The largest epoch that fits above the keys. */
    private final long lastEpoch;
    /** {@link #epoch} shifted into place: what {@link #settled} and {@link #remember} add to a key. */
    private long epochBits;

    /** The range {@link #beforeSmallRange} settled last and the epoch it did so in ({@link #settledLast}). */
    private long lastRangeStart = -1;
    private int lastRangeBytes;
    private long lastRangeEpochBits;

    private final FreshRanges fresh = new FreshRanges();
    /**
     * The last ranges {@link #beforeSmallRange} took in this window, start and end side by side,
     * kept only with assertions on: {@link RegionMemory#putLongLogged} checks against them that
     * its word was logged and that no commit came in between.
     */
    private final long[] recentRanges = new long[16];
    private int recentRangeCount;
    private final List<Runnable> rollbackListeners = new ArrayList<>();

    private record RangeEntry(long target, byte[] old) {
    }

    /**
     * The log whose area the header names ({@code base}, {@code bytes}: checked against the
     * region's size), written by the handle in process-table slot {@code slot}.
     */
    public UndoLog(MemorySegment segment, long base, long bytes, int slot) {
        if (base < RegionHeaderLayout.HEAP_START || bytes < MIN_LOG_BYTES || base + bytes > segment.byteSize() || base % 8 != 0) {
            throw new CorruptedRegionException("undo log area [" + base + ", " + (base + bytes) + ") does not fit a region of "
                    + segment.byteSize() + " bytes", RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD);
        }
        if (slot < 0 || slot >= ProcessTableLayout.SLOT_COUNT) {
            throw new IllegalArgumentException("process-table slot " + slot);
        }
        this.segment = segment;
        this.base = base;
        this.end = base + bytes;
        this.targetLimit = base;
        this.lengthWord = base + ownLogOffset(slot) + LENGTH_OFFSET;
        this.ownEntries = base + ownLogOffset(slot) + OWN_ENTRIES_OFFSET;
        this.sharedEntries = base + SHARED_ENTRIES_OFFSET;
        this.capacity = OWN_ENTRY_BYTES + (end - sharedEntries);
        this.fastLimit = NORMAL_FAST_LIMIT;
        this.commitFrom = capacity / 8;
        // Keys are entryHead(target, kind): a target below targetLimit, shifted up 8 bits. The
        // mapping cannot exceed the 47 bits of a user address space, so at least 9 bits are left.
        this.epochShift = 64 - Long.numberOfLeadingZeros(entryHead(targetLimit, 0xFF));
        this.lastEpoch = epochShift >= 62 ? 1 : (1L << (63 - epochShift)) - 1;
        if (lastEpoch < 2) {
            throw new IllegalArgumentException("region of " + segment.byteSize() + " bytes too large for the undo log's table");
        }
        this.epochBits = epoch << epochShift;
    }

    /** Runs {@code listener} after every rollback in this process (caches of region contents drop what they hold). */
    public void onRollback(Runnable listener) {
        rollbackListeners.add(listener);
    }

    /**
     * Bytes of entries some scope left uncommitted in the log of {@code memory}'s region: 0 when
     * nothing is to be undone. Reads every own log's length (for tests and tools).
     */
    public static long uncommittedBytes(RegionMemory memory) {
        long area = memory.getLong(RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD);
        long total = 0;
        for (int slot = 0; slot < ProcessTableLayout.SLOT_COUNT; slot++) {
            total += memory.getLongVolatile(area + ownLogOffset(slot) + LENGTH_OFFSET);
        }
        return total;
    }

    // ---- the scope's boundaries (called by lock.LockScope, under the lock) ----

    /**
     * A scope begins on the calling thread. After a takeover ({@code takenOver}), entries still
     * in the log belong to a scope that never committed (its owner died): they are rolled back
     * first. Returns true if it rolled back.
     */
    public boolean begin(Thread thread, boolean takenOver) {
        // Every release commits first, so only a lock taken over from a dead owner (a process,
        // or a thread of this one) can come with entries: only then are the logs read.
        boolean rolledBack = false;
        if (takenOver && (spilling || ownLogWithEntries() >= 0)) {
            rollBackAll();
            rolledBack = true;
        }
        length = 0;
        fresh.clear();
        nextEpoch(); // nothing is settled in a new window (a thread that died left its table)
        fastLimit = NORMAL_FAST_LIMIT;
        owner = thread;
        return rolledBack;
    }

    /**
     * An operation of the scope begins: the ones before it are finished. They are committed
     * here only if the scope has written much ({@link #commitFrom} bytes of log, a spill, or
     * many blocks allocated and freed); otherwise their entries stay, and a crash takes the
     * region back to the scope's start (or to the last operation boundary where it committed).
     * Nobody else can read the region while the scope holds the lock, so either state is one
     * another process could have found had this one died a little earlier; staying in one
     * window is what lets a scope that writes the same words again (a list slot set in a loop,
     * a block allocated and freed) log them once.
     */
    public void operationStarts() {
        if (length > commitFrom || spilling || fresh.crowded()) {
            commitStep();
        }
    }

    /** The scope ends: what it wrote is committed. */
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
     * Commits what the scope wrote so far, as if it had ended here: at operation boundaries of
     * a scope that wrote much, and inside the destruction of a container too big for one log,
     * which empties it element by element and commits at consistent points (a crash then
     * leaves it smaller, never broken).
     */
    public void commitStep() {
        assert forgetRanges();
        if (length != 0) {
            LONG_HANDLE.setRelease(segment, lengthWord, 0L);
            length = 0;
            nextEpoch(); // what the table remembers is committed: forget it
        }
        if (spilling) {
            spilled.clear();
            spilling = false;
            nextEpoch();
            // The region's log is empty first: dying between the two leaves the code, which is safe.
            VarHandle.fullFence();
            clearPendingDamage();
        }
        // What the scope allocated is committed state now, no longer fresh: the table forgets
        // the fresh words it remembered.
        if (fresh.used()) {
            fresh.clear();
            nextEpoch();
        }
        fastLimit = NORMAL_FAST_LIMIT;
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

    /** Whether some own log holds entries of a scope that did not commit. */
    public boolean hasUncommittedEntries() {
        return ownLogWithEntries() >= 0;
    }

    // ---- what the allocator tells it ----

    /**
     * The free block {@code [block, block + size)} is about to be taken (all of it, or split) by
     * the lock holder. Called before the allocator writes, so the header and links of a remainder
     * split off inside it are fresh too.
     */
    public void takingFreeBlock(long block, long size) {
        if (owner == Thread.currentThread()) {
            // Of a free block only the size word must be put back by a rollback: its links and
            // footer are bookkeeping a takeover rebuilds from the headers, and the rest means
            // nothing. So all but its first word is fresh (unless it holds memory this window
            // freed: FreshRanges decides).
            fresh.allocated(block + 8, block + size);
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

    /**
     * Whether any of {@code [start, end)} lies in a block the lock holder freed since the last
     * commit (memory that held live data when the scope began). False for other threads.
     */
    public boolean freedInOperation(long start, long end) {
        return owner == Thread.currentThread() && fresh.used() && fresh.freedOverlaps(start, end);
    }

    // ---- logging a write (RegionMemory calls these before it writes) ----

    /*
     * The fast paths (beforeLong, beforeInt, beforeSixteen) are what most logged writes pay:
     * one compare of the length with fastLimit, a bounds test, the entry's stores into the own
     * log and the release store of the length. They are small so the JIT inlines them into
     * RegionMemory's writers and those into their callers. A scope that allocated or freed
     * (fresh memory to skip), one past the own log (the table of logged words is used: a short
     * scope rarely writes a word twice, and a duplicate entry costs log space, never
     * correctness, since replay goes newest to oldest and leaves the oldest value) and a full
     * log take the general path (beforeWord, logSixteen, beforeRange). The block taken last and
     * then the table of settled words are asked inline, before the general path, in beforeWord
     * and beforeSixteen.
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
        writeWordEntry(ownEntries + at, entryHead(target, KIND_LONG), segment.get(LONG, target));
        publishLength(at + WORD_ENTRY_BYTES);
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
        writeWordEntry(ownEntries + at, entryHead(target, KIND_INT), segment.get(INT, target) & 0xFFFF_FFFFL);
        publishLength(at + WORD_ENTRY_BYTES);
    }

    /** Logs the 16 bytes at {@code target} as one range entry (a value slot, written as three words). */
    void beforeSixteen(long target) {
        long at = length;
        if (at >= fastLimit) {
            // The block taken last first (two compares), then the table, here, so that a slot
            // written again in the window costs one lookup in the caller's compiled code; the
            // rest is out of line.
            if (fresh.inNewest(target, 16)) {
                return;
            }
            long key = entryHead(target, 16);
            int set = seenSet(target);
            if (!settled(set, key)) {
                logSmall(target, 16, key, set);
            }
            return;
        }
        if (target < 0 || target > targetLimit - 16) {
            throw outsideLoggedArea(target, 16);
        }
        writeSmallEntry(ownEntries + at, target, 16);
        publishLength(at + SIXTEEN_ENTRY_BYTES);
    }

    /**
     * Logs the {@code bytes} bytes at {@code target} (a multiple of 8, at most
     * {@value #MAX_SMALL_RANGE}) as one range entry, unless this window settled that range
     * already: for a structure about to write several words side by side, which then write them
     * without asking again ({@link RegionMemory#logBefore}). One lookup in place of one a word.
     */
    void beforeSmallRange(long target, int bytes) {
        assert bytes > 0 && bytes <= MAX_SMALL_RANGE && bytes % 8 == 0 : "small range of " + bytes + " bytes";
        assert noteRange(target, bytes);
        long at = length;
        long need = ENTRY_BYTES_OFFSET + bytes;
        if (at < fastLimit && at + need <= OWN_ENTRY_BYTES) {
            if (target < 0 || target > targetLimit - bytes) {
                throw outsideLoggedArea(target, bytes);
            }
            writeSmallEntry(ownEntries + at, target, bytes);
            publishLength(at + need);
        } else if (!fresh.inNewest(target, bytes)) {
            long key = entryHead(target, bytes);
            int set = seenSet(target);
            if (!settled(set, key)) {
                logSmall(target, bytes, key, set);
            }
        }
        lastRangeStart = target;
        lastRangeBytes = bytes;
        lastRangeEpochBits = epochBits;
    }

    /**
     * Whether {@code [target, target + bytes)} lies at the start of the range
     * {@link #beforeSmallRange} settled last, in this window: then it is logged (or fresh)
     * already. Small enough to inline into {@link RegionMemory#logBefore}, so that a structure
     * that logs the same words again and again (the allocator taking and freeing one block in a
     * loop) pays three compares instead of a call and a lookup in the table.
     */
    boolean settledLast(long target, int bytes) {
        return target == lastRangeStart && bytes <= lastRangeBytes && lastRangeEpochBits == epochBits;
    }

    private void writeWordEntry(long entry, long head, long old) {
        segment.set(LONG, entry + ENTRY_TARGET_OFFSET, head);
        segment.set(LONG, entry + ENTRY_VALUE_OFFSET, old);
    }

    boolean noteRange(long target, int bytes) {
        int at = (recentRangeCount++ % (recentRanges.length / 2)) * 2;
        recentRanges[at] = target;
        recentRanges[at + 1] = target + bytes;
        return true;
    }

    /** Whether {@code [offset, offset + bytes)} lies in a range {@link #beforeSmallRange} took in this window (tracked with assertions on only). */
    boolean loggedBefore(long offset, int bytes) {
        int kept = Math.min(recentRangeCount, recentRanges.length / 2);
        for (int i = 0; i < kept; i++) {
            if (offset >= recentRanges[2 * i] && offset + bytes <= recentRanges[2 * i + 1]) {
                return true;
            }
        }
        return false;
    }

    private boolean forgetRanges() {
        recentRangeCount = 0;
        return true;
    }

    private void writeSmallEntry(long entry, long target, int bytes) {
        segment.set(LONG, entry + ENTRY_TARGET_OFFSET, entryHead(target, KIND_RANGE));
        segment.set(LONG, entry + ENTRY_VALUE_OFFSET, bytes);
        for (int i = 0; i < bytes; i += 8) {
            segment.set(LONG, entry + ENTRY_BYTES_OFFSET + i, segment.get(LONG, target + i));
        }
    }

    /**
     * The general path of a word: the block taken last, the table of words already settled in
     * this window (logged, or found fresh), then the rest of fresh memory, the shared part, a full
     * log. A fresh word found past the block taken last is remembered in the table too, so a loop
     * that writes the same words again (a block allocated and freed, a message put and taken)
     * pays one lookup per write.
     */
    void beforeWord(long target, int kind) {
        if (fresh.inNewest(target, kind)) {
            // The block taken last: most writes of a scope that builds something go there, each
            // to a word it writes once, so the table would only be asked, and filled, in vain.
            return;
        }
        long head = entryHead(target, kind);
        int set = seenSet(target);
        if (settled(set, head)) {
            return; // logged since the last commit (its first old value is the one to restore), or fresh
        }
        logWord(target, kind, head, set);
    }

    private void logWord(long target, int kind, long head, int set) {
        if (fresh.used() && fresh.contains(target, kind)) {
            // Fresh memory stays fresh until the window ends, and the window's end moves the epoch.
            remember(set, head);
            return;
        }
        if (target < 0 || target > targetLimit - kind) {
            throw outsideLoggedArea(target, kind);
        }
        long at = positionFor(WORD_ENTRY_BYTES);
        if (at < 0) {
            spill(new long[] {head, readWord(target, kind)});
        } else {
            writeWordEntry(addressOf(at), head, readWord(target, kind));
            publishLength(at + WORD_ENTRY_BYTES);
        }
        remember(set, head); // only once it is logged: a write that threw never happened
    }

    /** The general path of a small range not settled yet: remembered like a word unless fresh memory is involved. */
    private void logSmall(long target, int bytes, long key, int set) {
        if (bytes == KIND_LONG) {
            // One word: a word entry under the same key (a small range's key has its length where
            // a word's has its kind). Fresh ranges start and end on 8-byte boundaries, so an
            // aligned word lies in one or outside all of them (and a word logged whole that was
            // partly fresh costs an entry, never correctness).
            logWord(target, KIND_LONG, key, set);
            return;
        }
        if (fresh.used()) {
            if (fresh.contains(target, bytes)) {
                remember(set, key);
                return;
            }
            if (fresh.touches(target, target + bytes)) {
                // Logs only the parts outside fresh memory; then the range is settled as a
                // whole, as a block freed and taken again in a loop frees it again.
                beforeRange(target, bytes);
                remember(set, key);
                return;
            }
        }
        checkTarget(target, bytes);
        long need = ENTRY_BYTES_OFFSET + bytes;
        long at = positionFor(need);
        if (at < 0) {
            spillRange(target, bytes);
        } else {
            writeSmallEntry(addressOf(at), target, bytes);
            publishLength(at + need);
        }
        remember(set, key);
    }

    /**
     * Where {@code target}'s set is in the table: its first index, a multiple of 2. Words in one 16-byte line share a set, and neighbouring lines have
     * neighbouring sets, so a loop over a list's slots walks the table in order, as it walks the
     * slots, instead of touching a random cache line of it per write, as a hash of the whole
     * offset did (the table is 128 KiB, larger than a core's first-level cache). The bits above
     * 64 KiB (the table's span) are hashed in, so that blocks a multiple of 64 KiB apart do not
     * fall on the same sets.
     */
    private static int seenSet(long target) {
        long mixed = (target >>> 4) + ((target >>> 16) * 0x9E3779B97F4A7C15L >>> 40);
        return (int) (mixed & ((1 << SEEN_SET_BITS) - 1)) << 1;
    }

    /** Whether {@code key} was settled (logged, or found fresh) since the last commit: in either entry of its set, with the current epoch. */
    private boolean settled(int set, long key) {
        long[] table = seen;
        long stamped = key | epochBits;
        return table[set] == stamped || table[set + 1] == stamped;
    }

    /**
     * Records {@code key}, which {@link #settled} did not find, in its set: in the first entry
     * if that one is of an earlier epoch, else in the second. So the first key settled in a set
     * stays while others take turns in the second entry; a loop over more keys than a set holds
     * still finds that one, where replacing the oldest would find none.
     */
    private void remember(int set, long key) {
        long now = epochBits;
        int entry = (seen[set] & (-1L << epochShift)) == now ? set + 1 : set;
        seen[entry] = key | now;
    }

    /**
     * The position for a new entry of {@code need} bytes, or -1 if it must be spilled. An entry
     * that does not fit the rest of the own log goes to the shared part's start, behind a skip
     * entry (written here, beyond the length, so it counts only with the entry after it).
     */
    private long positionFor(long need) {
        long at = length;
        if (spilling) {
            return -1;
        }
        if (at < OWN_ENTRY_BYTES && at + need > OWN_ENTRY_BYTES) {
            if (OWN_ENTRY_BYTES + need > capacity) {
                return -1;
            }
            segment.set(LONG, ownEntries + at, entryHead(0, KIND_SKIP));
            return OWN_ENTRY_BYTES;
        }
        return at + need > capacity ? -1 : at;
    }

    /** Where the entry at {@code position} of this handle's log is. */
    private long addressOf(long position) {
        return position < OWN_ENTRY_BYTES ? ownEntries + position : sharedEntries + (position - OWN_ENTRY_BYTES);
    }

    private long readWord(long target, int kind) {
        return switch (kind) {
            case KIND_LONG -> segment.get(LONG, target);
            case KIND_INT -> segment.get(INT, target) & 0xFFFF_FFFFL;
            default -> segment.get(ValueLayout.JAVA_BYTE, target) & 0xFFL;
        };
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
        // Log only the parts outside fresh memory: a range may run from fresh memory into
        // existing data (a free block's size word, a neighbour), and must not log the fresh part.
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
        long at = positionFor(need);
        if (at < 0) {
            spillRange(target, bytes);
            return;
        }
        long entry = addressOf(at);
        segment.set(LONG, entry + ENTRY_TARGET_OFFSET, entryHead(target, KIND_RANGE));
        segment.set(LONG, entry + ENTRY_VALUE_OFFSET, bytes);
        MemorySegment.copy(segment, target, segment, entry + ENTRY_BYTES_OFFSET, bytes);
        publishLength(at + need);
    }

    private void spillRange(long target, long bytes) {
        byte[] old = new byte[Math.toIntExact(bytes)];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, target, old, 0, old.length);
        spill(new RangeEntry(target, old));
    }

    private void publishLength(long newLength) {
        length = newLength;
        // Release: the entry is visible before the length that covers it. The fence then keeps
        // the caller's write to the target after the length (a plain store could move up).
        LONG_HANDLE.setRelease(segment, lengthWord, newLength);
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
            // Only over a sound header (a CAS, full fence): a code another process set meanwhile
            // (a memory fault needs no lock) stays, and the commit or rollback that clears the
            // pending code leaves it alone.
            INT_HANDLE.compareAndSet(segment, RegionHeaderLayout.DAMAGE_OFFSET,
                    RegionHeaderLayout.DAMAGE_NONE, RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING);
        }
        spilled.add(entry);
    }

    private void clearPendingDamage() {
        // Only the code this process set: any other stays, for every process to refuse the region.
        INT_HANDLE.compareAndSet(segment, RegionHeaderLayout.DAMAGE_OFFSET,
                RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING, RegionHeaderLayout.DAMAGE_NONE);
    }

    // ---- rolling back ----

    /**
     * The slot whose own log holds entries, or -1 if none does.
     *
     * @throws CorruptedRegionException two own logs hold entries (only one scope at a time can)
     */
    private int ownLogWithEntries() {
        int found = -1;
        for (int slot = 0; slot < ProcessTableLayout.SLOT_COUNT; slot++) {
            if (getLengthVolatile(slot) != 0) {
                if (found >= 0) {
                    throw new CorruptedRegionException("the undo logs of slots " + found + " and " + slot
                            + " both hold entries: only the lock holder's can", base + ownLogOffset(slot));
                }
                found = slot;
            }
        }
        return found;
    }

    /**
     * Puts back everything an uncommitted scope changed: the entries in the region's log (in the
     * own log of the dead holder's slot and the shared part), and this process's spilled ones if
     * its own thread died with them. Called under the lock by the process that took it over (or
     * whose lock-holding thread died).
     *
     * @throws CorruptedRegionException the log's entries do not make sense (nothing was written)
     */
    public void rollBackAll() {
        int slot = ownLogWithEntries();
        long committed = slot < 0 ? 0 : getLengthVolatile(slot);
        if (committed < 0 || committed > capacity) {
            throw new CorruptedRegionException("undo log length " + committed + " does not fit its " + capacity
                    + " bytes of entries", base + ownLogOffset(slot));
        }
        boolean hadSpilled = spilling;
        for (int i = spilled.size() - 1; i >= 0; i--) {
            restore(spilled.get(i)); // newer than everything in the region's log
        }
        spilled.clear();
        spilling = false;
        fastLimit = NORMAL_FAST_LIMIT;
        if (slot >= 0) {
            replay(slot, committed);
        }
        length = 0;
        if (hadSpilled) {
            clearPendingDamage(); // this process held the spilled entries (its lock-holding thread died): all are back
        }
        nextEpoch();
        rollbackListeners.forEach(Runnable::run);
    }

    /** Replays the {@code committed} bytes of entries of {@code slot}'s log from the newest back, then clears its length. */
    private void replay(int slot, long committed) {
        long own = base + ownLogOffset(slot) + OWN_ENTRIES_OFFSET;
        // Entries have different sizes: find their starts walking forwards, checking each one
        // before anything is written, then restore walking backwards.
        long[] starts = new long[16];
        int count = 0;
        long at = 0;
        while (at < committed) {
            long entry = at < OWN_ENTRY_BYTES ? own + at : sharedEntries + (at - OWN_ENTRY_BYTES);
            long head = segment.get(LONG, entry + ENTRY_TARGET_OFFSET);
            int kind = entryKind(head);
            if (kind == KIND_SKIP && at < OWN_ENTRY_BYTES) {
                at = OWN_ENTRY_BYTES;
                continue;
            }
            long target = entryTarget(head);
            long bytes = switch (kind) {
                case KIND_BYTE, KIND_INT, KIND_LONG -> kind;
                case KIND_RANGE -> segment.get(LONG, entry + ENTRY_VALUE_OFFSET);
                default -> -1;
            };
            long entryBytes = kind == KIND_RANGE ? rangeEntryBytes(bytes) : WORD_ENTRY_BYTES;
            boolean straddles = at < OWN_ENTRY_BYTES && at + entryBytes > OWN_ENTRY_BYTES;
            if (bytes <= 0 || target + bytes > targetLimit || bytes > end - base || at + entryBytes > committed || straddles) {
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
            long entry = starts[i] < OWN_ENTRY_BYTES ? own + starts[i] : sharedEntries + (starts[i] - OWN_ENTRY_BYTES);
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
        // Everything is back: only now may the entries go.
        VarHandle.storeStoreFence();
        LONG_HANDLE.setRelease(segment, base + ownLogOffset(slot) + LENGTH_OFFSET, 0L);
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

    private long getLengthVolatile(int slot) {
        return (long) LONG_HANDLE.getVolatile(segment, base + ownLogOffset(slot) + LENGTH_OFFSET);
    }

    /** The last epoch before the table is cleared and the count starts again at 1 (for tests). */
    long lastEpoch() {
        return lastEpoch;
    }

    /** Sets the epoch (for tests of the wrap: the entries already in the table keep theirs). */
    void epochForTest(long value) {
        epoch = value;
        epochBits = value << epochShift;
    }

    /** Forgets every settled word at once: entries of earlier epochs no longer count. */
    private void nextEpoch() {
        assert forgetRanges();
        if (epoch == lastEpoch) {
            // Every epoch's bits are used: clear the table (64 KiB, once in lastEpoch windows;
            // over 2^28 for a region of a few GiB) so that no old entry can match a new key.
            java.util.Arrays.fill(seen, 0L);
            epoch = 0;
        }
        epoch++;
        epochBits = epoch << epochShift;
    }
}
