package io.ipcobjects.internal.tensor;

import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.spi.TensorViewCache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

/** The view behind {@link SharedTensor}: one handle's window on a tensor block, or a slice or reshape of it. */
public final class TensorView implements SharedTensor {

    private static final VarHandle INT_HANDLE = ValueLayout.JAVA_INT.varHandle();
    private static final long PAGE_BYTES = 4096;

    private final RegionContext context;
    private final TensorHeader header;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long elementCount;
    private final long dataOffset;
    private final MemorySegment data;
    private final boolean rowMajor;

    /**
     * Internal (the tensor package and bindings build views through {@code TensorValues} and
     * {@code Access}): a view of the tensor whose validated header is {@code header}.
     */
    public TensorView(RegionContext context, TensorHeader header) {
        this(context, header, header.dataOffset(), header.shape(), header.strides());
    }

    private TensorView(RegionContext context, TensorHeader header, long dataOffset, long[] shape, long[] strides) {
        this.context = context;
        this.header = header;
        this.dtype = header.dtype();
        this.shape = shape;
        this.strides = strides;
        this.elementCount = Shapes.elementCount(shape);
        this.dataOffset = dataOffset;
        this.data = context.memory().slice(dataOffset,
                Math.multiplyExact(Shapes.spanElements(shape, strides), (long) dtype.byteSize()));
        this.rowMajor = Shapes.isRowMajor(shape, strides);
    }

    // ---- facts ----

    public DType dtype() {
        return dtype;
    }

    public int rank() {
        return shape.length;
    }

    /** A copy of the dimensions. */
    public long[] shape() {
        return shape.clone();
    }

