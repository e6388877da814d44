package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a shared map or set: a header block (tag {@code BlockTypes.HASH}) and an
 * open-addressing table (tag {@code BlockTypes.HASH_TABLE}) with linear probing and tombstones.
 *
 * <pre>
 * Header:
 *  +---------------------------------------------------------------+
 *  |  identity, references, modification count: ContainerLayout    |  0..23
 *  +---------------------------------------------------------------+
 *  |  size (8): live entries                                       | 24
 *  |  table (8): payload offset of the entry table, 0 = none       | 32
 *  |  capacity (8): entries in the table, a power of two           | 40
 *  |  used (8): live entries plus tombstones                       | 48
 *  |  entry bytes (8): 40 for a map, 24 for a set                  | 56
 *  +---------------------------------------------------------------+
 * Entry:
 *  +---------------------------------------------------------------+
 *  |  control (8): 0 empty, 1 tombstone, else the key's StableHash |  0
 *  |  with the top bit set                                         |
 *  +---------------------------------------------------------------+
 *  |  key slot (16, SlotLayout)                                    |  8
 *  +---------------------------------------------------------------+
 *  |  value slot (16, SlotLayout): maps only                       | 24
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A key's home is {@code hash & (capacity - 1)}; a probe walks forward until it finds the key or
 * an empty entry, and never more than {@code capacity} entries. The table grows (or is rebuilt
 * without tombstones) before {@code used} passes three quarters of the capacity, so an empty
 * entry always exists.
 */
public final class HashLayout {
    private HashLayout() {
    }

    public static final long SIZE_OFFSET = ContainerLayout.COMMON_BYTES;
    public static final long TABLE_OFFSET = SIZE_OFFSET + 8;
    public static final long CAPACITY_OFFSET = TABLE_OFFSET + 8;
    public static final long USED_OFFSET = CAPACITY_OFFSET + 8;
    public static final long ENTRY_BYTES_OFFSET = USED_OFFSET + 8;
    public static final long HEADER_BYTES = ENTRY_BYTES_OFFSET + 8;

    public static final long CONTROL_OFFSET = 0;
    public static final long KEY_OFFSET = 8;
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
