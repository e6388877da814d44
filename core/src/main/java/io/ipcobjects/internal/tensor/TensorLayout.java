package io.ipcobjects.internal.tensor;

/**
 * Layout of a tensor block's payload (block tag {@code BlockTypes.TENSOR}): a header, then, for a
 * tensor that owns its data, the elements from the next 64-byte boundary. Offsets are relative
 * to the block's payload, which the allocator hands out 64-byte aligned, so the data area is
 * 64-byte aligned in the region and in memory (ND4J crashes on misaligned float data).
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |          dtype code           |            rank r             |
 *        +-------------------------------+-------------------------------+
 *      8 |       origin binding id       |           reserved            |
 *        +-------------------------------+-------------------------------+
 *     16 |                          span bytes                           |
 *        +---------------------------------------------------------------+
 *     24 |                          data offset                          |
 *        +---------------------------------------------------------------+
 *     32 |                 base block: 0 = data follows                  |
 *        +---------------------------------------------------------------+
 *     40 |          identity: random, odd, new for each header           |
 *        +---------------------------------------------------------------+
 *     48 |             shape[0] ... shape[r-1], 8 bytes each             ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *  48+8r |           strides[0] ... strides[r-1], 8 bytes each           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * 48+16r |            padding to a 64-byte boundary (0 to 48)            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *      d |             data (span bytes), if base block = 0              ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>span bytes: bytes from element 0 to one past the last element;</li>
 *   <li>data offset: region offset of element 0;</li>
 *   <li>base block: 0 when the data follows this header, else the payload offset of the tensor
 *       block whose data this view points into;</li>
 *   <li>identity: see {@link #IDENTITY_OFFSET};</li>
 *   <li>strides: in elements;</li>
 *   <li>{@code d}: {@link #dataStart dataStart(r)}, the header rounded up to 64 bytes.</li>
 * </ul>
 *
 * <p>The origin binding id says which binding's type the tensor was made from (0: core, a
 * primitive array or {@code SharedTensor}), so a reader gets the same kind of object back.
 * Every field is validated when read ({@link TensorHeader#read}).
 */
public final class TensorLayout {
    private TensorLayout() {
    }

    public static final long DTYPE_OFFSET = 0;
    public static final long RANK_OFFSET = DTYPE_OFFSET + Integer.BYTES;
    public static final long ORIGIN_OFFSET = RANK_OFFSET + Integer.BYTES;
    public static final long RESERVED_INT_OFFSET = ORIGIN_OFFSET + Integer.BYTES;
    public static final long SPAN_BYTES_OFFSET = RESERVED_INT_OFFSET + Integer.BYTES;
    public static final long DATA_OFFSET_OFFSET = SPAN_BYTES_OFFSET + Long.BYTES;
    public static final long BASE_BLOCK_OFFSET = DATA_OFFSET_OFFSET + Long.BYTES;
    /**
     * The header's identity: random and odd, written with the header when a block is allocated,
     * so a block that is freed and allocated again (by any process) carries another identity.
     * 0 in headers written before identities existed. Binding views are cached against it
     * ({@link TensorViewTable}).
     */
    public static final long IDENTITY_OFFSET = BASE_BLOCK_OFFSET + Long.BYTES;
    /** {@code shape[0]}; the strides follow the shape, a long per dimension each. */
    public static final long SHAPE_OFFSET = IDENTITY_OFFSET + Long.BYTES;

    /** Alignment of a data area, in bytes: one cache line, enough for every vector unit in use. */
    public static final long DATA_ALIGNMENT = 64;

    /** Highest rank a header may declare (ND4J's limit too). */
    public static final int MAX_RANK = 32;

    /** Offset of {@code strides[0]} for a tensor of {@code rank}. */
    public static long stridesOffset(int rank) {
        return SHAPE_OFFSET + (long) Long.BYTES * rank;
    }

    /** Bytes of the header proper for {@code rank}. */
    public static long headerBytes(int rank) {
        return stridesOffset(rank) + (long) Long.BYTES * rank;
    }

    /** Offset of the data area inside a block that owns its data: the header rounded up to 64. */
    public static long dataStart(int rank) {
        return alignUp(headerBytes(rank), DATA_ALIGNMENT);
    }

    public static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
