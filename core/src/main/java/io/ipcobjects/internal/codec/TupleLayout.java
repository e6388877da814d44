package io.ipcobjects.internal.codec;

/**
 * Layout of a tuple block (tag {@code BlockTypes.VALUE_TUPLE}): a fixed array of value slots,
 * for {@code Object[]} and for the immutable lists, sets and maps that keys and snapshots are
 * made of. A frozen map holds key, value, key, value, ...
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                          slot count                           |
 *        +---------------------------------------------------------------+
 *      8 |                  identity: random, non-zero                   |
 *        +---------------------------------------------------------------+
 *     16 |                      slot 0 (SlotLayout)                      |
 *     24 |                                                               |
 *        +---------------------------------------------------------------+
 *     32 |            slot 1 ... slot count-1, 16 bytes each             ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * The identity is read by snapshot views to notice that the tuple was destroyed.
 */
public final class TupleLayout {
    private TupleLayout() {
    }

    public static final long COUNT_OFFSET = 0;
    public static final long IDENTITY_OFFSET = COUNT_OFFSET + Long.BYTES;
    public static final long SLOTS_OFFSET = IDENTITY_OFFSET + Long.BYTES;

    public static long blockBytes(long slots) {
        return SLOTS_OFFSET + slots * SlotLayout.SLOT_BYTES;
    }

    public static long slotOffset(long tuple, long index) {
        return tuple + SLOTS_OFFSET + index * SlotLayout.SLOT_BYTES;
    }
}
