package io.ipcobjects.internal.memory;

import io.ipcobjects.CorruptedRegionException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The region's mapping: one FFM {@link MemorySegment} over the whole file, and the word
 * accessors that the layouts' fields are read and written through, named for their memory
 * ordering in the manner of Agrona's {@code AtomicBuffer}:
 * <ul>
 *   <li>{@code getLong} / {@code putLong} (and the int and byte forms): plain, for data guarded
 *       by the region lock;</li>
 *   <li>{@code getLongAcquire} / {@code putLongRelease} and {@code getIntAcquire} /
 *       {@code putIntRelease}: one-way fences for publishing a word that others read without the
 *       lock (the header's magic and state, the process table's slot words, the message
 *       count);</li>
 *   <li>{@code getLongVolatile} / {@code compareAndSetLong} / {@code getAndAddLong}: full
 *       ordering, for the process table's slot words and the lock's takeovers counter.</li>
 * </ul>
 * Not everything goes through these accessors:
 * <ul>
 *   <li>The lock word: {@code lock.RegionLock} keeps its own {@code VarHandle} over
 *       {@link #segment()}, because it needs {@code compareAndExchange} (a failed CAS returns
 *       the word it found, the next guess), which this class does not offer.</li>
 *   <li>Bulk reads: blobs, names and type descriptors are read and compared directly on
 *       {@link #segment()} ({@code MemorySegment.copy} out, {@code mismatch}, or a loop of
 *       {@code ValueLayout} reads). Bulk writes go through {@link #putBytes}, {@link #putChars},
 *       {@link #copyWithin} and {@link #fill}, so the undo log sees them.</li>
 *   <li>Tensor data: {@code tensor.TensorView} reads and writes elements on its {@link #slice}
 *       of the data area with {@code ValueLayout}s, and keeps an int {@code VarHandle} of its
 *       own for {@code prefault} (an atomic add of 0 to one int per page).</li>
 * </ul>
 * <p><b>Undo log.</b> While the lock holder is in a scope, every plain and release write of this
 * class first hands the old contents to the region's {@link UndoLog} (which skips memory the
 * scope allocated fresh); the log is attached once by the handle ({@link #attachUndoLog}). The
 * exceptions say so in their names: {@code putLongUnlogged} (the allocator's counters),
 * {@code putLongRebuilt} / {@code putIntRebuilt} (the heap's free-block bookkeeping), all
 * rebuilt; and {@code putLongLogged} / {@code putLongReleaseLogged}, for words that
 * {@link #logBefore} logged as one range just before (checked under {@code -ea}). The atomic
 * accessors ({@code compareAndSetLong}, {@code compareAndSetInt}, {@code getAndAddLong}) are
 * never logged: they serve the process table, the counters and the header's damage code (which
 * must stick even when the scope is rolled back), each with its own protocol.
 *
 * <p>The JDK bounds-checks every access: an offset read from a corrupted region can throw, never
 * touch memory outside the mapping. Readers check an offset before they follow it (the block
 * checks of {@code alloc.HeapAllocator}, and each structure's reader for its own fields) and
 * report a bad one as a {@link CorruptedRegionException}.
 */
public final class RegionMemory {

    /*
     * Plain accesses use the unaligned layouts: x86-64 and arm64 load aligned words at the same
     * cost either way, and the unaligned layout spares the JDK an alignment check on every access
     * (the words we read are aligned by construction anyway). Ordered and atomic accesses need
     * the aligned layouts' var handles.
     */
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final VarHandle LONG_HANDLE = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT_HANDLE = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment segment;
    private final long size;
    /** The region's undo log, once attached; writes of its owner thread are logged. */
    private UndoLog undo;

    public RegionMemory(MemorySegment segment) {
        this.segment = segment;
        this.size = segment.byteSize();
    }

    /**
     * The whole region: for bulk copies, tensor slices and the lock word's own handle (see the
     * class comment); single words go through the accessors below.
     */
    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return size;
    }

    /** Attaches the region's undo log: from now on the lock holder's writes are logged. */
    public void attachUndoLog(UndoLog log) {
        this.undo = log;
    }

    /** The attached undo log, or null before the handle attached one. */
    public UndoLog undoLog() {
        return undo;
    }

    /** The undo log if the calling thread's writes are to be logged now, else null. */
    private UndoLog logging() {
        UndoLog log = undo;
        return log != null && log.owner == Thread.currentThread() ? log : null;
    }

    // ---- plain access (guarded by the region lock) ----

    public long getLong(long offset) {
        return segment.get(LONG, offset);
    }

    public void putLong(long offset, long value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeLong(offset);
        }
        segment.set(LONG, offset, value);
    }

    /**
     * A write the undo log never sees, to a word of the heap's free-block bookkeeping that a
     * takeover rebuilds from the block headers ({@code alloc.HeapAllocator#rebuildAfterRollback}):
     * free-list links and bin heads, the bin bitmap, free blocks' footers, and the tag of a block
     * taken from a free list (where its link was). Only for a word whose value when the operation
     * began was such bookkeeping, or has been logged since: {@code HeapAllocator} says which.
     */
    public void putLongRebuilt(long offset, long value) {
        segment.set(LONG, offset, value);
    }

    /** {@link #putLongRebuilt} for an int. */
    public void putIntRebuilt(long offset, int value) {
        segment.set(INT, offset, value);
    }

    /**
     * A plain write that the undo log never sees: only for words that a takeover rebuilds from
     * the rest of the region (the allocator's counters), never for state a rollback must restore.
     */
    public void putLongUnlogged(long offset, long value) {
        segment.set(LONG, offset, value);
    }

    /** An ordered write the undo log never sees: for statistics ({@link ProcessCounters}), which a rollback leaves as they are. */
    public void putLongReleaseUnlogged(long offset, long value) {
        LONG_HANDLE.setRelease(segment, offset, value);
    }

    /**
     * Writes 16 bytes as an int at {@code offset}, an int at {@code offset + 4} and a long at
     * {@code offset + 8} (the long first, the first int last), logged as one entry: a value
     * slot's kind, aux and bits.
     */
    public void putIntIntLong(long offset, int first, int second, long third) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeSixteen(offset);
        }
        segment.set(LONG, offset + 8, third);
        segment.set(INT, offset + 4, second);
        segment.set(INT, offset, first);
    }

    /**
     * Logs the old contents of the {@code bytes} bytes at {@code offset} (a multiple of 8, at most
     * {@link UndoLog#MAX_SMALL_RANGE}) as one undo entry, unless this window logged that range
     * already: for a structure about to write several words side by side (a queue's root words, a
     * block's header and links), each then written by {@link #putLongLogged} without a lookup of
     * its own. Nothing that can commit (an operation boundary, a step of a long destruction) may
     * come between this and those writes.
     */
    public void logBefore(long offset, int bytes) {
        UndoLog log = logging();
        if (log != null) {
            if (log.settledLast(offset, bytes)) {
                assert log.noteRange(offset, bytes);
            } else {
                log.beforeSmallRange(offset, bytes);
            }
        }
    }

    /** A plain write to a word that {@link #logBefore} covered in this window: not logged again. */
    public void putLongLogged(long offset, long value) {
        assert coveredByLogBefore(offset, Long.BYTES) : "write at " + offset + " outside the ranges logBefore logged";
        segment.set(LONG, offset, value);
    }

    /** {@link #putIntIntLong} to 16 bytes that {@link #logBefore} covered in this window: not logged again. */
    public void putIntIntLongLogged(long offset, int first, int second, long third) {
        assert coveredByLogBefore(offset, 16) : "slot write at " + offset + " outside the ranges logBefore logged";
        segment.set(LONG, offset + 8, third);
        segment.set(INT, offset + 4, second);
        segment.set(INT, offset, first);
    }

    /** {@link #putLongLogged} with release ordering (a word read without the lock). */
    public void putLongReleaseLogged(long offset, long value) {
        assert coveredByLogBefore(offset, Long.BYTES) : "write at " + offset + " outside the ranges logBefore logged";
        LONG_HANDLE.setRelease(segment, offset, value);
    }

    private boolean coveredByLogBefore(long offset, int bytes) {
        UndoLog log = logging();
        return log == null || log.loggedBefore(offset, bytes);
    }

    public int getInt(long offset) {
        return segment.get(INT, offset);
    }

    public void putInt(long offset, int value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeInt(offset);
        }
        segment.set(INT, offset, value);
    }

    public byte getByte(long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    public void putByte(long offset, byte value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeWord(offset, UndoLogLayout.KIND_BYTE);
        }
        segment.set(ValueLayout.JAVA_BYTE, offset, value);
    }

    public void fill(long offset, long length, byte value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeRange(offset, length);
        }
        segment.asSlice(offset, length).fill(value);
    }

    /** Copies {@code bytes} bytes from {@code from} to {@code to} inside the region (ranges may overlap). */
    public void copyWithin(long from, long to, long bytes) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeRange(to, bytes);
        }
        MemorySegment.copy(segment, from, segment, to, bytes);
    }

    /** Writes {@code source} at {@code offset}. */
    public void putBytes(long offset, byte[] source) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeRange(offset, source.length);
        }
        MemorySegment.copy(source, 0, segment, ValueLayout.JAVA_BYTE, offset, source.length);
    }

    /** Writes {@code source} at {@code offset}, two bytes per char in native order. */
    public void putChars(long offset, char[] source) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeRange(offset, 2L * source.length);
        }
        MemorySegment.copy(source, 0, segment, ValueLayout.JAVA_CHAR_UNALIGNED, offset, source.length);
    }

    public MemorySegment slice(long offset, long length) {
        return segment.asSlice(offset, length);
    }

    // ---- ordered access (words read or written without the lock) ----

    public long getLongAcquire(long offset) {
        return (long) LONG_HANDLE.getAcquire(segment, offset);
    }

    public void putLongRelease(long offset, long value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeLong(offset);
        }
        LONG_HANDLE.setRelease(segment, offset, value);
    }

    public long getLongVolatile(long offset) {
        return (long) LONG_HANDLE.getVolatile(segment, offset);
    }

    public boolean compareAndSetLong(long offset, long expected, long value) {
        return LONG_HANDLE.compareAndSet(segment, offset, expected, value);
    }

    /**
     * A CAS of an int, never logged: for the header's damage code, where the first code stays
     * even when the log itself cannot be written (its pages are gone) or the scope is rolled back.
     */
    public boolean compareAndSetInt(long offset, int expected, int value) {
        return INT_HANDLE.compareAndSet(segment, offset, expected, value);
    }

    /** A CAS that returns the word it found (the expected value exactly when it succeeded): one access for a claim and a failed claim's reason. */
    public long compareAndExchangeLong(long offset, long expected, long value) {
        return (long) LONG_HANDLE.compareAndExchange(segment, offset, expected, value);
    }

    public long getAndAddLong(long offset, long delta) {
        return (long) LONG_HANDLE.getAndAdd(segment, offset, delta);
    }

    public int getIntAcquire(long offset) {
        return (int) INT_HANDLE.getAcquire(segment, offset);
    }

    public void putIntRelease(long offset, int value) {
        UndoLog log = logging();
        if (log != null) {
            log.beforeInt(offset);
        }
        INT_HANDLE.setRelease(segment, offset, value);
    }
}
