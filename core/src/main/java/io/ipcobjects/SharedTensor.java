package io.ipcobjects;

import java.lang.foreign.MemorySegment;

/**
 * A live view of a tensor in shared memory: dtype, shape, strides (in elements) and the bytes
 * themselves. Nothing here copies unless its name says so ({@code copyFrom}, {@code copyTo},
 * {@code to...Array}); {@link #slice} and {@link #reshape} give views of the same memory.
 *
 * <p>Element bytes are not guarded by the region lock (as with a NumPy array in the original):
 * processes that read and write the same elements coordinate through messages. Element access
 * therefore takes no lock; it only checks that the region handle is still open, so a view of a
 * closed region throws {@link RegionClosedException} instead of reading memory nobody owns.
 *
 * <p>Element accessors convert: {@code getDouble} works on every dtype, {@code setDouble} rounds
 * or truncates to the tensor's dtype as a Java cast would (FLOAT16 and BFLOAT16 round to
 * nearest even). Bulk copies do not convert: the array's element type must match the dtype
 * ({@code float[]} with FLOAT32, {@code short[]} with INT16 / FLOAT16 / BFLOAT16 bit patterns,
 * {@code byte[]} with INT8 / UINT8 / BOOL, ...).
 *
 * <p>For bindings: {@link #segment()}, {@link #address()} and {@link #byteSize()} describe the
 * data area (64-byte aligned for a tensor that owns its data). A segment obtained here keeps the
 * region's mapping alive while it is reachable, even after the region is closed.
 */
public interface SharedTensor {

    /** What a new tensor's elements hold, and whether its pages are touched up front. */
    public enum Init {
        /** Every byte zero. Writes the whole data area, so every page is faulted in on the way. */
        ZEROED,
        /**
         * Whatever the memory held: zeros in a fresh region, old bytes in a reused block. Costs
         * nothing up front; each page is faulted in when first touched (sparse files stay sparse).
         */
        UNINITIALIZED,
        /** As {@link #UNINITIALIZED}, with every page touched once up front ({@link #prefault()}). */
        PREFAULTED
    }

    DType dtype();

    int rank();

    /** A copy of the dimensions. */
    long[] shape();

    long shape(int axis);

    /** A copy of the strides, in elements. */
    long[] strides();

    long elementCount();

    /** Whether elements are laid out row-major without gaps (always so for tensors this library makes). */
    boolean isContiguous();

    /** Bytes spanned by the elements: {@code elementCount() * dtype().byteSize()} when contiguous. */
    long byteSize();

    /** The data area as a segment of {@link #byteSize()} bytes (no copy). */
    MemorySegment segment();

    /** Native address of element 0 in this process (for bindings). */
    long address();

    /**
     * Region offset of the tensor block this view was read from (a slice or reshape shares its
     * parent's block). The value another process passes to {@link Access#tensorAt(long)}.
     */
    long blockOffset();

    /** Region offset of element 0. */
    long dataOffset();

    /** Id of the binding whose array type this tensor was made from; 0 for core values. */
    int origin();

    /** Rows {@code [from, to)} along axis 0, sharing memory. */
    SharedTensor slice(long from, long to);

    /** Row {@code index} along axis 0 as a tensor of rank one less, sharing memory. */
    SharedTensor row(long index);

    /** The same elements with another shape of the same element count, sharing memory (contiguous tensors only). */
    SharedTensor reshape(long... newShape);

    double getDouble(long... index);

    void setDouble(double value, long... index);

    float getFloat(long... index);

    void setFloat(float value, long... index);

    long getLong(long... index);

    void setLong(long value, long... index);

    int getInt(long... index);

    void setInt(int value, long... index);

    boolean getBoolean(long... index);

    void setBoolean(boolean value, long... index);

    /** Element {@code flatIndex} in row-major order, as a double. */
    double getDoubleAt(long flatIndex);

    void setDoubleAt(long flatIndex, double value);

    float getFloatAt(long flatIndex);

    void setFloatAt(long flatIndex, float value);

    long getLongAt(long flatIndex);

    void setLongAt(long flatIndex, long value);

    /** Copies all of {@code source} into the first elements (the same shape for the others below). */
    void copyFrom(float[] source);

    /** Copies {@code count} floats from {@code source[sourceIndex]} to elements from {@code firstElement}. */
    void copyFrom(float[] source, int sourceIndex, long firstElement, int count);

    void copyFrom(double[] source);

    void copyFrom(double[] source, int sourceIndex, long firstElement, int count);

    void copyFrom(int[] source);

    void copyFrom(int[] source, int sourceIndex, long firstElement, int count);

    void copyFrom(long[] source);

    void copyFrom(long[] source, int sourceIndex, long firstElement, int count);

    /** INT16 values, or FLOAT16 / BFLOAT16 bit patterns. */
    void copyFrom(short[] source);

    /** INT8 / UINT8 values, or BOOL bytes. */
    void copyFrom(byte[] source);

    void copyFrom(boolean[] source);

    /** Copies all {@link #byteSize()} bytes from {@code source}, which must be exactly that long. */
    void copyFrom(MemorySegment source);

    /** Copies all {@link #byteSize()} bytes to {@code target}, which must be exactly that long. */
    void copyTo(MemorySegment target);

    float[] toFloatArray();

    double[] toDoubleArray();

    int[] toIntArray();

    long[] toLongArray();

    short[] toShortArray();

    byte[] toByteArray();

    boolean[] toBooleanArray();

    /** Sets every element to {@code value} (converted to the dtype as {@link #setDouble} does). */
    void fill(double value);

    /**
     * Touches every page of the data area once, so later first writes do not pay page faults
     * (a fresh tmpfs page costs a fault and a kernel zeroing). Safe on a tensor others use: each
     * touch is an atomic add of 0 to one int, which changes no value.
     */
    void prefault();
}
