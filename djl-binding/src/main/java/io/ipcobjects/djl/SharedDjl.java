package io.ipcobjects.djl;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * DJL {@link NDArray}s (PyTorch engine, CPU) over shared tensors, with no copy: an in-place op
 * ({@code addi}, {@code muli}) in one process is seen by every process viewing the tensor.
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
 *     NDArray batch = SharedDjl.view(tensor, manager);      // no copy; freed with the manager
 *     NDArray stored = SharedDjl.store(shm, x, manager);    // one copy of x into a new tensor
 * }
 * }</pre>
 *
 * How: PyTorch's {@code from_blob} over the tensor's bytes. Up to 2 GiB through the public
 * {@code manager.create(ByteBuffer, shape, dtype)} with a direct, native-order buffer of exactly
 * the tensor's bytes (a {@code FloatBuffer} or heap buffer would be copied); beyond 2 GiB, where no
 * {@code ByteBuffer} can cover the data, through {@code JniUtils.createNdFromByteBuffer} with a
 * small buffer at the tensor's start (the native side only reads the buffer's address). Either
 * way the {@code NDArray} holds that buffer, and the buffer holds the region's mapping, so the
 * view keeps working after the region is closed, until the array is closed or dropped.
 *
 * <p>Runs offline: {@code pytorch-native-cpu} (classifier {@code linux-x86_64}) and
 * {@code pytorch-jni} on the class path and {@code -Dai.djl.offline=true}; do not set
 * {@code PYTORCH_VERSION}. {@code --enable-native-access=ALL-UNNAMED} silences JDK 25's warning.
 *
 * <p>Arrays that come back through core (a message, a named object, an element of a shared
 * container) are views attached to the manager the reading thread bound with {@link #bind}, and
 * plain {@link SharedTensor}s outside such a scope: nothing process-wide holds them.
 */
public final class SharedDjl {
    private SharedDjl() {
    }

    /** The {@link io.ipcobjects.spi.TensorBinding#id()} recorded in tensors made from an {@code NDArray}. */
    public static final int BINDING_ID = 2;

    private static final long ANCHOR_BYTES = 64;

    /**
     * An {@code NDArray} over {@code tensor}'s memory (no copy), owned by {@code manager}, which
     * must be a PyTorch manager on the CPU. An in-place op on it writes the shared memory every
     * process sees; closing {@code manager} frees the array, never the tensor.
     *
     * <p>Made once per manager: viewing the same tensor again in the same manager (this call, or
     * core's reads inside {@link #bind}) gives the same array until the manager closes (which
     * releases it); another manager gets its own array. The cache is the tensor's handle's
     * ({@link SharedTensor#viewCache()}), keyed by the manager, which it holds weakly. Freeing the tensor, in this process or any other, ends that too:
     * a tensor allocated later in the same block gets a new array, never the old one (see
     * {@link io.ipcobjects.spi.TensorViewCache}). An array its user closed, or attached to
     * another manager, is built again. For an array of one's own, use
     * {@link #newView(SharedTensor, NDManager)}.
     *
     * @param tensor  a contiguous shared tensor of a dtype DJL can view ({@link #canView})
     * @param manager a PyTorch manager on the CPU, closed by the caller
     * @return the view, attached to {@code manager}
     * @throws IllegalArgumentException for a non-contiguous tensor or a manager of another engine or device
     * @throws io.ipcobjects.RegionClosedException if the tensor's region is closed
     */
    public static NDArray view(SharedTensor tensor, NDManager manager) {
        checkManager(manager);
        return tensor.viewCache().view(tensor, manager, NDArray.class,
                array -> !array.isReleased() && array.getManager() == manager, t -> newView(t, manager));
    }

    /**
     * A new {@code NDArray} over {@code tensor}'s memory (no copy) in {@code manager}, never one
     * handed out before; {@link #view(SharedTensor, NDManager)} builds its arrays with this.
     *
     * @param tensor  a contiguous shared tensor of a dtype DJL can view ({@link #canView})
     * @param manager a PyTorch manager on the CPU, closed by the caller
     * @return the view, attached to {@code manager}
     * @throws IllegalArgumentException for a non-contiguous tensor or a manager of another engine or device
     */
    public static NDArray newView(SharedTensor tensor, NDManager manager) {
        PtNDManager pytorch = checkManager(manager);
        if (!tensor.isContiguous()) {
            throw new IllegalArgumentException("DJL views need a contiguous tensor; strides are "
                    + Arrays.toString(tensor.strides()));
        }
        DataType type = toDjl(tensor.dtype());
        checkViewable(tensor.dtype());
        Shape shape = new Shape(tensor.shape());
        if (tensor.elementCount() == 0) {
            return manager.create(shape, type); // nothing to share
        }
        MemorySegment data = tensor.segment();
        if (data.byteSize() <= Integer.MAX_VALUE) {
            return manager.create(data.asByteBuffer().order(ByteOrder.nativeOrder()), shape, type);
        }
        ByteBuffer anchor = data.asSlice(0, ANCHOR_BYTES).asByteBuffer().order(ByteOrder.nativeOrder());
        return JniUtils.createNdFromByteBuffer(pytorch, anchor, shape, type, SparseFormat.DENSE, Device.cpu());
    }

    private static PtNDManager checkManager(NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        if (!(manager instanceof PtNDManager pytorch) || !manager.getDevice().equals(Device.cpu())) {
            throw new IllegalArgumentException("shared tensor views need a PyTorch NDManager on the CPU, not "
                    + manager.getEngine().getEngineName() + " on " + manager.getDevice());
        }
        return pytorch;
    }

    /**
     * Copies {@code array} once into a new tensor of {@code shm}; returns a view of it in {@code manager}.
     *
     * @param shm     the region to store in (the lock is taken for the allocation and copy)
     * @param array   any DJL array of a dtype DJL can view
     * @param manager the manager the returned view is attached to
     * @return a view of the new tensor
     */
    public static NDArray store(SharedMemory shm, NDArray array, NDManager manager) {
        return view(shm.copyToTensor(array), manager);
    }

    /**
     * As {@link #store(SharedMemory, NDArray, NDManager)} inside an access scope.
     *
     * @param access  the open scope to store through
     * @param array   any DJL array of a dtype DJL can view
     * @param manager the manager the returned view is attached to
     * @return a view of the new tensor
     */
    public static NDArray store(Access access, NDArray array, NDManager manager) {
        return view(access.copyToTensor(array), manager);
    }

    /**
     * Binds {@code manager} to the calling thread until the returned scope is closed: while it is
     * open, tensors stored from an {@code NDArray} come back from core's reads
     * ({@code takeMessage()}, {@code get(name)}, elements of shared containers) as
     * {@code NDArray} views attached to {@code manager}, so closing the manager frees them, as
     * DJL's own {@code NDScope} does. Outside any scope they come back as {@link SharedTensor}s
     * (view one with {@link #view(SharedTensor, NDManager)}): nothing process-wide ever holds an
     * array. Scopes nest; the innermost open one wins.
     *
     * <pre>{@code
     * try (NDManager batch = NDManager.newBaseManager(Device.cpu(), "PyTorch");
     *      SharedDjl.ViewScope views = SharedDjl.bind(batch)) {
     *     NDArray x = shm.takeMessage();   // a view attached to batch
     *     ...
     * }                                    // views closed before the manager: x is freed with it
     * }</pre>
     *
     * @param manager a PyTorch manager on the CPU, closed by the caller
     * @return the scope; close it on this thread
     */
    public static ViewScope bind(NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        ViewScope scope = new ViewScope(manager, BOUND.get());
        BOUND.set(scope);
        return scope;
    }

    /**
     * The manager bound to the calling thread by {@link #bind}, or null outside any scope.
     *
     * @return the innermost open scope's manager, or null
     */
    public static NDManager boundManager() {
        ViewScope scope = BOUND.get();
        return scope == null ? null : scope.manager;
    }

    private static final ThreadLocal<ViewScope> BOUND = new ThreadLocal<>();

    /** A manager bound to one thread by {@link #bind}; closing it restores the scope it replaced. */
    public static final class ViewScope implements AutoCloseable {
        private final NDManager manager;
        private final ViewScope outer;
        private final Thread owner = Thread.currentThread();
        private boolean closed;

        private ViewScope(NDManager manager, ViewScope outer) {
            this.manager = manager;
            this.outer = outer;
        }

        /**
         * The manager views made in this scope are attached to.
         *
         * @return the bound manager
         */
        public NDManager manager() {
            return manager;
        }

        /** Unbinds the manager (it stays open: the caller closes it). Idempotent. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner || BOUND.get() != this) {
                throw new IllegalStateException("a ViewScope is closed on the thread that bound it, innermost first");
            }
            closed = true;
            if (outer == null) {
                BOUND.remove();
            } else {
                BOUND.set(outer);
            }
        }
    }

    /**
     * Whether DJL can view a tensor of {@code dtype}. Not INT16 and BFLOAT16: DJL 0.36's PyTorch
     * JNI aborts the whole JVM ("terminate called without an active exception") when asked to
     * create an array of either type over existing memory, so this binding refuses them first.
     *
     * @param dtype a tensor element type
     * @return whether {@link #view(SharedTensor, NDManager)} accepts tensors of it
     */
    public static boolean canView(DType dtype) {
        return dtype != DType.INT16 && dtype != DType.BFLOAT16;
    }

    private static void checkViewable(DType dtype) {
        if (!canView(dtype)) {
            throw new IllegalArgumentException("DJL (PyTorch JNI 2.7.1-0.36.0) cannot view a " + dtype
                    + " tensor: creating such an array over shared memory aborts the JVM; read it with SharedTensor "
                    + "or ND4J, or store it as another dtype");
        }
    }

    /**
     * The DJL type of {@code dtype} (a type DJL has; see {@link #canView} for what it can view).
     *
     * @param dtype a tensor element type
     * @return the matching DJL data type
     */
    public static DataType toDjl(DType dtype) {
        return switch (dtype) {
            case FLOAT16 -> DataType.FLOAT16;
            case BFLOAT16 -> DataType.BFLOAT16;
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
            case INT8 -> DataType.INT8;
            case UINT8 -> DataType.UINT8;
            case INT16 -> DataType.INT16;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /**
     * The tensor type of a DJL type.
     *
     * @param type a DJL data type
     * @return the matching tensor element type
     * @throws IllegalArgumentException for types a shared tensor cannot hold (STRING, COMPLEX64,
     *                                  the unsigned 16/32/64-bit types, UNKNOWN)
     */
    public static DType fromDjl(DataType type) {
        return switch (type) {
            case FLOAT16 -> DType.FLOAT16;
            case BFLOAT16 -> DType.BFLOAT16;
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case INT8 -> DType.INT8;
            case UINT8 -> DType.UINT8;
            case INT16 -> DType.INT16;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("DJL data type " + type.name() + " has no shared tensor dtype "
                    + "(supported: FLOAT16, BFLOAT16, FLOAT32, FLOAT64, INT8, UINT8, INT16, INT32, INT64, BOOLEAN)");
        };
    }
}
