package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of a shared list: a header block (tag {@code BlockTypes.LIST}) and an element block
 * (tag {@code BlockTypes.LIST_ELEMENTS}) of value slots, replaced by a larger one when full.
 *
 * <pre>
 * Header:
 *  +---------------------------------------------------------------+
 *  |  identity, references, modification count: ContainerLayout    |  0..23
 *  +---------------------------------------------------------------+
 *  |  size (8): elements in use                                    | 24
 *  +---------------------------------------------------------------+
 *  |  elements (8): payload offset of the element block, 0 = none  | 32
 *  +---------------------------------------------------------------+
 *  |  capacity (8): slots the element block holds                  | 40
 *  +---------------------------------------------------------------+
 * Element block:
 *  +---------------------------------------------------------------+
 *  |  slot 0 (16, SlotLayout) | slot 1 | ... | slot capacity-1     |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Invariant (checked by readers): {@code 0 <= size <= capacity}, and the element block is a
 * {@code LIST_ELEMENTS} block of at least {@code capacity * 16} bytes. Slots at and past
 * {@code size} are null (zero).
 */
public final class ListLayout {
    private ListLayout() {
    }

    public static final long SIZE_OFFSET = ContainerLayout.COMMON_BYTES;
    public static final long ELEMENTS_OFFSET = SIZE_OFFSET + 8;
    public static final long CAPACITY_OFFSET = ELEMENTS_OFFSET + 8;
    public static final long HEADER_BYTES = CAPACITY_OFFSET + 8;

    public static long slotOffset(long elements, long index) {
        return elements + index * SlotLayout.SLOT_BYTES;
    }
}
