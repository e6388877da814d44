package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a live shared object (tag {@code BlockTypes.SHARED_OBJECT}, slot kind
 * {@code SlotKinds.OBJECT}): the state of an interface or abstract class whose accessors the
 * library generates ({@link ObjectType}), one value slot per field.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |           identity: random, non-zero while it lives           |
 *        +---------------------------------------------------------------+
 *      8 |                          references                           |
 *        +---------------------------------------------------------------+
 *     16 |       type entry: the type's TypeRegistryLayout entry         |
 *        +---------------------------------------------------------------+
 *     24 |                          field count                          |
 *        +---------------------------------------------------------------+
 *     32 |               field 0: value slot (SlotLayout)                |
 *     40 |                                                               |
 *        +---------------------------------------------------------------+
 *     48 |           field 1 ... field count-1, 16 bytes each            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>identity and references sit where a live container keeps them
 *       ({@code containers.ContainerLayout}): identity is random and non-zero while the object
 *       lives, and a view compares it on every access, so a view of a destroyed object fails
 *       instead of reading a reused block; references count the slots that hold the object plus
 *       the creator's view ({@code newObject}), and the last one let go frees it.</li>
 *   <li>The type entry's descriptor names the type and, one a line, each field as
 *       {@code name type} (for example {@code years int}), in field order: fields sorted by
 *       name. A reader compares it with its own type's before it makes a view.</li>
 *   <li>Primitive fields hold an inline slot of their kind ({@code INT}, {@code BOOLEAN}, ...)
 *       from creation on; their accessors read and write the slot's bits word and check its kind.
 *       Other fields hold any value the codec stores.</li>
 * </ul>
 */
public final class ObjectLayout {
    private ObjectLayout() {
    }

    public static final long IDENTITY_OFFSET = 0;
    public static final long REFERENCES_OFFSET = IDENTITY_OFFSET + Long.BYTES;
    public static final long TYPE_ENTRY_OFFSET = REFERENCES_OFFSET + Long.BYTES;
    public static final long FIELD_COUNT_OFFSET = TYPE_ENTRY_OFFSET + Long.BYTES;
    public static final long SLOTS_OFFSET = FIELD_COUNT_OFFSET + Long.BYTES;

    public static long blockBytes(long fields) {
        return SLOTS_OFFSET + fields * SlotLayout.SLOT_BYTES;
    }

    public static long slotOffset(long object, long field) {
        return object + SLOTS_OFFSET + field * SlotLayout.SLOT_BYTES;
    }
}
