package io.ipcobjects.internal.memory;

/**
 * Layout of the per-process counters: {@value ProcessTableLayout#SLOT_COUNT} lines of
 * {@value #SLOT_BYTES} bytes from {@link RegionHeaderLayout#PROCESS_COUNTERS_OFFSET}, line
 * {@code s} for whoever holds process-table slot {@code s}.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                       lock acquisitions                       |
 *        +---------------------------------------------------------------+
 *      8 |               lock waits (acquisitions that waited)           |
 *        +---------------------------------------------------------------+
 *     16 |          lock hand-offs received (from a queued release)      |
 *        +---------------------------------------------------------------+
 *     24 |              lock takeovers (from a dead holder)              |
 *        +---------------------------------------------------------------+
 *     32 |                         messages put                          |
 *        +---------------------------------------------------------------+
 *     40 |                        messages taken                         |
 *        +---------------------------------------------------------------+
 *     48 |                    heap bytes allocated                       |
 *        +---------------------------------------------------------------+
 *     56 |                       heap bytes freed                        |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Every count is bumped only by the process holding the slot; readers in other processes
 * (the inspector) read with acquire. The lock counts and the heap bytes are bumped under the
 * region lock, one thread at a time, with a plain read and an ordered (release) write. The
 * message counts are gathered in the handle, per thread ({@code ProcessCounters#messagePut}),
 * and added with an atomic add once per 64 of a thread's messages and whenever the process has
 * nothing to do, so they lag a busy process by fewer than 64 per thread. The counts are
 * statistics, not state: the undo log does not see them, so a rolled-back scope's work stays
 * counted. A process that claims a slot zeroes its line first.
 */
public final class ProcessCountersLayout {
    private ProcessCountersLayout() {
    }

    /** One cache line per process: a count never moves another process's line. */
    public static final int SLOT_BYTES = 64;
    public static final long TABLE_BYTES = (long) ProcessTableLayout.SLOT_COUNT * SLOT_BYTES;

    public static final long LOCK_ACQUISITIONS_OFFSET = 0;
    public static final long LOCK_WAITS_OFFSET = LOCK_ACQUISITIONS_OFFSET + Long.BYTES;
    public static final long LOCK_HAND_OFFS_OFFSET = LOCK_WAITS_OFFSET + Long.BYTES;
    public static final long LOCK_TAKEOVERS_OFFSET = LOCK_HAND_OFFS_OFFSET + Long.BYTES;
    public static final long MESSAGES_PUT_OFFSET = LOCK_TAKEOVERS_OFFSET + Long.BYTES;
    public static final long MESSAGES_TAKEN_OFFSET = MESSAGES_PUT_OFFSET + Long.BYTES;
    public static final long BYTES_ALLOCATED_OFFSET = MESSAGES_TAKEN_OFFSET + Long.BYTES;
    public static final long BYTES_FREED_OFFSET = BYTES_ALLOCATED_OFFSET + Long.BYTES;
    /** Number of counts in a line. */
    public static final int COUNTS = (int) ((BYTES_FREED_OFFSET + Long.BYTES) / Long.BYTES);

    /** Region offset of slot {@code slot}'s line. */
    public static long lineOffset(int slot) {
        return RegionHeaderLayout.PROCESS_COUNTERS_OFFSET + (long) slot * SLOT_BYTES;
    }
}
