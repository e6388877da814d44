package io.ipcobjects.internal.codec;

/**
 * Layout of a blob block (tag {@code BlockTypes.VALUE_BLOB}): a byte string whose meaning the
 * referring slot's kind gives (string text, {@code byte[]}, {@code char[]}, a {@code BigInteger}'s
 * two's complement bytes, a {@code ZonedDateTime}, ...).
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                        length in bytes                        |
 *        +---------------------------------------------------------------+
 *      8 |                    bytes (length of them)                     ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * The block may be longer than {@code DATA_OFFSET + length}: the allocator rounds it up.
 * A reader checks {@code length <= capacity - DATA_OFFSET} before it copies anything out.
 */
public final class BlobLayout {
    private BlobLayout() {
    }

    public static final long LENGTH_OFFSET = 0;
    public static final long DATA_OFFSET = LENGTH_OFFSET + Long.BYTES;

    public static long blockBytes(long length) {
        return DATA_OFFSET + length;
    }
}
