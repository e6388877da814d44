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
 *   <li>Bulk bytes: blobs, names and type descriptors are copied and compared directly on
 *       {@link #segment()} ({@code MemorySegment.copy}, {@code mismatch}, or a loop of
 *       {@code ValueLayout} reads), and lists and hash tables move slots and entries with
 *       {@code MemorySegment.copy}.</li>
 *   <li>Tensor data: {@code tensor.TensorView} reads and writes elements on its {@link #slice}
 *       of the data area with {@code ValueLayout}s, and keeps an int {@code VarHandle} of its
 *       own for {@code prefault} (an atomic add of 0 to one int per page).</li>
 * </ul>
 * The JDK bounds-checks every access: an offset read from a corrupted region can throw, never
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

    // ---- plain access (guarded by the region lock) ----

    public long getLong(long offset) {
        return segment.get(LONG, offset);
    }

    public void putLong(long offset, long value) {
        segment.set(LONG, offset, value);
    }

    public int getInt(long offset) {
        return segment.get(INT, offset);
    }

    public void putInt(long offset, int value) {
        segment.set(INT, offset, value);
    }

    public byte getByte(long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset);
    }

    public void putByte(long offset, byte value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, value);
    }

    public void fill(long offset, long length, byte value) {
        segment.asSlice(offset, length).fill(value);
    }

    public MemorySegment slice(long offset, long length) {
        return segment.asSlice(offset, length);
    }

    // ---- ordered access (words read or written without the lock) ----

    public long getLongAcquire(long offset) {
        return (long) LONG_HANDLE.getAcquire(segment, offset);
    }

    public void putLongRelease(long offset, long value) {
        LONG_HANDLE.setRelease(segment, offset, value);
    }

    public long getLongVolatile(long offset) {
        return (long) LONG_HANDLE.getVolatile(segment, offset);
    }

    public boolean compareAndSetLong(long offset, long expected, long value) {
        return LONG_HANDLE.compareAndSet(segment, offset, expected, value);
    }

    public long getAndAddLong(long offset, long delta) {
        return (long) LONG_HANDLE.getAndAdd(segment, offset, delta);
    }

    public int getIntAcquire(long offset) {
        return (int) INT_HANDLE.getAcquire(segment, offset);
    }

    public void putIntRelease(long offset, int value) {
        INT_HANDLE.setRelease(segment, offset, value);
    }
}
