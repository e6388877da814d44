package io.ipcobjects.internal.alloc;

/**
 * Layout of a heap block. Every block starts on a 16-byte boundary and its size is a multiple
 * of 16, so the heap can be walked from its start by adding sizes.
 *
 * <pre>
 * Used block:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                 size, flags in the low 4 bits                 |
 *        +-------------------------------+-------------------------------+
 *      8 |           type tag            |           reserved            |
 *        +-------------------------------+-------------------------------+
 *     16 |          payload: the offset handed out points here           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *
 * Free block (at least MIN_BLOCK_BYTES):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |         size, flags in the low 4 bits (IN_USE clear)          |
 *        +---------------------------------------------------------------+
 *      8 |              next free block in the bin, 0 = end              |
 *        +---------------------------------------------------------------+
 *     16 |           previous free block in the bin, 0 = head            |
 *        +---------------------------------------------------------------+
 *     24 |               unused (none in a 32-byte block)                ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * size-8 |                      footer: size again                       |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * Flags: bit 0 {@link #FLAG_IN_USE}, bit 1 {@link #FLAG_PREV_FREE} (the block before this one is
 * free); the size is a multiple of {@link #GRANULE}, so it leaves the low 4 bits to them. Sizes
 * include the header. Next and previous link the free lists of {@link AllocatorLayout}'s bins,
 * by block offset.
 *
 * <p>The footer and the next block's PREV_FREE bit let {@code free} merge with the block
 * before it without a walk; the size lets it merge with the block after it.
 */
public final class BlockLayout {
    private BlockLayout() {
    }

    // ---- every block ----

    public static final long SIZE_FLAGS_OFFSET = 0;

    // ---- a used block: the header, then the payload ----

    public static final long TYPE_TAG_OFFSET = SIZE_FLAGS_OFFSET + Long.BYTES;
    public static final long RESERVED_OFFSET = TYPE_TAG_OFFSET + Integer.BYTES;
    /** Header bytes before a used block's payload. */
    public static final long HEADER_BYTES = RESERVED_OFFSET + Integer.BYTES;

    // ---- a free block: free-list links after the size word, and the size again at its end ----

    public static final long NEXT_FREE_OFFSET = SIZE_FLAGS_OFFSET + Long.BYTES;
    public static final long PREV_FREE_OFFSET = NEXT_FREE_OFFSET + Long.BYTES;
    /** The footer: a free block's last word, its size. */
    public static final long FOOTER_BYTES = Long.BYTES;

    /** Alignment and size unit of every block. */
    public static final long GRANULE = 16;
    /** Smallest block: what a free block needs (size, next, previous, footer). */
    public static final long MIN_BLOCK_BYTES = PREV_FREE_OFFSET + Long.BYTES + FOOTER_BYTES;

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
        return block + size - FOOTER_BYTES;
    }

    /** Block size that holds a payload of {@code payloadBytes}. */
    public static long blockSizeFor(long payloadBytes) {
        long size = (payloadBytes + HEADER_BYTES + GRANULE - 1) & ~(GRANULE - 1);
        return Math.max(size, MIN_BLOCK_BYTES);
    }

    public static long blockOf(long payload) {
        return payload - HEADER_BYTES;
    }
}
