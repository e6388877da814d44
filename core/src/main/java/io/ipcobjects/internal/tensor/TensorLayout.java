package io.ipcobjects.internal.tensor;

/**
 * Layout of a tensor block's payload (block tag {@code BlockTypes.TENSOR}): a header, then, for a
 * tensor that owns its data, the elements from the next 64-byte boundary. Offsets are relative
 * to the block's payload, which the allocator hands out 64-byte aligned, so the data area is
 * 64-byte aligned in the region and in memory (ND4J crashes on misaligned float data).
 *
 * <pre>
 *   0                   4                   8                  12                  16
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | dtype code (int)  | rank (int)        | origin binding id | reserved (0)      |
 *   +-------------------+-------------------+-------------------+-------------------+
 *  16 | span bytes (long): bytes from element 0 to one past the last element        |
 *  24 | data offset (long): region offset of element 0                              |
 *  32 | base block (long): 0 = data follows this header; else payload offset of the |
 *     |   tensor block whose data this view points into                             |
 *  40 | reserved (long, 0)                                                          |
 *  48 | shape[rank] (long each)                                                     |
 *     | strides[rank] (long each, in elements)                                      |
 *     +-----------------------------------------------------------------------------+
 *     | padding to a 64-byte boundary, then the data (span bytes) if base == 0       |
 * </pre>
 *
 * The origin binding id says which binding's type the tensor was made from (0: core, a
 * primitive array or {@code SharedTensor}), so a reader gets the same kind of object back.
 * Every field is validated when read ({@link TensorHeader#read}).
 */
public final class TensorLayout {
    private TensorLayout() {
    }

    public static final long DTYPE_OFFSET = 0;
    public static final long RANK_OFFSET = 4;
    public static final long ORIGIN_OFFSET = 8;
    public static final long RESERVED_INT_OFFSET = 12;
    public static final long SPAN_BYTES_OFFSET = 16;
    public static final long DATA_OFFSET_OFFSET = 24;
    public static final long BASE_BLOCK_OFFSET = 32;
    public static final long RESERVED_LONG_OFFSET = 40;
    public static final long SHAPE_OFFSET = 48;

    /** Alignment of a data area, in bytes: one cache line, enough for every vector unit in use. */
    public static final long DATA_ALIGNMENT = 64;

    /** Highest rank a header may declare (ND4J's limit too). */
    public static final int MAX_RANK = 32;

    /** Offset of {@code strides[0]} for a tensor of {@code rank}. */
    public static long stridesOffset(int rank) {
        return SHAPE_OFFSET + 8L * rank;
    }

    /** Bytes of the header proper for {@code rank}. */
    public static long headerBytes(int rank) {
        return SHAPE_OFFSET + 16L * rank;
    }

    /** Offset of the data area inside a block that owns its data: the header rounded up to 64. */
    public static long dataStart(int rank) {
        return alignUp(headerBytes(rank), DATA_ALIGNMENT);
    }

    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
