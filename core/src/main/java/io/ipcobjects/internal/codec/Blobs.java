package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Blob blocks ({@link BlobLayout}): allocation from Java bytes, characters and strings, and the
 * checked way back. Every read validates the block's tag and that its length fits its capacity.
 */
public final class Blobs {
    private Blobs() {
    }

    /** String coders, kept in the slot's aux word. */
    public static final int LATIN1 = 0;
    public static final int UTF16 = 1;

    private static final ValueLayout.OfChar CHAR = ValueLayout.JAVA_CHAR_UNALIGNED;

    public static long allocate(RegionContext context, long length) {
        long payload = context.allocator().allocate(BlobLayout.blockBytes(length), BlockTypes.VALUE_BLOB);
        context.memory().putLong(payload + BlobLayout.LENGTH_OFFSET, length);
        return payload;
    }

    public static long store(RegionContext context, byte[] bytes) {
        long payload = allocate(context, bytes.length);
        context.memory().putBytes(payload + BlobLayout.DATA_OFFSET, bytes);
        return payload;
    }

    public static long store(RegionContext context, char[] chars) {
        long payload = allocate(context, 2L * chars.length);
        context.memory().putChars(payload + BlobLayout.DATA_OFFSET, chars);
        return payload;
    }

    /** The coder a string is stored with: Latin-1 when every char fits a byte. */
    public static int coderOf(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) > 0xFF) {
                return UTF16;
            }
        }
        return LATIN1;
    }

    public static long storeString(RegionContext context, String s, int coder) {
        return coder == LATIN1 ? store(context, s.getBytes(StandardCharsets.ISO_8859_1)) : store(context, s.toCharArray());
    }

    /** Validates the blob at {@code payload} and returns its length in bytes. */
    public static long length(RegionContext context, long payload) {
        long capacity = context.allocator().checkBlock(payload, BlockTypes.VALUE_BLOB);
        long length = context.memory().getLong(payload + BlobLayout.LENGTH_OFFSET);
        if (length < 0 || length > capacity - BlobLayout.DATA_OFFSET || length > Integer.MAX_VALUE - 16) {
            throw new CorruptedRegionException("blob length " + length + " does not fit its block of " + capacity + " bytes",
                    payload);
        }
        return length;
    }

    public static byte[] bytes(RegionContext context, long payload) {
        int length = (int) length(context, payload);
        byte[] bytes = new byte[length];
        MemorySegment.copy(context.memory().segment(), ValueLayout.JAVA_BYTE, payload + BlobLayout.DATA_OFFSET, bytes, 0, length);
        return bytes;
    }

    public static char[] chars(RegionContext context, long payload) {
        int length = (int) length(context, payload);
        if ((length & 1) != 0) {
            throw new CorruptedRegionException("UTF-16 blob of odd length " + length, payload);
        }
        char[] chars = new char[length / 2];
        MemorySegment.copy(context.memory().segment(), CHAR, payload + BlobLayout.DATA_OFFSET, chars, 0, chars.length);
        return chars;
    }

    public static String string(RegionContext context, long payload, int coder) {
        return switch (coder) {
            case LATIN1 -> new String(bytes(context, payload), StandardCharsets.ISO_8859_1);
            case UTF16 -> new String(chars(context, payload));
            default -> throw new CorruptedRegionException("unknown string coder " + coder, payload);
        };
    }

    public static String utf8(RegionContext context, long payload) {
        return new String(bytes(context, payload), StandardCharsets.UTF_8);
    }

    /**
     * Whether the string blob at {@code payload} (stored with {@code coder}) holds exactly
     * {@code s}: compares in place, allocating nothing.
     */
    public static boolean stringEquals(RegionContext context, long payload, int coder, String s) {
        long length = length(context, payload);
        RegionMemory memory = context.memory();
        long data = payload + BlobLayout.DATA_OFFSET;
        int n = s.length();
        if (coder == LATIN1) {
            if (length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((char) (memory.getByte(data + i) & 0xFF) != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
        if (length != 2L * n) {
            return false;
        }
        MemorySegment segment = memory.segment();
        for (int i = 0; i < n; i++) {
            if (segment.get(CHAR, data + 2L * i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public static void free(RegionContext context, long payload) {
        context.allocator().checkBlock(payload, BlockTypes.VALUE_BLOB);
        context.allocator().free(payload);
    }
}
