package io.ipcobjects.internal.names;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A name as the directory stores it: its UTF-8 bytes and their hash.
 *
 * <p>The hash is 32-bit FNV-1a over the UTF-8 bytes followed by the MurmurHash3 finalizer
 * (so the low bits that pick a bucket depend on every byte). It is defined on bytes, never on
 * {@code String.hashCode()} or anything JVM-specific, so every process computes the same hash.
 *
 * <p>Valid names are non-empty, at most {@value NameDirectoryLayout#MAX_NAME_BYTES} UTF-8 bytes,
 * and well-formed UTF-16 (an unpaired surrogate has no UTF-8 form: two such names would
 * otherwise collapse into one).
 */
final class NameKey {

    final byte[] utf8;
    final MemorySegment segment;
    final int hash;

    private NameKey(byte[] utf8) {
        this.utf8 = utf8;
        this.segment = MemorySegment.ofArray(utf8);
        this.hash = hash(utf8);
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code name} */
    static NameKey of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a name must not be empty");
        }
        byte[] utf8;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(name));
            utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("name " + printable(name) + " is not well-formed text (unpaired surrogate)", e);
        }
        if (utf8.length > NameDirectoryLayout.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name is " + utf8.length + " UTF-8 bytes, more than the limit of "
                    + NameDirectoryLayout.MAX_NAME_BYTES + ": " + printable(name));
        }
        return new NameKey(utf8);
    }

    /** 32-bit FNV-1a, then the MurmurHash3 fmix32 finalizer. */
    static int hash(byte[] bytes) {
        int h = 0x811C_9DC5;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x0100_0193;
        }
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        return h;
    }

    private static String printable(String name) {
        String shown = name.length() > 60 ? name.substring(0, 60) + "..." : name;
        return "\"" + shown.replaceAll("[\\p{Cntrl}\\p{Cs}]", "?") + "\"";
    }
}
