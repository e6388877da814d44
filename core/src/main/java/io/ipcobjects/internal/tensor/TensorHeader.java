package io.ipcobjects.internal.tensor;

import static io.ipcobjects.internal.tensor.TensorLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;

import java.util.Arrays;

/**
 * A tensor header ({@link TensorLayout}) decoded and validated, or about to be written.
 *
 * @param block      payload offset of the tensor block holding this header
 * @param dtype      element type
 * @param shape      dimensions (length = rank)
 * @param strides    strides in elements
 * @param spanBytes  bytes from element 0 to one past the farthest element
 * @param dataOffset region offset of element 0
 * @param baseBlock  0 if the data follows the header, else the block the data lives in
 * @param origin     id of the binding whose type the tensor was made from (0: core)
 * @param identity   random and odd, new each time a header is written ({@link TensorLayout#IDENTITY_OFFSET});
 *                   0 in headers written before identities existed
 */
public record TensorHeader(long block, DType dtype, long[] shape, long[] strides, long spanBytes, long dataOffset,
                           long baseBlock, int origin, long identity) {

    /** A fresh identity for a header about to be written: random and odd, so never 0. */
    public static long newIdentity() {
        return java.util.concurrent.ThreadLocalRandom.current().nextLong() | 1;
    }

    public int rank() {
        return shape.length;
    }

    /** Writes this header into its block (the caller holds the region lock and owns the block). */
    public void write(RegionMemory memory) {
        memory.putInt(block + DTYPE_OFFSET, dtype.code());
        memory.putInt(block + RANK_OFFSET, shape.length);
        memory.putInt(block + ORIGIN_OFFSET, origin);
        memory.putInt(block + RESERVED_INT_OFFSET, 0);
        memory.putLong(block + SPAN_BYTES_OFFSET, spanBytes);
        memory.putLong(block + DATA_OFFSET_OFFSET, dataOffset);
        memory.putLong(block + BASE_BLOCK_OFFSET, baseBlock);
        memory.putLong(block + IDENTITY_OFFSET, identity);
        long stridesAt = block + stridesOffset(shape.length);
        for (int i = 0; i < shape.length; i++) {
            memory.putLong(block + SHAPE_OFFSET + 8L * i, shape[i]);
            memory.putLong(stridesAt + 8L * i, strides[i]);
        }
    }

    /**
     * Reads and validates the header of the tensor block at {@code block}: the block itself,
     * dtype, rank, every dimension and stride, the span against the shape, and the data range
     * against the block (or its base block). Needs the region lock only in the sense that the
     * block must not be freed meanwhile.
     *
     * @throws CorruptedRegionException naming the first field that is wrong
     */
    public static TensorHeader read(RegionContext context, long block) {
        RegionMemory memory = context.memory();
        long capacity = context.allocator().checkBlock(block, BlockTypes.TENSOR);
        if (capacity < SHAPE_OFFSET) {
            throw corrupt(block, "block of " + capacity + " bytes is smaller than a tensor header");
        }
        int code = memory.getInt(block + DTYPE_OFFSET);
        DType dtype = DType.ofCode(code);
        if (dtype == null) {
            throw corrupt(block, "unknown dtype code " + code);
        }
        int rank = memory.getInt(block + RANK_OFFSET);
        if (rank < 0 || rank > MAX_RANK) {
            throw corrupt(block, "rank " + rank + " outside [0, " + MAX_RANK + "]");
        }
        if (headerBytes(rank) > capacity) {
            throw corrupt(block, "header of rank " + rank + " does not fit a block of " + capacity + " bytes");
        }
        long[] shape = new long[rank];
        long[] strides = new long[rank];
        long stridesAt = block + stridesOffset(rank);
        for (int i = 0; i < rank; i++) {
            shape[i] = memory.getLong(block + SHAPE_OFFSET + 8L * i);
            strides[i] = memory.getLong(stridesAt + 8L * i);
            if (shape[i] < 0) {
                throw corrupt(block, "dimension " + i + " is negative: " + shape[i]);
            }
            if (strides[i] < 0) {
                throw corrupt(block, "stride " + i + " is negative: " + strides[i]);
            }
        }
        long expectedSpan;
        try {
            Shapes.elementCount(shape);
            expectedSpan = Math.multiplyExact(Shapes.spanElements(shape, strides), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw corrupt(block, "shape " + Arrays.toString(shape) + " with strides " + Arrays.toString(strides)
                    + " overflows a long");
        }
        long spanBytes = memory.getLong(block + SPAN_BYTES_OFFSET);
        if (spanBytes != expectedSpan) {
            throw corrupt(block, "span of " + spanBytes + " bytes disagrees with shape " + Arrays.toString(shape)
                    + " (" + expectedSpan + " bytes of " + dtype + ")");
        }
        long dataOffset = memory.getLong(block + DATA_OFFSET_OFFSET);
        long baseBlock = memory.getLong(block + BASE_BLOCK_OFFSET);
        long low;
        long high;
        if (baseBlock == 0) {
            low = block + dataStart(rank);
            high = block + capacity;
            if (dataOffset % DATA_ALIGNMENT != 0) {
                throw corrupt(block, "data offset " + dataOffset + " is not " + DATA_ALIGNMENT + "-byte aligned");
            }
        } else {
            if (baseBlock == block) {
                throw corrupt(block, "tensor names itself as its base block");
            }
            low = baseBlock;
            high = baseBlock + context.allocator().checkBlock(baseBlock, BlockTypes.TENSOR);
            if (dataOffset % dtype.byteSize() != 0) {
                throw corrupt(block, "data offset " + dataOffset + " is not aligned to " + dtype.byteSize() + " bytes");
            }
        }
        if (dataOffset < low || dataOffset > high || spanBytes > high - dataOffset) {
            throw corrupt(block, "data [" + dataOffset + ", +" + spanBytes + ") lies outside its block [" + low + ", " + high + ")");
        }
        int origin = memory.getInt(block + ORIGIN_OFFSET);
        long identity = memory.getLong(block + IDENTITY_OFFSET);
        return new TensorHeader(block, dtype, shape, strides, spanBytes, dataOffset, baseBlock, origin, identity);
    }

    private static CorruptedRegionException corrupt(long block, String what) {
        return new CorruptedRegionException("tensor block " + block + ": " + what, block);
    }
}
