package io.ipcobjects.internal.alloc;

/**
 * Layout of a heap block. Every block starts on a 16-byte boundary and its size is a multiple
 * of 16, so the heap can be walked from its start by adding sizes.
 *
 * <pre>
 * Used block:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  size in bytes, header included (8); low 4 bits are flags:    |  0
 *  |  bit 0 IN_USE, bit 1 PREV_FREE                                |
 *  +-------------------------------+-------------------------------+
 *  |      type tag (4)             |     reserved (4)              |  8
 *  +-------------------------------+-------------------------------+
 *  |  payload ... (the offset handed out points here)              | 16
 *  +---------------------------------------------------------------+
 *
 * Free block (at least 32 bytes):
 *  +---------------------------------------------------------------+
 *  |  size | flags (IN_USE clear)                                  |  0
 *  |  next free block in the same bin (8), 0 = end                 |  8
 *  |  previous free block in the same bin (8), 0 = bin head        | 16
 *  |  ...                                                          |
 *  |  size again (8): the footer, last 8 bytes of the block        | size-8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The footer and the next block's PREV_FREE bit let {@code free} merge with the block
 * before it without a walk; the size lets it merge with the block after it.
 */
public final class BlockLayout {
    private BlockLayout() {
    }

    public static final long SIZE_FLAGS_OFFSET = 0;
    public static final long TYPE_TAG_OFFSET = 8;
    public static final long RESERVED_OFFSET = 12;
    public static final long NEXT_FREE_OFFSET = 8;
    public static final long PREV_FREE_OFFSET = 16;

    public static final long HEADER_BYTES = 16;
    public static final long GRANULE = 16;
    public static final long MIN_BLOCK_BYTES = 32;

    public static final long FLAG_IN_USE = 1;
    public static final long FLAG_PREV_FREE = 2;
    public static final long FLAG_MASK = GRANULE - 1;

    public static long size(long sizeFlags) {
        return sizeFlags & ~FLAG_MASK;
    }

    public static boolean inUse(long sizeFlags) {
        return (sizeFlags & FLAG_IN_USE) != 0;
    }

    public static boolean prevFree(long sizeFlags) {
        return (sizeFlags & FLAG_PREV_FREE) != 0;
    }

    public static long footerOffset(long block, long size) {
        return block + size - 8;
    }

    /** Block size that holds a payload of {@code payloadBytes}. */
    public static long blockSizeFor(long payloadBytes) {
        long size = (payloadBytes + HEADER_BYTES + GRANULE - 1) & ~(GRANULE - 1);
        return Math.max(size, MIN_BLOCK_BYTES);
    }

    public static long payloadOf(long block) {
        return block + HEADER_BYTES;
    }

    public static long blockOf(long payload) {
        return payload - HEADER_BYTES;
    }
}
