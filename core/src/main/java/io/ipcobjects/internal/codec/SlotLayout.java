package io.ipcobjects.internal.codec;

/**
 * Layout of a value slot: the 16 bytes in which containers, messages and names hold one value.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |  kind (4): see SlotKinds      |  aux (4): kind-specific       |  0
 *  +-------------------------------+-------------------------------+
 *  |  bits (8): the value itself for inline kinds (int, long,      |  8
 *  |  raw double bits, epoch day, up to 8 Latin-1 chars, ...) or   |
 *  |  the payload offset of the block that holds it                |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>An all-zero slot is {@code null} (kind {@link SlotKinds#NULL}), so freshly zeroed memory
 * holds nulls. {@code aux} carries the second half of two-part inline values (nanoseconds of an
 * {@code Instant}, days of a {@code Period}), the length of a short string, the scale of a
 * {@code BigDecimal} and the coder of a string in a block.
 */
public final class SlotLayout {
    private SlotLayout() {
    }

    public static final long KIND_OFFSET = 0;
    public static final long AUX_OFFSET = 4;
    public static final long BITS_OFFSET = 8;
    public static final long SLOT_BYTES = 16;
}
