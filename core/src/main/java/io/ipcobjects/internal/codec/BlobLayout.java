package io.ipcobjects.internal.codec;

/**
 * Layout of a blob block (tag {@code BlockTypes.VALUE_BLOB}): a byte string whose meaning the
 * referring slot's kind gives (string text, {@code byte[]}, {@code char[]}, a {@code BigInteger}'s
 * two's complement bytes, a {@code ZonedDateTime}, ...).
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  length in bytes (8)                                          |  0
 *  +---------------------------------------------------------------+
 *  |  bytes ... (length, padded to the block's granule)            |  8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A reader checks {@code length <= capacity - DATA_OFFSET} before it copies anything out.
 */
public final class BlobLayout {
    private BlobLayout() {
    }

    public static final long LENGTH_OFFSET = 0;
    public static final long DATA_OFFSET = 8;

    public static long blockBytes(long length) {
        return DATA_OFFSET + length;
    }
}
