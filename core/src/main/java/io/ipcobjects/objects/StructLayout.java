package io.ipcobjects.objects;

import io.ipcobjects.values.SlotLayout;

/**
 * Layout of a struct block (tag {@code BlockTypes.VALUE_STRUCT}): a record or a user object
 * projected onto a field table.
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  descriptor (8): payload offset of a blob holding, in UTF-8,  |  0
 *  |  the class name and the field names, one a line               |
 *  +---------------------------------------------------------------+
 *  |  field count (8)                                              |  8
 *  +---------------------------------------------------------------+
 *  |  field 0 value slot (16, SlotLayout) ... field count-1        | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The struct owns its descriptor blob and the values in its slots. A reader checks that the
 * descriptor's field count equals the block's and that the names match the class it loads.
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
