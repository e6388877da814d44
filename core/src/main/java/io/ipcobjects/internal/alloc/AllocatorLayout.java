package io.ipcobjects.internal.alloc;

import io.ipcobjects.internal.memory.RegionHeaderLayout;

/**
 * Layout of the allocator's state in the region header, at
 * {@link RegionHeaderLayout#ALLOCATOR_OFFSET}.
 *
 * <pre>
 * At RegionHeaderLayout.ALLOCATOR_OFFSET, absolute offsets:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *    512 |                          heap start                           |
 *        +---------------------------------------------------------------+
 *    520 |                           heap end                            |
 *        +---------------------------------------------------------------+
 *    528 |              used bytes: sum of used block sizes              |
 *        +---------------------------------------------------------------+
 *    536 |                          used blocks                          |
 *        +---------------------------------------------------------------+
 *    544 |              free bytes: sum of free block sizes              |
 *        +---------------------------------------------------------------+
 *    552 |                          free blocks                          |
 *        +---------------------------------------------------------------+
 *    560 |            bin bitmap: bit i set = bin i not empty            |
 *    568 |                                                               |
 *    576 |                                                               |
 *    584 |                                                               |
 *        +---------------------------------------------------------------+
 *    592 |                         reserved (48)                         ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *    640 |          bin heads (256 x 8): first free block or 0           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *   2688 |                        reserved (1408)                        ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Bins (segregated free lists of free blocks, by block size {@code s}):
 * <ul>
 *   <li>small, exact: {@code 32 <= s < 1024} in steps of 16, bin {@code s/16 - 2} (0..61);
 *       every block in one holds exactly that size, so its head always fits;</li>
 *   <li>large, four per power of two: {@code s >= 1024}, with {@code p = floor(log2 s)},
 *       bin {@code 62 + 4(p - 10) + (the two bits of s below the top bit)}.</li>
 * </ul>
 * Any block in a bin above the one a size maps to is large enough, so a search never walks a
 * long list: it checks a few blocks of its own bin, then takes the head of the next non-empty bin
 * found in the bitmap.
 */
public final class AllocatorLayout {
    private AllocatorLayout() {
    }

    private static final long BASE = RegionHeaderLayout.ALLOCATOR_OFFSET;

    /** Bins: free lists by block size. */
    public static final int BIN_COUNT = 256;
    /** Blocks below this size go to the small bins, one per size. */
    public static final long SMALL_LIMIT = 1024;
    /** One small bin per size from {@link BlockLayout#MIN_BLOCK_BYTES} up to {@link #SMALL_LIMIT}. */
    public static final int SMALL_BIN_COUNT = (int) ((SMALL_LIMIT - BlockLayout.MIN_BLOCK_BYTES) / BlockLayout.GRANULE);

    public static final long HEAP_START_OFFSET = BASE;
    public static final long HEAP_END_OFFSET = HEAP_START_OFFSET + Long.BYTES;
    public static final long USED_BYTES_OFFSET = HEAP_END_OFFSET + Long.BYTES;
    public static final long USED_BLOCKS_OFFSET = USED_BYTES_OFFSET + Long.BYTES;
    public static final long FREE_BYTES_OFFSET = USED_BLOCKS_OFFSET + Long.BYTES;
    public static final long FREE_BLOCKS_OFFSET = FREE_BYTES_OFFSET + Long.BYTES;
    /** One bit per bin. */
    public static final long BITMAP_OFFSET = FREE_BLOCKS_OFFSET + Long.BYTES;
    public static final int BITMAP_WORDS = BIN_COUNT / Long.SIZE;
    /** Reserved after the bitmap, up to the bin heads. */
    public static final long BITMAP_RESERVED_OFFSET = BITMAP_OFFSET + BITMAP_WORDS * (long) Long.BYTES;
    public static final long BITMAP_RESERVED_BYTES = 48;
    /** One word per bin: its first free block, 0 when empty. */
    public static final long BIN_HEADS_OFFSET = BITMAP_RESERVED_OFFSET + BITMAP_RESERVED_BYTES;
    /** Reserved after the bin heads, up to {@link RegionHeaderLayout#ALLOCATOR_END}. */
    public static final long BIN_HEADS_RESERVED_OFFSET = BIN_HEADS_OFFSET + BIN_COUNT * (long) Long.BYTES;

    static {
        if (BIN_HEADS_RESERVED_OFFSET > RegionHeaderLayout.ALLOCATOR_END) {
            throw new AssertionError("allocator state overflows its header area");
        }
    }

    public static long binHeadOffset(int bin) {
        return BIN_HEADS_OFFSET + bin * (long) Long.BYTES;
    }

    /** The bin a free block of {@code blockSize} bytes lives in. */
    public static int binOf(long blockSize) {
        if (blockSize < SMALL_LIMIT) {
            return (int) (blockSize >>> 4) - 2;
        }
        int p = 63 - Long.numberOfLeadingZeros(blockSize);
        int sub = (int) (blockSize >>> (p - 2)) & 3;
        return SMALL_BIN_COUNT + 4 * (p - 10) + sub;
    }
}
