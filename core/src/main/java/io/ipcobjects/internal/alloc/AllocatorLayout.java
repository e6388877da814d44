package io.ipcobjects.internal.alloc;

import io.ipcobjects.internal.memory.RegionHeaderLayout;

/**
 * Layout of the allocator's state in the region header, at
 * {@link RegionHeaderLayout#ALLOCATOR_OFFSET}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    heap start offset (8)                      |   0
 *  |                    heap end offset (8)                        |   8
 *  |          used bytes: sum of used block sizes (8)              |  16
 *  |                    used blocks (8)                            |  24
 *  |          free bytes: sum of free block sizes (8)              |  32
 *  |                    free blocks (8)                            |  40
 *  +---------------------------------------------------------------+
 *  |      bin bitmap: 4 x 64 bits, bit i set = bin i not empty     |  48..79
 *  +---------------------------------------------------------------+
 *  |                     reserved up to 128                        |
 *  +---------------------------------------------------------------+
 *  |      bin heads: 256 x 8 bytes, first free block or 0          | 128..2175
 *  +---------------------------------------------------------------+
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

    public static final long HEAP_START_OFFSET = BASE;
    public static final long HEAP_END_OFFSET = BASE + 8;
    public static final long USED_BYTES_OFFSET = BASE + 16;
    public static final long USED_BLOCKS_OFFSET = BASE + 24;
    public static final long FREE_BYTES_OFFSET = BASE + 32;
    public static final long FREE_BLOCKS_OFFSET = BASE + 40;
    public static final long BITMAP_OFFSET = BASE + 48;
    public static final int BITMAP_WORDS = 4;
    public static final long BIN_HEADS_OFFSET = BASE + 128;

    public static final int BIN_COUNT = 256;
    public static final int SMALL_BIN_COUNT = 62;
    public static final long SMALL_LIMIT = 1024;

    static {
        if (BIN_HEADS_OFFSET + BIN_COUNT * 8L > RegionHeaderLayout.ALLOCATOR_END) {
            throw new AssertionError("allocator state overflows its header area");
        }
    }

    public static long binHeadOffset(int bin) {
        return BIN_HEADS_OFFSET + bin * 8L;
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

    /** Smallest block size that {@code bin} holds. */
    public static long binLowerBound(int bin) {
        if (bin < SMALL_BIN_COUNT) {
            return (bin + 2L) << 4;
        }
        int p = (bin - SMALL_BIN_COUNT) / 4 + 10;
        int sub = (bin - SMALL_BIN_COUNT) % 4;
        return (1L << p) + ((long) sub << (p - 2));
    }

    /** Smallest block size that does not belong in {@code bin} any more. */
    public static long binUpperBound(int bin) {
        if (bin + 1 >= BIN_COUNT) {
            return Long.MAX_VALUE;
        }
        return binLowerBound(bin + 1);
    }
}
