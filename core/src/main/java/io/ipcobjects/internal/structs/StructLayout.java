package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a struct block (tag {@code BlockTypes.VALUE_STRUCT}): a record or a user object
 * projected onto a field table.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  type entry (8): payload offset of the class's entry in the   |  0
 *  |  type registry (TypeRegistryLayout): class and field names    |
 *  +---------------------------------------------------------------+
 *  |  field count (8)                                              |  8
 *  +---------------------------------------------------------------+
 *  |  field 0 value slot (16, SlotLayout) ... field count-1        | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The struct owns the values in its slots; its type entry is shared by every struct of the class
 * and kept for the region's life. A reader checks the entry's tag, that its field count equals
 * the block's and that the names match the class it loads.
 */
public final class StructLayout {
    private StructLayout() {
    }

    public static final long DESCRIPTOR_OFFSET = 0;
    public static final long FIELD_COUNT_OFFSET = 8;
    public static final long SLOTS_OFFSET = 16;

    public static long blockBytes(long fields) {
        return SLOTS_OFFSET + fields * SlotLayout.SLOT_BYTES;
    }

    public static long slotOffset(long struct, long field) {
        return struct + SLOTS_OFFSET + field * SlotLayout.SLOT_BYTES;
    }
}
