package io.ipcobjects.internal.codec;

/**
 * What a value slot ({@link SlotLayout}) holds. Kinds below {@link #FIRST_BLOCK_KIND} are inline:
 * the value is in the slot's {@code aux} and {@code bits}, and reading or writing it touches no
 * block. The others hold the payload offset of a block in {@code bits}.
 *
 * <p>Kinds are part of the region's layout (other processes decode them): never renumber.
 */
public final class SlotKinds {
    private SlotKinds() {
    }

    // ---- inline ----
    public static final int NULL = 0;
    public static final int BOOLEAN = 1;          // bits 0 or 1
    public static final int BYTE = 2;             // bits sign-extended
    public static final int SHORT = 3;
    public static final int INT = 4;
    public static final int LONG = 5;
    public static final int CHAR = 6;             // bits the UTF-16 unit (a lone surrogate too)
    public static final int FLOAT = 7;            // bits Float.floatToRawIntBits: NaN payloads and -0.0 exact
    public static final int DOUBLE = 8;           // bits Double.doubleToRawLongBits
    public static final int INSTANT = 9;          // bits epoch second, aux nano
    public static final int LOCAL_DATE = 10;      // bits epoch day
    public static final int LOCAL_TIME = 11;      // bits nano of day
    public static final int LOCAL_DATE_TIME = 12; // bits epoch second at UTC, aux nano
    public static final int DURATION = 13;        // bits seconds, aux nano
    public static final int PERIOD = 14;          // bits years << 32 | months, aux days
    public static final int ZONE_OFFSET = 15;     // aux total seconds
    /**
     * A {@code String} of at most {@value #SHORT_STRING_MAX} chars, all Latin-1: aux the length,
     * bits the chars as bytes, the first in the lowest byte, zero past the length. Every string
     * that fits is stored so (a longer or non-Latin-1 one is a {@link #STRING} blob), so a key
     * compares by kind, aux and bits alone.
     */
    public static final int SHORT_STRING = 16;
    public static final int SHORT_STRING_MAX = 8;

    public static final int FIRST_BLOCK_KIND = 32;

    // ---- blobs (BlobLayout) ----
    public static final int STRING = 32;          // aux coder: 0 Latin-1 (1 byte a char), 1 UTF-16 (native order)
    public static final int BYTES = 33;           // byte[]
    public static final int CHARS = 34;           // char[], UTF-16 native order
    public static final int BIG_INTEGER = 35;     // two's complement, big-endian (BigInteger.toByteArray)
    public static final int BIG_DECIMAL = 36;     // unscaled value as BIG_INTEGER, aux scale
    public static final int OFFSET_DATE_TIME = 37; // local epoch second (8), nano (4), offset seconds (4)
    public static final int ZONED_DATE_TIME = 38; // as OFFSET_DATE_TIME, then the zone id in UTF-8
    public static final int ZONE_ID = 39;         // a region zone id in UTF-8
    public static final int UUID = 40;            // most significant (8), least significant (8)
    public static final int ENUM = 41;            // declaring class name, a zero byte, constant name: UTF-8
    public static final int SERIALIZED = 42;      // a Java serialization stream (opt-in: Serialized)

    // ---- tuples (TupleLayout) ----
    public static final int OBJECT_ARRAY = 48;    // Object[]: elements as slots
    public static final int FROZEN_LIST = 49;     // an immutable list: keys, snapshots
    public static final int FROZEN_SET = 50;      // an immutable set: elements as slots
    public static final int FROZEN_MAP = 51;      // an immutable map: key slot, value slot, ...

    // ---- structs (structs.StructLayout) ----
    public static final int STRUCT = 56;          // a record or user object, by class name and fields
    public static final int OBJECT = 57;          // a live shared object (structs.ObjectLayout), reference counted

    // ---- live containers (containers) ----
    public static final int LIST = 64;            // containers.ListLayout
    public static final int MAP = 65;             // containers.HashLayout, entries with values
    public static final int SET = 66;             // containers.HashLayout, entries without values
    public static final int FROZEN_MAP_VIEW = 67; // a snapshot map: a FROZEN_MAP tuple read as a FrozenMap
    public static final int FROZEN_SET_VIEW = 68; // a snapshot set: a FROZEN_SET tuple read as a FrozenSet

    // ---- tensors (io.ipcobjects.internal.tensor.TensorValues) ----
    public static final int TENSOR = 80;
    public static final int CHANNEL = 81;         // channels.ChannelLayout: a named channel, bits the block
    public static final int TENSOR_RING = 82;     // channels.TensorRingLayout: a named tensor ring, bits the block

    public static boolean isInline(int kind) {
        return kind < FIRST_BLOCK_KIND;
    }

    /** Whether a slot of {@code kind} holds the payload offset of a blob ({@code BlobLayout}). */
    public static boolean isBlob(int kind) {
        return kind >= STRING && kind <= SERIALIZED;
    }
}
