package io.ipcobjects.internal.structs;

/**
 * Layout of the type registry: one entry (tag {@code BlockTypes.TYPE_DESCRIPTOR}) per record or
 * user class whose values were ever stored in the region, shared by every struct of that class
 * ({@link StructLayout#DESCRIPTOR_OFFSET} points at it). Entries are kept for the region's life,
 * so storing and taking a struct allocates and frees only the struct and its values.
 *
 * <p>The registry is a singly linked list, newest first. Its head is the header word
 * {@code RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET} (0: empty). An entry:
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |          next: the entry registered before, 0 = none          |
 *        +---------------------------------------------------------------+
 *      8 |             ordinal: 1 for the oldest, next's + 1             |
 *        +---------------------------------------------------------------+
 *     16 |                          field count                          |
 *        +---------------------------------------------------------------+
 *     24 |                  descriptor length in bytes                   |
 *        +---------------------------------------------------------------+
 *     32 |            descriptor: UTF-8 class and field names            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * {@code next} is the payload offset of the entry registered before this one (0 for the oldest);
 * the descriptor is the UTF-8 class name and field names, one a line.
 *
 * <p>Entries are written completely before the head is set to them, and only under the region
 * lock, so a reader (also under the lock) sees whole entries. A walk checks that ordinals fall
 * strictly, so a corrupted list ends instead of cycling; a struct's reader checks the entry's
 * tag, its length against its block and its field count against the struct's.
 */
public final class TypeRegistryLayout {
    private TypeRegistryLayout() {
    }

    public static final long NEXT_OFFSET = 0;
    public static final long ORDINAL_OFFSET = NEXT_OFFSET + Long.BYTES;
    public static final long FIELD_COUNT_OFFSET = ORDINAL_OFFSET + Long.BYTES;
    public static final long LENGTH_OFFSET = FIELD_COUNT_OFFSET + Long.BYTES;
    public static final long DESCRIPTOR_OFFSET = LENGTH_OFFSET + Long.BYTES;

    public static long blockBytes(long descriptorLength) {
        return DESCRIPTOR_OFFSET + descriptorLength;
    }
}
