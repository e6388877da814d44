package io.ipcobjects.internal.memory;

/**
 * Layout of the process table: {@value #SLOT_COUNT} slots of {@value #SLOT_BYTES} bytes from
 * {@link RegionHeaderLayout#PROCESS_TABLE_OFFSET}, one per attached process.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |           slot word: generation, state (low 8 bits)           |
 *        +---------------------------------------------------------------+
 *      8 |                              pid                              |
 *        +---------------------------------------------------------------+
 *     16 |          process start time, clock ticks since boot           |
 *        +-------------------------------+-------------------------------+
 *     24 |             role              |           reserved            |
 *        +-------------------------------+-------------------------------+
 *     32 |                   attached at, epoch millis                   |
 *        +---------------------------------------------------------------+
 *     40 |            pid namespace (inode of /proc/self/ns/pid)         |
 *        +---------------------------------------------------------------+
 *     48 |                           reserved                            |
 *     56 |                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Pid, start time and pid namespace are for display only (an inspector, error messages): a
 * pid means nothing outside its namespace. Whether a slot's process lives is decided by the
 * kernel: the slot's holder keeps an exclusive open-file-description lock on the first byte of
 * the slot word in the region file ({@link FileLockLayout#slotLockByte}) for its whole life.
 *
 * <p>The slot word is the only field written with CAS, and only by whoever holds the slot's
 * byte lock. Claiming takes the byte lock (without waiting: a locked byte is a live slot), then
 * moves the word from whatever it is (FREE, or a dead holder's ATTACHED or CLAIMING) to
 * {@code (g+1, CLAIMING)}; the claimer fills the other fields and then publishes
 * {@code (g+1, ATTACHED)} with release. Leaving moves {@code (g, ATTACHED)} to
 * {@code (g, FREE)} and then drops the byte lock; reclaiming a dead holder's slot takes the byte
 * lock (which succeeds only if the holder is gone), makes the same move, and drops it. Because
 * the generation only grows, a {@linkplain #token lock-owner token} names one attachment, never
 * a later user of the same slot.
 */
public final class ProcessTableLayout {
    private ProcessTableLayout() {
    }

    public static final int SLOT_COUNT = 64;
    /** One cache line per slot. */
    public static final int SLOT_BYTES = 64;
    /** Bytes of the whole table. */
    public static final long TABLE_BYTES = (long) SLOT_COUNT * SLOT_BYTES;

    /** {@code generation << 8 | state}: see {@link #slotWord}. */
    public static final long SLOT_WORD_OFFSET = 0;
    public static final long PID_OFFSET = SLOT_WORD_OFFSET + Long.BYTES;
    public static final long START_TICKS_OFFSET = PID_OFFSET + Long.BYTES;
    /** {@link #ROLE_CREATOR} or {@link #ROLE_CONSUMER}, an int. */
    public static final long ROLE_OFFSET = START_TICKS_OFFSET + Long.BYTES;
    public static final long ROLE_RESERVED_OFFSET = ROLE_OFFSET + Integer.BYTES;
    public static final long ATTACHED_AT_MILLIS_OFFSET = ROLE_RESERVED_OFFSET + Integer.BYTES;
    /** The inode number of the holder's pid namespace, 0 if unknown: says which namespace the pid is in. */
    public static final long PID_NAMESPACE_OFFSET = ATTACHED_AT_MILLIS_OFFSET + Long.BYTES;
    /** Reserved after the fields, up to the end of the slot. */
    public static final long SLOT_RESERVED_OFFSET = PID_NAMESPACE_OFFSET + Long.BYTES;

    public static final int STATE_FREE = 0;
    public static final int STATE_CLAIMING = 1;
    public static final int STATE_ATTACHED = 2;

    public static final int ROLE_CREATOR = 1;
    public static final int ROLE_CONSUMER = 2;

    public static long slotOffset(int slot) {
        return RegionHeaderLayout.PROCESS_TABLE_OFFSET + (long) slot * SLOT_BYTES;
    }

    public static long slotWord(long generation, int state) {
        return (generation << 8) | state;
    }

    public static long generation(long slotWord) {
        return slotWord >>> 8;
    }

    public static int state(long slotWord) {
        return (int) (slotWord & 0xFF);
    }

    /**
     * The identity a process uses in the lock words: its slot and that slot's generation.
     * Never 0 (the slot is stored plus one), so 0 can mean "nobody".
     */
    public static long token(int slot, long generation) {
        return (generation << 8) | (slot + 1);
    }

    public static int tokenSlot(long token) {
        return (int) (token & 0xFF) - 1;
    }

    public static long tokenGeneration(long token) {
        return token >>> 8;
    }
}
