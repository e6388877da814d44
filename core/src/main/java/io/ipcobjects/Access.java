package io.ipcobjects;

import io.ipcobjects.alloc.BlockTypes;
import io.ipcobjects.region.RegionContext;
import io.ipcobjects.region.RegionHeaderLayout;
import io.ipcobjects.tensor.TensorBlocks;
import io.ipcobjects.tensor.TensorValues;

import java.lang.foreign.MemorySegment;

/**
 * One critical section on a region: the lock is held from {@link SharedMemory#acquire()} until
 * {@link #close()}. The Java form of the original's "acquire, work fast, release":
 *
 * <pre>{@code
 * try (Access a = shm.acquire()) {
 *     long counter = a.userRoot();
 *     MemorySegment c = a.block(counter);
 *     c.set(ValueLayout.JAVA_LONG, 0, c.get(ValueLayout.JAVA_LONG, 0) + 1);
 * }
 * }</pre>
 *
 * An {@code Access} belongs to the thread that acquired it; nested {@code acquire()} calls on
 * that thread are reentrant and each returns its own {@code Access} to close.
 */
public final class Access implements AutoCloseable {

    private final SharedMemory shared;
    private final RegionContext context;
    private final Thread owner;
    private boolean closed;

    Access(SharedMemory shared, RegionContext context) {
        this.shared = shared;
        this.context = context;
        this.owner = Thread.currentThread();
    }

    /** The region this access works on. */
    public SharedMemory sharedMemory() {
        return shared;
    }

    // ---- raw heap blocks ----

    /**
     * Allocates {@code bytes} of raw shared memory (16-byte aligned, contents unspecified) and
     * returns its region offset: the value to store elsewhere in the region to find it again.
     *
     * @throws OutOfSharedMemoryException if no free block is large enough; nothing changes
     */
    public long allocate(long bytes) {
        check();
        return context.allocator().allocate(bytes, BlockTypes.RAW);
    }

    /** As {@link #allocate(long)}, with the block's start aligned to {@code alignment} (a power of two). */
    public long allocateAligned(long bytes, long alignment) {
        check();
        return context.allocator().allocateAligned(bytes, alignment, BlockTypes.RAW);
    }

    /** Frees a block returned by {@link #allocate}. */
    public void free(long offset) {
        check();
        context.allocator().checkBlock(offset, BlockTypes.RAW);
        context.allocator().free(offset);
    }

    /**
     * The memory of a raw block as a segment of its usable size (at least what was asked). Valid
     * while the region is mapped; bounds-checked like any segment.
     */
    public MemorySegment block(long offset) {
        check();
        long capacity = context.allocator().checkBlock(offset, BlockTypes.RAW);
        return context.memory().slice(offset, capacity);
    }

    /** The application's root offset (0 until set): one word in the header for a custom structure. */
    public long userRoot() {
        check();
        return context.memory().getLong(RegionHeaderLayout.ROOT_USER_OFFSET);
    }

    public void setUserRoot(long offset) {
        check();
        if (offset != 0) {
            context.allocator().checkBlock(offset, BlockTypes.RAW);
        }
        context.memory().putLong(RegionHeaderLayout.ROOT_USER_OFFSET, offset);
    }

    // ---- heap inspection ----

    /** Allocator counters; O(1) but for the largest free block, which scans one bin. */
    public HeapStats stats() {
        check();
        return context.allocator().stats();
    }

    /**
     * Walks the whole heap and the free lists and checks they agree.
     *
     * @throws CorruptedRegionException at the first inconsistency
     */
    public HeapStats verify() {
        check();
        return context.allocator().verify();
    }

    // ---- tensors ----

    /**
     * A new row-major tensor, zero-filled (which writes, and so faults in, every page of it).
     * Use {@link #newTensor(SharedTensor.Init, DType, long...)} to skip the zeroing.
     *
     * @throws IllegalArgumentException  for a negative dimension, a rank over 32, or a byte size over a long
     * @throws OutOfSharedMemoryException if the region has no room; nothing changes
     */
    public SharedTensor newTensor(DType dtype, long... shape) {
        return newTensor(SharedTensor.Init.ZEROED, dtype, shape);
    }

    /** A new row-major tensor whose contents and pages are as {@code init} says. */
    public SharedTensor newTensor(SharedTensor.Init init, DType dtype, long... shape) {
        check();
        java.util.Objects.requireNonNull(init, "init");
        java.util.Objects.requireNonNull(dtype, "dtype");
        return TensorBlocks.initialise(TensorBlocks.allocate(context, dtype, shape, 0), init);
    }

    /**
     * Copies a numeric primitive array, a tensor of another region, or an array of a binding on
     * the class path (ND4J, DJL) into a new tensor of this region, once. A tensor of this region
     * is returned as it is.
     */
    public SharedTensor copyToTensor(Object value) {
        check();
        return TensorValues.copyToTensor(context, value);
    }

    /**
     * A core view of the tensor block at {@code blockOffset} ({@link SharedTensor#blockOffset()}),
     * validated. For handing a tensor to another process by its offset until it travels in a
     * message or under a name.
     *
     * @throws CorruptedRegionException if no valid tensor is there
     */
    public SharedTensor tensorAt(long blockOffset) {
        check();
        return TensorBlocks.read(context, blockOffset);
    }

    /** Frees {@code tensor}'s block. Views of it in any process must no longer be used. */
    public void freeTensor(SharedTensor tensor) {
        check();
        if (!tensor.belongsTo(context)) {
            throw new IllegalArgumentException(tensor + " is not a tensor of this region handle");
        }
        TensorBlocks.free(context, tensor.blockOffset());
    }
    // ---- end tensors ----

    /** Releases the lock (one hold of it). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an Access must be closed by the thread that acquired it (" + owner + ")");
        }
        closed = true;
        context.release();
    }

    /** For code built on Access in other packages: fails unless this access is open on its own thread. */
    void check() {
        if (closed) {
            throw new IllegalStateException("this Access was closed; acquire a new one");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an Access is used only by the thread that acquired it (" + owner + ")");
        }
        context.ensureOpen();
    }

    RegionContext context() {
        return context;
    }
}
