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
         * nothing up front; each page is faulted in when first touched (the region's pages are
         * reserved when it is created, but nothing is written to them).
         */
        UNINITIALIZED,
        /** As {@link #UNINITIALIZED}, with every page touched once up front ({@link #prefault()}). */
        PREFAULTED
    }

    /**
     * The element type.
     *
     * @return the dtype
     */
    DType dtype();

    /**
     * The number of axes (0 for a scalar).
     *
     * @return the rank
     */
    int rank();

    /**
     * A copy of the dimensions.
     *
     * @return the size of each axis, outermost first (empty for a scalar)
     */
    long[] shape();

    /**
     * The size of one axis.
     *
     * @param axis the axis, in {@code [0, rank())}
     * @return the number of elements along {@code axis}
     * @throws IndexOutOfBoundsException if {@code axis} is not an axis of this tensor
     */
    long shape(int axis);

    /**
     * A copy of the strides, in elements.
     *
     * @return for each axis, how many elements apart consecutive indices along it are
     */
    long[] strides();

    /**
     * The number of elements: the product of the dimensions (1 for a scalar).
     *
     * @return the element count
     */
    long elementCount();

    /**
     * Whether elements are laid out row-major without gaps (always so for tensors this library makes).
     *
     * @return true if the elements are contiguous in row-major order
     */
    boolean isContiguous();

    /**
     * Bytes spanned by the elements: {@code elementCount() * dtype().byteSize()} when contiguous.
     *
     * @return the size of the data area, in bytes
     */
    long byteSize();

    /**
     * The data area as a segment of {@link #byteSize()} bytes (no copy).
     *
     * @return the elements' memory
     * @throws RegionClosedException if the region is closed
     */
    MemorySegment segment();

    /**
     * Native address of element 0 in this process (for bindings).
     *
     * @return the address; valid while the region is mapped in this process
     * @throws RegionClosedException if the region is closed
     */
    long address();

    /**
     * For bindings: the cache of binding views kept by the handle this tensor is read through,
     * so that a binding makes one view per tensor and scope (see
     * {@link io.ipcobjects.spi.TensorViewCache}). A tensor that is read through no handle of this
     * library (another implementation of this interface) has a cache that builds every time.
     *
     * @return the handle's view cache
     */
    default io.ipcobjects.spi.TensorViewCache viewCache() {
        return io.ipcobjects.spi.TensorViewCache.none();
    }

    /**
     * Region offset of the tensor block this view was read from (a slice or reshape shares its
     * parent's block). The value another process passes to {@link Access#tensorAt(long)}.
     *
     * @return the block's region offset
     */
    long blockOffset();

    /**
     * Region offset of element 0.
     *
     * @return the offset of the first element's bytes from the region's start
     */
    long dataOffset();

    /**
     * Id of the binding whose array type this tensor was made from; 0 for core values.
     *
     * @return the {@link io.ipcobjects.spi.TensorBinding#id()} recorded in the tensor, or 0
     */
    int origin();

    /**
     * Rows {@code [from, to)} along axis 0, sharing memory.
     *
     * @param from the first row, inclusive
     * @param to   the end row, exclusive
     * @return a view of those rows, of the same rank
     * @throws IllegalStateException     if this tensor is a scalar (rank 0)
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= shape(0)}
     */
    SharedTensor slice(long from, long to);

    /**
     * Row {@code index} along axis 0 as a tensor of rank one less, sharing memory.
     *
     * @param index the row, in {@code [0, shape(0))}
     * @return a view of that row
     * @throws IllegalStateException     if this tensor is a scalar (rank 0)
     * @throws IndexOutOfBoundsException if {@code index} is not a row of this tensor
     */
    SharedTensor row(long index);

    /**
     * The same elements with another shape of the same element count, sharing memory (contiguous tensors only).
     *
     * @param newShape the new dimensions
     * @return a row-major view of the same elements in that shape
     * @throws IllegalArgumentException if {@code newShape} has a negative dimension, a rank over
     *                                  32 or another element count
     * @throws IllegalStateException    if this tensor is not contiguous
     */
    SharedTensor reshape(long... newShape);

    /**
     * The element at {@code index} as a double, from any dtype.
     *
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @return the element
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    double getDouble(long... index);

    /**
     * Stores {@code value} at {@code index}, converted to the dtype as a Java cast would (FLOAT16 and
     * BFLOAT16 round to nearest even; BOOL stores 1 for anything but 0).
     *
     * @param value the value to store
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    void setDouble(double value, long... index);

    /**
     * The element at {@code index} as a float, from any dtype (a {@code (float)} cast of
     * {@link #getDouble} for dtypes other than FLOAT32).
     *
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @return the element
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    float getFloat(long... index);

    /**
     * Stores {@code value} at {@code index}, converted to the dtype as {@link #setDouble} does.
     *
     * @param value the value to store
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    void setFloat(float value, long... index);

    /**
     * The element at {@code index} as a long, from any dtype (floating-point elements are cast;
     * UINT8 reads as 0 to 255, BOOL as 0 or 1).
     *
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @return the element
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    long getLong(long... index);

    /**
     * Stores {@code value} at {@code index}, converted to the dtype as a Java cast would (integer dtypes
     * keep the low bits; BOOL stores 1 for anything but 0).
     *
     * @param value the value to store
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    void setLong(long value, long... index);

    /**
     * The element at {@code index} as an int: {@link #getLong}, cast to int.
     *
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @return the element
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    int getInt(long... index);

    /**
     * Stores {@code value} at {@code index}, as {@link #setLong} does.
     *
     * @param value the value to store
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    void setInt(int value, long... index);

    /**
     * Whether the element at {@code index} is non-zero, for any dtype.
     *
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @return the element
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    boolean getBoolean(long... index);

    /**
     * Stores 1 for true and 0 for false at {@code index}, in the tensor's dtype.
     *
     * @param value the value to store
     * @param index one index per axis, each in {@code [0, shape(axis))}
     * @throws IllegalArgumentException  if {@code index} does not have {@link #rank()} components
     * @throws IndexOutOfBoundsException if an index is outside the shape
     * @throws RegionClosedException     if the region is closed
     */
    void setBoolean(boolean value, long... index);

    /**
     * Element {@code flatIndex} in row-major order, as a double.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @return the element, converted as {@link #getDouble} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    double getDoubleAt(long flatIndex);

    /**
     * Stores {@code value} at element {@code flatIndex} in row-major order.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @param value     the value, converted to the dtype as {@link #setDouble} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    void setDoubleAt(long flatIndex, double value);

    /**
     * Element {@code flatIndex} in row-major order, as a float.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @return the element, converted as {@link #getFloat} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    float getFloatAt(long flatIndex);

    /**
     * Stores {@code value} at element {@code flatIndex} in row-major order.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @param value     the value, converted to the dtype as {@link #setFloat} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    void setFloatAt(long flatIndex, float value);

    /**
     * Element {@code flatIndex} in row-major order, as a long.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @return the element, converted as {@link #getLong} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    long getLongAt(long flatIndex);

    /**
     * Stores {@code value} at element {@code flatIndex} in row-major order.
     *
     * @param flatIndex the element's position in row-major order, in {@code [0, elementCount())}
     * @param value     the value, converted to the dtype as {@link #setLong} does
     * @throws IndexOutOfBoundsException if {@code flatIndex} is outside {@code [0, elementCount())}
     * @throws RegionClosedException     if the region is closed
     */
    void setLongAt(long flatIndex, long value);

    /**
     * Copies all of {@code source} into the first elements of a FLOAT32 tensor (the other
     * {@code copyFrom(array)} methods work the same way for their dtypes).
     *
     * @param source the floats to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(float[] source);

    /**
     * Copies {@code count} floats from {@code source[sourceIndex]} to elements from
     * {@code firstElement} of a FLOAT32 tensor (the other ranged {@code copyFrom} methods work
     * the same way for their dtypes).
     *
     * @param source       the array to copy from
     * @param sourceIndex  the first array element to copy
     * @param firstElement the first tensor element (in row-major order) to write
     * @param count        how many elements to copy
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IndexOutOfBoundsException if the range is outside {@code source} or the tensor
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(float[] source, int sourceIndex, long firstElement, int count);

    /**
     * Copies all of {@code source} into the first elements of a FLOAT64 tensor.
     *
     * @param source the doubles to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(double[] source);

    /**
     * Copies {@code count} doubles from {@code source[sourceIndex]} to elements from
     * {@code firstElement} of a FLOAT64 tensor.
     *
     * @param source       the array to copy from
     * @param sourceIndex  the first array element to copy
     * @param firstElement the first tensor element (in row-major order) to write
     * @param count        how many elements to copy
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IndexOutOfBoundsException if the range is outside {@code source} or the tensor
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(double[] source, int sourceIndex, long firstElement, int count);

    /**
     * Copies all of {@code source} into the first elements of an INT32 tensor.
     *
     * @param source the ints to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(int[] source);

    /**
     * Copies {@code count} ints from {@code source[sourceIndex]} to elements from
     * {@code firstElement} of an INT32 tensor.
     *
     * @param source       the array to copy from
     * @param sourceIndex  the first array element to copy
     * @param firstElement the first tensor element (in row-major order) to write
     * @param count        how many elements to copy
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IndexOutOfBoundsException if the range is outside {@code source} or the tensor
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(int[] source, int sourceIndex, long firstElement, int count);

    /**
     * Copies all of {@code source} into the first elements of an INT64 tensor.
     *
     * @param source the longs to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(long[] source);

    /**
     * Copies {@code count} longs from {@code source[sourceIndex]} to elements from
     * {@code firstElement} of an INT64 tensor.
     *
     * @param source       the array to copy from
     * @param sourceIndex  the first array element to copy
     * @param firstElement the first tensor element (in row-major order) to write
     * @param count        how many elements to copy
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IndexOutOfBoundsException if the range is outside {@code source} or the tensor
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(long[] source, int sourceIndex, long firstElement, int count);

    /**
     * Copies all of {@code source} into the first elements: INT16 values, or FLOAT16 / BFLOAT16
     * bit patterns.
     *
     * @param source the shorts to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(short[] source);

    /**
     * Copies all of {@code source} into the first elements: INT8 / UINT8 values, or BOOL bytes.
     *
     * @param source the bytes to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(byte[] source);

    /**
     * Copies all of {@code source} into the first elements of a BOOL tensor, as 1 or 0.
     *
     * @param source the booleans to copy, at most {@link #elementCount()}
     * @throws IllegalArgumentException  if the dtype does not match the array type
     * @throws IllegalStateException     if this tensor is not contiguous
     * @throws IndexOutOfBoundsException if the elements do not fit the tensor
     * @throws RegionClosedException     if the region is closed
     */
    void copyFrom(boolean[] source);

    /**
     * Copies all {@link #byteSize()} bytes from {@code source}, which must be exactly that long.
     *
     * @param source the bytes to copy, in this tensor's layout and native byte order
     * @throws IllegalArgumentException if {@code source} is not {@link #byteSize()} bytes long
     * @throws IllegalStateException    if this tensor is not contiguous
     * @throws RegionClosedException    if the region is closed
     */
    void copyFrom(MemorySegment source);

    /**
     * Copies all {@link #byteSize()} bytes to {@code target}, which must be exactly that long.
     *
     * @param target where to copy the bytes to
     * @throws IllegalArgumentException if {@code target} is not {@link #byteSize()} bytes long
     * @throws IllegalStateException    if this tensor is not contiguous
     * @throws RegionClosedException    if the region is closed
     */
    void copyTo(MemorySegment target);

    /**
     * Copies the elements of a FLOAT32 tensor into a new {@code float[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    float[] toFloatArray();

    /**
     * Copies the elements of a FLOAT64 tensor into a new {@code double[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    double[] toDoubleArray();

    /**
     * Copies the elements of an INT32 tensor into a new {@code int[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    int[] toIntArray();

    /**
     * Copies the elements of an INT64 tensor into a new {@code long[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    long[] toLongArray();

    /**
     * Copies the elements of an INT16 tensor, or the bit patterns of a FLOAT16 or BFLOAT16 one,
     * into a new {@code short[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    short[] toShortArray();

    /**
     * Copies the elements of an INT8, UINT8 or BOOL tensor into a new {@code byte[]}, in
     * row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    byte[] toByteArray();

    /**
     * Copies the elements of a BOOL tensor into a new {@code boolean[]}, in row-major order.
     *
     * @return a new array of {@link #elementCount()} elements
     * @throws IllegalArgumentException if the dtype does not match the array type
     * @throws IllegalStateException    if this tensor is not contiguous or has more elements than
     *                                  a Java array can hold
     * @throws RegionClosedException    if the region is closed
     */
    boolean[] toBooleanArray();

    /**
     * Sets every element to {@code value} (converted to the dtype as {@link #setDouble} does).
     *
     * @param value the value for every element
     * @throws RegionClosedException if the region is closed
     */
    void fill(double value);

    /**
     * Touches every page of the data area once, so later first writes do not pay page faults
     * (a fresh tmpfs page costs a fault and a kernel zeroing). Safe on a tensor others use: each
     * touch is an atomic add of 0 to one int, which changes no value.
     *
     * @throws RegionClosedException if the region is closed
     */
    void prefault();
}
