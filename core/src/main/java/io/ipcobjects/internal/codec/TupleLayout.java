package io.ipcobjects.internal.codec;

/**
 * Layout of a tuple block (tag {@code BlockTypes.VALUE_TUPLE}): a fixed array of value slots,
 * for {@code Object[]} and for the immutable lists, sets and maps that keys and snapshots are
 * made of. A frozen map holds key, value, key, value, ...
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  slot count (8)                                               |  0
 *  +---------------------------------------------------------------+
 *  |  identity (8): random, non-zero; read by snapshot views to    |  8
 *  |  notice that the tuple was destroyed                          |
 *  +---------------------------------------------------------------+
 *  |  slot 0 (16, SlotLayout) ... slot count-1                     | 16
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class TupleLayout {
    private TupleLayout() {
    }

    public static final long COUNT_OFFSET = 0;
    public static final long IDENTITY_OFFSET = 8;
    public static final long SLOTS_OFFSET = 16;

    public static long blockBytes(long slots) {
        return SLOTS_OFFSET + slots * SlotLayout.SLOT_BYTES;
    }

    public static long slotOffset(long tuple, long index) {
        return tuple + SLOTS_OFFSET + index * SlotLayout.SLOT_BYTES;
    }
}