    public long shape(int axis) {
        return shape[axis];
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    public long elementCount() {
        return elementCount;
    }

    /** Whether elements are laid out row-major without gaps (always so for tensors this library makes). */
    public boolean isContiguous() {
        return rowMajor;
    }

    /** Bytes spanned by the elements: {@code elementCount() * dtype().byteSize()} when contiguous. */
    public long byteSize() {
        return data.byteSize();
    }

    /** The data area as a segment of {@link #byteSize()} bytes (no copy). */
    public MemorySegment segment() {
        checkOpen();
        return data;
    }

    /** Native address of element 0 in this process (for bindings). */
    public long address() {
        checkOpen();
        return data.address();
    }

    /**
     * Region offset of the tensor block this view was read from (a slice or reshape shares its
     * parent's block). The value another process passes to {@link Access#tensorAt(long)}.
     */
    public long blockOffset() {
        return header.block();
    }

    /** Region offset of element 0. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Id of the binding whose array type this tensor was made from; 0 for core values. */
    public int origin() {
        return header.origin();
    }

    /** Whether this view reads region {@code region} through the same handle. */
    public boolean belongsTo(RegionContext region) {
        return context == region;
    }

    /** {@code tensor} as a view of {@code region}'s handle, or null when it is a tensor of another handle (or not one). */
    public static TensorView ofRegion(Object tensor, RegionContext region) {
        return tensor instanceof TensorView view && view.context == region ? view : null;
    }

    /** Whether this view is exactly the tensor its block header describes (not a slice or reshape of it). */
    public boolean isWholeBlock() {
        return dataOffset == header.dataOffset() && Arrays.equals(shape, header.shape())
                && Arrays.equals(strides, header.strides());
    }

    /** The view cache of this view's handle; one that builds every time in a read-only context. */
    @Override
    public TensorViewCache viewCache() {
        TensorKinds kinds = TensorKinds.of(context);
        return kinds != null ? kinds.views() : TensorViewCache.none();
    }

    /** Internal: the validated header of the block this view came from. */
    public TensorHeader header() {
        return header;
    }

    /** The handle this view reads through. */
    RegionContext context() {
        return context;
    }

    /** Whether this view has exactly this data offset, dtype, shape and strides (no copies made). */
    boolean hasLayout(long otherDataOffset, DType otherDtype, long[] otherShape, long[] otherStrides) {
        return dataOffset == otherDataOffset && dtype == otherDtype && Arrays.equals(shape, otherShape)
                && Arrays.equals(strides, otherStrides);
    }

    /** Throws {@link RegionClosedException} once the handle is closed. */
    void requireOpen() {
        checkOpen();
    }

    // ---- views ----

    /** Rows {@code [from, to)} along axis 0, sharing memory. */
    public TensorView slice(long from, long to) {
        if (shape.length == 0) {
            throw new IllegalStateException("a rank-0 tensor has no axis to slice");
        }
        if (from < 0 || to < from || to > shape[0]) {
            throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of axis 0 with " + shape[0] + " rows");
        }
        long[] newShape = shape.clone();
        newShape[0] = to - from;
        long offset = to == from ? dataOffset : dataOffset + from * strides[0] * dtype.byteSize();
        return new TensorView(context, header, offset, newShape, strides.clone());
    }

    /** Row {@code index} along axis 0 as a tensor of rank one less, sharing memory. */
    public TensorView row(long index) {
        TensorView one = slice(index, index + 1);
        return new TensorView(context, header, one.dataOffset, Arrays.copyOfRange(shape, 1, shape.length),
                Arrays.copyOfRange(strides, 1, strides.length));
    }

    /** The same elements with another shape of the same element count, sharing memory (contiguous tensors only). */
    public TensorView reshape(long... newShape) {
        Shapes.checkNewShape(newShape, dtype.byteSize());
        if (Shapes.elementCount(newShape) != elementCount) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " (" + elementCount
                    + " elements) to " + Arrays.toString(newShape));
        }
        if (!rowMajor) {
            throw new IllegalStateException("reshape needs a contiguous tensor; strides are " + Arrays.toString(strides));
        }
        return new TensorView(context, header, dataOffset, newShape.clone(), Shapes.rowMajorStrides(newShape));
    }

    // ---- element access ----

    public double getDouble(long... index) {
        return ElementCodec.readDouble(dtype, data, byteOffset(index));
    }

    public void setDouble(double value, long... index) {
        ElementCodec.writeDouble(dtype, data, byteOffset(index), value);
    }

    public float getFloat(long... index) {
        long at = byteOffset(index);
        return dtype == DType.FLOAT32 ? data.get(ValueLayout.JAVA_FLOAT, at) : (float) ElementCodec.readDouble(dtype, data, at);
    }

    public void setFloat(float value, long... index) {
        long at = byteOffset(index);
        if (dtype == DType.FLOAT32) {
            data.set(ValueLayout.JAVA_FLOAT, at, value);
        } else {
            ElementCodec.writeDouble(dtype, data, at, value);
        }
    }

    public long getLong(long... index) {
        return ElementCodec.readLong(dtype, data, byteOffset(index));
    }

    public void setLong(long value, long... index) {
        ElementCodec.writeLong(dtype, data, byteOffset(index), value);
    }

    public int getInt(long... index) {
        return (int) getLong(index);
    }

    public void setInt(int value, long... index) {
        setLong(value, index);
    }

    public boolean getBoolean(long... index) {
        return ElementCodec.readDouble(dtype, data, byteOffset(index)) != 0;
    }

    public void setBoolean(boolean value, long... index) {
        ElementCodec.writeLong(dtype, data, byteOffset(index), value ? 1 : 0);
    }

    /** Element {@code flatIndex} in row-major order, as a double. */
    public double getDoubleAt(long flatIndex) {
        return ElementCodec.readDouble(dtype, data, flatByteOffset(flatIndex));
    }

    public void setDoubleAt(long flatIndex, double value) {
        ElementCodec.writeDouble(dtype, data, flatByteOffset(flatIndex), value);
    }

    public float getFloatAt(long flatIndex) {
        long at = flatByteOffset(flatIndex);
        return dtype == DType.FLOAT32 ? data.get(ValueLayout.JAVA_FLOAT, at) : (float) ElementCodec.readDouble(dtype, data, at);
    }

    public void setFloatAt(long flatIndex, float value) {
        long at = flatByteOffset(flatIndex);
        if (dtype == DType.FLOAT32) {
            data.set(ValueLayout.JAVA_FLOAT, at, value);
        } else {
            ElementCodec.writeDouble(dtype, data, at, value);
        }
    }

    public long getLongAt(long flatIndex) {
        return ElementCodec.readLong(dtype, data, flatByteOffset(flatIndex));
    }

    public void setLongAt(long flatIndex, long value) {
        ElementCodec.writeLong(dtype, data, flatByteOffset(flatIndex), value);
    }

    // ---- bulk copies (no conversion) ----

    /** Copies all of {@code source} into the first elements (the same shape for the others below). */
    public void copyFrom(float[] source) {
        copyFrom(source, 0, 0, source.length);
    }

    /** Copies {@code count} floats from {@code source[sourceIndex]} to elements from {@code firstElement}. */
    public void copyFrom(float[] source, int sourceIndex, long firstElement, int count) {
        copyIn(source, sourceIndex, firstElement, count, ValueLayout.JAVA_FLOAT, DType.FLOAT32);
    }

    public void copyFrom(double[] source) {
        copyIn(source, 0, 0, source.length, ValueLayout.JAVA_DOUBLE, DType.FLOAT64);
    }

    public void copyFrom(double[] source, int sourceIndex, long firstElement, int count) {
        copyIn(source, sourceIndex, firstElement, count, ValueLayout.JAVA_DOUBLE, DType.FLOAT64);
    }

    public void copyFrom(int[] source) {
        copyIn(source, 0, 0, source.length, ValueLayout.JAVA_INT, DType.INT32);
    }

    public void copyFrom(int[] source, int sourceIndex, long firstElement, int count) {
        copyIn(source, sourceIndex, firstElement, count, ValueLayout.JAVA_INT, DType.INT32);
    }

    public void copyFrom(long[] source) {
        copyIn(source, 0, 0, source.length, ValueLayout.JAVA_LONG, DType.INT64);
    }

    public void copyFrom(long[] source, int sourceIndex, long firstElement, int count) {
        copyIn(source, sourceIndex, firstElement, count, ValueLayout.JAVA_LONG, DType.INT64);
    }

    /** INT16 values, or FLOAT16 / BFLOAT16 bit patterns. */
    public void copyFrom(short[] source) {
        copyIn(source, 0, 0, source.length, ValueLayout.JAVA_SHORT, DType.INT16, DType.FLOAT16, DType.BFLOAT16);
    }

    /** INT8 / UINT8 values, or BOOL bytes. */
    public void copyFrom(byte[] source) {
        copyIn(source, 0, 0, source.length, ValueLayout.JAVA_BYTE, DType.INT8, DType.UINT8, DType.BOOL);
    }

    public void copyFrom(boolean[] source) {
        checkBulk("boolean", DType.BOOL);
        if (source.length > elementCount) {
            throw new IndexOutOfBoundsException(source.length + " booleans for a tensor of " + elementCount);
        }
        for (int i = 0; i < source.length; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, source[i] ? (byte) 1 : 0);
        }
    }

    /** Copies all {@link #byteSize()} bytes from {@code source}, which must be exactly that long. */
    public void copyFrom(MemorySegment source) {
        checkBulkBytes(source.byteSize());
        MemorySegment.copy(source, 0, data, 0, data.byteSize());
    }

    /** Copies all {@link #byteSize()} bytes to {@code target}, which must be exactly that long. */
    public void copyTo(MemorySegment target) {
        checkBulkBytes(target.byteSize());
        MemorySegment.copy(data, 0, target, 0, data.byteSize());
    }

    public float[] toFloatArray() {
        float[] out = new float[arrayLength(DType.FLOAT32, "float")];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    public double[] toDoubleArray() {
        double[] out = new double[arrayLength(DType.FLOAT64, "double")];
        MemorySegment.copy(data, ValueLayout.JAVA_DOUBLE, 0, out, 0, out.length);
        return out;
    }

    public int[] toIntArray() {
        int[] out = new int[arrayLength(DType.INT32, "int")];
        MemorySegment.copy(data, ValueLayout.JAVA_INT, 0, out, 0, out.length);
        return out;
    }

    public long[] toLongArray() {
        long[] out = new long[arrayLength(DType.INT64, "long")];
        MemorySegment.copy(data, ValueLayout.JAVA_LONG, 0, out, 0, out.length);
        return out;
    }

    public short[] toShortArray() {
        short[] out = new short[arrayLength(dtype == DType.FLOAT16 || dtype == DType.BFLOAT16 ? dtype : DType.INT16, "short")];
        MemorySegment.copy(data, ValueLayout.JAVA_SHORT, 0, out, 0, out.length);
        return out;
    }

    public byte[] toByteArray() {
        byte[] out = new byte[arrayLength(dtype == DType.UINT8 || dtype == DType.BOOL ? dtype : DType.INT8, "byte")];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
        return out;
    }

    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[arrayLength(DType.BOOL, "boolean")];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(ValueLayout.JAVA_BYTE, i) != 0;
        }
        return out;
    }

    /** Sets every element to {@code value} (converted to the dtype as {@link #setDouble} does). */
    public void fill(double value) {
        checkOpen();
        if (value == 0 && Double.doubleToRawLongBits(value) == 0 && rowMajor) {
            data.fill((byte) 0);
            return;
        }
        if (!rowMajor) {
            for (long i = 0; i < elementCount; i++) {
                ElementCodec.writeDouble(dtype, data, flatByteOffset(i), value);
            }
            return;
        }
        if (elementCount == 0) {
            return;
        }
        // one element, then doubling copies: memcpy speed instead of one conversion per element
        ElementCodec.writeDouble(dtype, data, 0, value);
        long filled = dtype.byteSize();
        long total = data.byteSize();
        while (filled < total) {
            long chunk = Math.min(filled, total - filled);
            MemorySegment.copy(data, 0, data, filled, chunk);
            filled += chunk;
        }
    }

    /**
     * Touches every page of the data area once, so later first writes do not pay page faults
     * (a fresh tmpfs page costs a fault and a kernel zeroing). Safe on a tensor others use: each
     * touch is an atomic add of 0 to one int, which changes no value.
     */
    public void prefault() {
        checkOpen();
        long address = data.address();
        long end = data.byteSize();
        long first = (4 - (address & 3)) & 3;
        for (long at = first; at + 4 <= end; at = nextPage(address, at)) {
            INT_HANDLE.getAndAdd(data, at, 0);
        }
    }

    private static long nextPage(long address, long at) {
        return ((address + at) / PAGE_BYTES + 1) * PAGE_BYTES - address;
    }

    @Override
    public String toString() {
        return "SharedTensor[" + dtype + " " + Arrays.toString(shape) + ", block " + header.block() + "]";
    }

    // ---- internals ----

    private void checkOpen() {
        if (context.scope().isClosed()) {
            throw new RegionClosedException("tensor " + Arrays.toString(shape) + " of region " + context.path()
                    + ": the region is closed");
        }
    }

    private long byteOffset(long[] index) {
        checkOpen();
        Objects.requireNonNull(index, "index");
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " components; the tensor has rank " + shape.length);
        }
        long element = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
            }
            element += index[i] * strides[i];
        }
        return element * dtype.byteSize();
    }

    private long flatByteOffset(long flatIndex) {
        checkOpen();
        if (flatIndex < 0 || flatIndex >= elementCount) {
            throw new IndexOutOfBoundsException("element " + flatIndex + " of " + elementCount);
        }
        if (rowMajor) {
            return flatIndex * dtype.byteSize();
        }
        long element = 0;
        long rest = flatIndex;
        for (int i = shape.length - 1; i >= 0; i--) {
            element += (rest % shape[i]) * strides[i];
            rest /= shape[i];
        }
        return element * dtype.byteSize();
    }

    private void copyIn(Object source, int sourceIndex, long firstElement, int count, ValueLayout layout, DType... accepted) {
        checkBulk(layout.carrier().getSimpleName(), accepted);
        if (firstElement < 0 || count < 0 || firstElement > elementCount - count) {
            throw new IndexOutOfBoundsException("elements [" + firstElement + ", +" + count + ") outside a tensor of "
                    + elementCount);
        }
        MemorySegment.copy(source, sourceIndex, data, layout, firstElement * dtype.byteSize(), count);
    }

    private void checkBulk(String javaType, DType... accepted) {
        checkOpen();
        if (!Arrays.asList(accepted).contains(dtype)) {
            throw new IllegalArgumentException("cannot copy " + javaType + " elements to or from a " + dtype
                    + " tensor (a " + javaType + "[] matches " + Arrays.toString(accepted) + ")");
        }
        if (!rowMajor) {
            throw new IllegalStateException("bulk copies need a contiguous tensor; strides are " + Arrays.toString(strides));
        }
    }

    private void checkBulkBytes(long bytes) {
        checkOpen();
        if (!rowMajor) {
            throw new IllegalStateException("bulk copies need a contiguous tensor; strides are " + Arrays.toString(strides));
        }
        if (bytes != data.byteSize()) {
            throw new IllegalArgumentException("segment of " + bytes + " bytes for a tensor of " + data.byteSize() + " bytes");
        }
    }

    private int arrayLength(DType accepted, String javaType) {
        checkBulk(javaType, accepted);
        if (elementCount > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a tensor of " + elementCount + " elements does not fit a Java array; "
                    + "copy slices of it");
        }
        return (int) elementCount;
    }
}
