package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a shared list: a header block (tag {@code BlockTypes.LIST}) and an element block
 * (tag {@code BlockTypes.LIST_ELEMENTS}) of value slots, replaced by a larger one when full.
 *
 * <pre>
 * Header:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |   identity, references, modification count: ContainerLayout   |
 *      8 |                                                               |
 *     16 |                                                               |
 *        +---------------------------------------------------------------+
 *     24 |                     size: elements in use                     |
 *        +---------------------------------------------------------------+
 *     32 |             elements: the element block, 0 = none             |
 *        +---------------------------------------------------------------+
 *     40 |            capacity: slots the element block holds            |
 *        +---------------------------------------------------------------+
 *
 * Element block:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                      slot 0 (SlotLayout)                      |
 *      8 |                                                               |
 *        +---------------------------------------------------------------+
 *     16 |           slot 1 ... slot capacity-1, 16 bytes each           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * {@code elements} is the payload offset of the element block.
 *
 * <p>Invariant (checked by readers): {@code 0 <= size <= capacity}, and the element block is a
 * {@code LIST_ELEMENTS} block of at least {@code capacity * 16} bytes. Slots at and past
 * {@code size} are null (zero).
 */
public final class ListLayout {
    private ListLayout() {
    }

    public static final long SIZE_OFFSET = ContainerLayout.COMMON_BYTES;
    public static final long ELEMENTS_OFFSET = SIZE_OFFSET + Long.BYTES;
    public static final long CAPACITY_OFFSET = ELEMENTS_OFFSET + Long.BYTES;
    public static final long HEADER_BYTES = CAPACITY_OFFSET + Long.BYTES;

    public static long slotOffset(long elements, long index) {
        return elements + index * SlotLayout.SLOT_BYTES;
    }
}
