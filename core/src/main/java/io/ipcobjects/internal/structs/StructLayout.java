package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a struct block (tag {@code BlockTypes.VALUE_STRUCT}): a record or a user object
 * projected onto a field table.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |       type entry: the class's TypeRegistryLayout entry        |
 *        +---------------------------------------------------------------+
 *      8 |                          field count                          |
 *        +---------------------------------------------------------------+
 *     16 |               field 0: value slot (SlotLayout)                |
 *     24 |                                                               |
 *        +---------------------------------------------------------------+
 *     32 |           field 1 ... field count-1, 16 bytes each            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * The type entry is the payload offset of the class's entry in the type registry, which holds
 * the class and field names. The struct owns the values in its slots; its type entry is shared
 * by every struct of the class and kept for the region's life. A reader checks the entry's tag,
 * that its field count equals the block's and that the names match the class it loads.
 */
public final class StructLayout {
    private StructLayout() {
    }

    /**
     * The type entry (named for the descriptor blob a struct owned before layout version 3): the
     * payload offset of the class's {@link TypeRegistryLayout} entry.
     */
    public static final long DESCRIPTOR_OFFSET = 0;
    public static final long FIELD_COUNT_OFFSET = DESCRIPTOR_OFFSET + Long.BYTES;
    public static final long SLOTS_OFFSET = FIELD_COUNT_OFFSET + Long.BYTES;

    public static long blockBytes(long fields) {
        return SLOTS_OFFSET + fields * SlotLayout.SLOT_BYTES;
    }

    public static long slotOffset(long struct, long field) {
        return struct + SLOTS_OFFSET + field * SlotLayout.SLOT_BYTES;
    }
}
