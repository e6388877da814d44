package io.ipcobjects.internal.codec;

/**
 * Layout of a value slot: the 16 bytes in which containers, messages and names hold one value.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |        kind: SlotKinds        |      aux: kind-specific       |
 *        +-------------------------------+-------------------------------+
 *      8 |          bits: an inline value, or a payload offset           |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>{@code bits} is the value itself for inline kinds (int, long, raw double bits, epoch day, up
 * to 8 Latin-1 chars, ...), else the payload offset of the block that holds it.
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
    public static final long AUX_OFFSET = KIND_OFFSET + Integer.BYTES;
    public static final long BITS_OFFSET = AUX_OFFSET + Integer.BYTES;
    public static final long SLOT_BYTES = BITS_OFFSET + Long.BYTES;
}
