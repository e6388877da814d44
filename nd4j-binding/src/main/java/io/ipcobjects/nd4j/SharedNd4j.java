package io.ipcobjects.nd4j;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.lang.foreign.MemorySegment;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.indexer.Bfloat16Indexer;
import org.bytedeco.javacpp.indexer.BooleanIndexer;
import org.bytedeco.javacpp.indexer.ByteIndexer;
import org.bytedeco.javacpp.indexer.DoubleIndexer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.bytedeco.javacpp.indexer.HalfIndexer;
import org.bytedeco.javacpp.indexer.Indexer;
import org.bytedeco.javacpp.indexer.IntIndexer;
import org.bytedeco.javacpp.indexer.LongIndexer;
import org.bytedeco.javacpp.indexer.ShortIndexer;
import org.bytedeco.javacpp.indexer.UByteIndexer;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.shape.options.ArrayOptionsHelper;
import org.nd4j.linalg.cpu.nativecpu.CpuNDArrayFactory;
import org.nd4j.linalg.cpu.nativecpu.NDArray;
import org.nd4j.linalg.cpu.nativecpu.buffer.LongBuffer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J {@link INDArray}s over shared tensors, with no copy: an in-place op ({@code addi},
 * {@code muli}, {@code assign}) in one process is seen by every process viewing the tensor.
 *
 * <pre>{@code
 * SharedTensor t = shm.newTensor(DType.FLOAT32, 64, 3, 224, 224);
 * INDArray batch = SharedNd4j.view(t);          // no copy
 * INDArray stored = SharedNd4j.store(shm, x);   // one copy of x into a new tensor, then a view
 * }</pre>
 *
 * How: a JavaCPP pointer whose address, capacity and limit are the tensor's, wrapped with
 * {@code Nd4j.createBuffer(pointer, type, length, indexer)} and an array over that buffer with
 * the tensor's shape and strides. ({@code Nd4j.createBuffer(ByteBuffer, ...)} would copy.) Views
 * are made once per handle ({@link #view(SharedTensor)}). The view keeps the
 * region mapped while it is reachable, even after the region is closed; it does not keep the
 * tensor's block allocated, so views must be dropped before the tensor is freed.
 *
 * <p>JVM flags: {@code --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow}
 * silence JDK 25's warnings about JavaCPP; ND4J needs {@code nd4j-native} and {@code openblas}
 * with classifier {@code linux-x86_64}.
 */
public final class SharedNd4j {
    private SharedNd4j() {
    }

    /** The {@link io.ipcobjects.spi.TensorBinding#id()} recorded in tensors made from an {@code INDArray}. */
    public static final int BINDING_ID = 1;

    /**
     * An {@code INDArray} over {@code tensor}'s memory (no copy), with the tensor's shape and
     * strides. An in-place op on it writes the shared memory every process sees.
     *
     * <p>Made once per scope: inside one {@code acquire()} scope (one hold of the region lock),
     * viewing the same tensor again (this call, {@code get(name)}, a container element) gives the
     * same array instead of building another, so a loop over {@code a.get("key")} builds one.
     * Outside a scope every call builds a new array (a few microseconds), which is the caller's
     * own: ND4J arrays are mutable objects (closing one, or an array derived from it, releases
     * its buffer), so one is never shared between callers who did not ask for it. A tensor freed
     * and allocated again in the same block within the scope gets a new array, never the old one
     * (see {@link io.ipcobjects.spi.TensorViewCache}); an array closed by its user is built again.
     *
     * @param tensor a shared tensor of any dtype (an empty one gives an empty array)
     * @return the view; it keeps the region's mapping alive while it is reachable
     * @throws io.ipcobjects.RegionClosedException if the tensor's region is closed
     */
    public static INDArray view(SharedTensor tensor) {
        Object hold = tensor.viewCache().lockHold(tensor);
        if (hold == null) {
            return newView(tensor); // outside a scope: an array of the caller's own
        }
        return tensor.viewCache().view(tensor, hold, INDArray.class, array -> !array.wasClosed() && !array.data().wasClosed(),
                SharedNd4j::newView);
    }

    /**
     * A new {@code INDArray} over {@code tensor}'s memory (no copy), never one handed out before.
     * {@link #view(SharedTensor)} builds its arrays with this.
     *
     * <p>The cost is ND4J's: a {@code DataBuffer} over the tensor's pointer, and the array's
     * shape information, which comes from ND4J's cache of shape buffers (one per distinct shape,
     * strides and type) instead of a new native buffer for each array.
     *
     * @param tensor a shared tensor of any dtype (an empty one gives a fresh empty array)
     * @return the view; it keeps the region's mapping alive while it is reachable
     * @throws io.ipcobjects.RegionClosedException if the tensor's region is closed
     */
    public static INDArray newView(SharedTensor tensor) {
        DataType type = toNd4j(tensor.dtype());
        long[] shape = tensor.shape();
        if (tensor.elementCount() == 0) {
            return Nd4j.create(type, shape); // nothing to share
        }
        MemorySegment data = tensor.segment();
        long length = data.byteSize() / tensor.dtype().byteSize();
        Pointer pointer = pointerFor(tensor.dtype(), data);
        DataBuffer buffer = Nd4j.createBuffer(pointer, type, length, indexerFor(tensor.dtype(), pointer));
        long[] strides = tensor.strides();
        if (shape.length > 0 && Nd4j.getNDArrayFactory() instanceof CpuNDArrayFactory) {
            // What Nd4j.create(buffer, shape, strides, 0, 'c', type) does, except that the shape
            // information comes from ND4J's cache: building it anew (a native buffer with a
            // deallocator, which makes JavaCPP check the process's memory) was most of a view's cost.
            // Outside any workspace: a cached shape buffer must never live in a user's workspace,
            // which would free it under the cache when it is destroyed.
            Pair<DataBuffer, long[]> info;
            try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                info = Nd4j.getShapeInfoProvider().createShapeInformation(shape, strides,
                        Shape.elementWiseStride(shape, strides, false), 'c', ArrayOptionsHelper.setOptionBit(0L, type));
            }
            if (info.getFirst() instanceof LongBuffer shapeInfo) {
                return new NDArray(buffer, shapeInfo, info.getSecond());
            }
        }
        return Nd4j.create(buffer, shape, strides, 0, 'c', type);
    }

    /**
     * Copies {@code array} once into a new tensor of {@code shm} and returns a view of that tensor.
     *
     * @param shm   the region to store in (the lock is taken for the allocation and copy)
     * @param array any ND4J array; its ordering does not matter, the tensor is row-major
     * @return a view of the new tensor
     */
    public static INDArray store(SharedMemory shm, INDArray array) {
        return view(shm.copyToTensor(array));
    }

    /**
     * As {@link #store(SharedMemory, INDArray)} inside an access scope.
     *
     * @param access the open scope to store through
     * @param array  any ND4J array
     * @return a view of the new tensor
     */
    public static INDArray store(Access access, INDArray array) {
        return view(access.copyToTensor(array));
    }

    /**
     * The ND4J type of {@code dtype}; ND4J has all of them.
     *
     * @param dtype a tensor element type
     * @return the matching ND4J data type
     */
    public static DataType toNd4j(DType dtype) {
        return switch (dtype) {
            case FLOAT16 -> DataType.HALF;
            case BFLOAT16 -> DataType.BFLOAT16;
            case FLOAT32 -> DataType.FLOAT;
            case FLOAT64 -> DataType.DOUBLE;
            case INT8 -> DataType.BYTE;
            case UINT8 -> DataType.UBYTE;
            case INT16 -> DataType.SHORT;
            case INT32 -> DataType.INT;
            case INT64 -> DataType.LONG;
            case BOOL -> DataType.BOOL;
        };
    }

    /**
     * The tensor type of an ND4J type.
     *
     * @param type an ND4J data type
     * @return the matching tensor element type
     * @throws IllegalArgumentException for types a shared tensor cannot hold (UTF8, COMPRESSED,
     *                                  the unsigned 16/32/64-bit types, UNKNOWN)
     */
    public static DType fromNd4j(DataType type) {
        return switch (type) {
            case HALF -> DType.FLOAT16;
            case BFLOAT16 -> DType.BFLOAT16;
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case BYTE -> DType.INT8;
            case UBYTE -> DType.UINT8;
            case SHORT -> DType.INT16;
            case INT -> DType.INT32;
            case LONG -> DType.INT64;
            case BOOL -> DType.BOOL;
            default -> throw new IllegalArgumentException("ND4J data type " + type
                    + " has no shared tensor dtype (supported: HALF, BFLOAT16, FLOAT, DOUBLE, BYTE, UBYTE, SHORT, INT, LONG, BOOL)");
        };
    }

    private static Pointer pointerFor(DType dtype, MemorySegment data) {
        return switch (dtype) {
            case FLOAT32 -> new SegmentPointers.OfFloat(data);
            case FLOAT64 -> new SegmentPointers.OfDouble(data);
            case FLOAT16, BFLOAT16, INT16 -> new SegmentPointers.OfShort(data);
            case INT32 -> new SegmentPointers.OfInt(data);
            case INT64 -> new SegmentPointers.OfLong(data);
            case INT8, UINT8 -> new SegmentPointers.OfByte(data);
            case BOOL -> new SegmentPointers.OfBoolean(data);
        };
    }

    private static Indexer indexerFor(DType dtype, Pointer pointer) {
        return switch (dtype) {
            case FLOAT32 -> FloatIndexer.create((SegmentPointers.OfFloat) pointer);
            case FLOAT64 -> DoubleIndexer.create((SegmentPointers.OfDouble) pointer);
            case FLOAT16 -> HalfIndexer.create((SegmentPointers.OfShort) pointer);
            case BFLOAT16 -> Bfloat16Indexer.create((SegmentPointers.OfShort) pointer);
            case INT16 -> ShortIndexer.create((SegmentPointers.OfShort) pointer);
            case INT32 -> IntIndexer.create((SegmentPointers.OfInt) pointer);
            case INT64 -> LongIndexer.create((SegmentPointers.OfLong) pointer);
            case INT8 -> ByteIndexer.create((SegmentPointers.OfByte) pointer);
            case UINT8 -> UByteIndexer.create((SegmentPointers.OfByte) pointer);
            case BOOL -> BooleanIndexer.create((SegmentPointers.OfBoolean) pointer);
        };
    }
}
