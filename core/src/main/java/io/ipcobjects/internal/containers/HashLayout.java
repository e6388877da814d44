package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a shared map or set: a header block (tag {@code BlockTypes.HASH}) and an
 * open-addressing table (tag {@code BlockTypes.HASH_TABLE}) with linear probing and tombstones.
 *
 * <pre>
 * Header:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |   identity, references, modification count: ContainerLayout   |
 *      8 |                                                               |
 *     16 |                                                               |
 *        +---------------------------------------------------------------+
 *     24 |                      size: live entries                       |
 *        +---------------------------------------------------------------+
 *     32 |               table: the entry table, 0 = none                |
 *        +---------------------------------------------------------------+
 *     40 |                capacity: entries in the table                 |
 *        +---------------------------------------------------------------+
 *     48 |              used: live entries plus tombstones               |
 *        +---------------------------------------------------------------+
 *     56 |            entry bytes: 40 for a map, 24 for a set            |
 *        +---------------------------------------------------------------+
 *
 * Entry (the table is capacity entries of entry bytes):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                            control                            |
 *        +---------------------------------------------------------------+
 *      8 |                     key slot (SlotLayout)                     |
 *     16 |                                                               |
 *        +---------------------------------------------------------------+
 *     24 |              value slot (SlotLayout): maps only               |
 *     32 |                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * {@code table} is the payload offset of the entry table; {@code capacity} is a power of two. An
 * entry's control word is {@link #EMPTY}, {@link #TOMBSTONE}, or the key's {@code StableHash}
 * with the top bit set ({@link #control}).
 *
 * <p>A key's home is {@code hash & (capacity - 1)}; a probe walks forward until it finds the key or
 * an empty entry, and never more than {@code capacity} entries. The table grows (or is rebuilt
 * without tombstones) before {@code used} passes three quarters of the capacity, so an empty
 * entry always exists.
 */
public final class HashLayout {
    private HashLayout() {
    }

    public static final long SIZE_OFFSET = ContainerLayout.COMMON_BYTES;
    public static final long TABLE_OFFSET = SIZE_OFFSET + Long.BYTES;
    public static final long CAPACITY_OFFSET = TABLE_OFFSET + Long.BYTES;
    public static final long USED_OFFSET = CAPACITY_OFFSET + Long.BYTES;
    public static final long ENTRY_BYTES_OFFSET = USED_OFFSET + Long.BYTES;
    public static final long HEADER_BYTES = ENTRY_BYTES_OFFSET + Long.BYTES;

    // ---- an entry of the table ----

    public static final long CONTROL_OFFSET = 0;
    public static final long KEY_OFFSET = CONTROL_OFFSET + Long.BYTES;
    public static final long VALUE_OFFSET = KEY_OFFSET + SlotLayout.SLOT_BYTES;
    public static final long MAP_ENTRY_BYTES = VALUE_OFFSET + SlotLayout.SLOT_BYTES;
    public static final long SET_ENTRY_BYTES = KEY_OFFSET + SlotLayout.SLOT_BYTES;

    public static final long EMPTY = 0;
    public static final long TOMBSTONE = 1;
    public static final long LIVE_BIT = Long.MIN_VALUE;

    /** Whether a control word marks a live entry (its top bit is set). */
    public static boolean isLive(long control) {
        return control < 0;
    }

    /** The control word of a live entry whose key hashes to {@code hash}. */
    public static long control(long hash) {
        return hash | LIVE_BIT;
    }
}
