package io.ipcobjects.internal.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;

/**
 * Allocates, reads and frees tensor blocks ({@link TensorLayout}). Allocation, reading and
 * freeing run under the region lock (the caller holds it); initialising the elements
 * ({@link #initialise}) does not need it, because nobody else knows the block yet.
 */
public final class TensorBlocks {
    private TensorBlocks() {
    }

    /** A new row-major tensor block with unspecified contents; {@code origin} is recorded in its header. */
    public static TensorView allocate(RegionContext context, DType dtype, long[] shape, int origin) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        Shapes.checkNewShape(shape, dtype.byteSize());
        long[] dims = shape.clone();
        long spanBytes = Shapes.elementCount(dims) * dtype.byteSize();
        long dataStart = TensorLayout.dataStart(dims.length);
        long block = context.allocator().allocateAligned(dataStart + spanBytes, TensorLayout.DATA_ALIGNMENT, BlockTypes.TENSOR);
        TensorHeader header = new TensorHeader(block, dtype, dims, Shapes.rowMajorStrides(dims), spanBytes,
                block + dataStart, 0, origin, TensorHeader.newIdentity());
        header.write(context.memory());
        return new TensorView(context, header);
    }

    /** Brings a freshly allocated tensor's elements into the state {@code init} promises. */
    public static SharedTensor initialise(SharedTensor tensor, SharedTensor.Init init) {
        switch (init) {
            case ZEROED -> tensor.segment().fill((byte) 0);
            case PREFAULTED -> tensor.prefault();
            case UNINITIALIZED -> { }
        }
        return tensor;
    }

    /** A core view of the tensor block at {@code block}, validated. */
    public static TensorView read(RegionContext context, long block) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        return new TensorView(context, TensorHeader.read(context, block));
    }

    /**
     * The block to store for {@code tensor}, a view of this region: its own block when it is the
     * whole tensor, else a new header-only block that points into the owning block's data.
     */
    public static long storeView(RegionContext context, TensorView tensor) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        if (tensor.isWholeBlock()) {
            return tensor.blockOffset();
        }
        TensorHeader owner = tensor.header();
        long base = owner.baseBlock() != 0 ? owner.baseBlock() : owner.block();
        long[] shape = tensor.shape();
        long block = context.allocator().allocate(TensorLayout.headerBytes(shape.length), BlockTypes.TENSOR);
        new TensorHeader(block, tensor.dtype(), shape, tensor.strides(), tensor.byteSize(), tensor.dataOffset(), base,
                tensor.origin(), TensorHeader.newIdentity()).write(context.memory());
        return block;
    }

    /**
     * Frees the tensor block at {@code block} after validating it. A view block frees only its
     * header; freeing a tensor that views still point into leaves those views dangling, as
     * destroying any shared object does. The handle's cached binding views of the block are
     * dropped (other processes' caches see the new identity when the block is reused).
     */
    public static void free(RegionContext context, long block) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        TensorHeader.read(context, block);
        context.allocator().free(block);
        TensorKinds tensors = TensorKinds.of(context);
        if (tensors != null) {
            tensors.views().forget(tensors.handle(), block);
        }
    }
}
