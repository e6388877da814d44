package io.ipcobjects.internal.lock;

import io.ipcobjects.internal.memory.RegionHeaderLayout;

/**
 * Layout of the region lock: the first word of the cache line at
 * {@link RegionHeaderLayout#LOCK_LINE_OFFSET}. The rest of that line holds the message queue's
 * root words ({@code messages.MessageQueueLayout}), which are only written under this lock: a
 * process that takes the lock to put or take a message gets the queue's root in the same
 * cache-line transfer. Nothing else in the header shares the line. The takeovers counter (locks
 * taken from dead owners) sits at {@link RegionHeaderLayout#LOCK_COUNTERS_OFFSET}, off the line.
 *
 * <pre>
 * Lock line, at RegionHeaderLayout.LOCK_LINE_OFFSET:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *    128 |           lock word: successor, owner (low 32 bits)           |
 *        +---------------------------------------------------------------+
 *    136 |       message queue root words (56): MessageQueueLayout       ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *
 * Lock counters, at RegionHeaderLayout.LOCK_COUNTERS_OFFSET:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *    256 |                           takeovers                           |
 *        +---------------------------------------------------------------+
 *    264 |                        reserved (248)                         ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * Owner and successor are the two 32-bit halves of one 64-bit word, always changed together by
 * one CAS ({@link #word}): the owner (0 when free) in the low half, the successor (0 when none,
 * else the next owner) in the high half. On a little-endian machine the owner is bytes 0..3.
 *
 * <p>A lock token is 32 bits: the process-table slot plus one (8 bits, so never 0) and the low
 * 24 bits of the slot's generation, i.e. the low 32 bits of a
 * {@link io.ipcobjects.internal.memory.ProcessTableLayout#token process-table token}.
 */
public final class LockLayout {
    private LockLayout() {
    }

    /** The lock word: owner (low 32 bits) and successor (high 32 bits). */
    public static final long LOCK_WORD_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET;
    /** Locks taken from dead owners, a long. */
    public static final long TAKEOVERS_OFFSET = RegionHeaderLayout.LOCK_COUNTERS_OFFSET;
    /** Reserved after the takeovers counter, to the end of the counters' area. */
    public static final long COUNTERS_RESERVED_OFFSET = TAKEOVERS_OFFSET + Long.BYTES;

    /** The generation bits a lock token keeps. */
    public static final long GENERATION_MASK = 0xFF_FFFFL;

    /** The 32-bit lock token of a process-table token (as a non-negative long). */
    public static long lockToken(long processToken) {
        return processToken & 0xFFFF_FFFFL;
    }

    /** The process-table slot a lock token names (may be out of range in a corrupted word). */
    public static int lockTokenSlot(long lockToken) {
        return (int) (lockToken & 0xFF) - 1;
    }

    public static long lockTokenGeneration(long lockToken) {
        return lockToken >>> 8;
    }

    public static long word(long successor, long owner) {
        return (successor << 32) | owner;
    }

    public static long owner(long word) {
        return word & 0xFFFF_FFFFL;
    }

    public static long successor(long word) {
        return word >>> 32;
    }
}
