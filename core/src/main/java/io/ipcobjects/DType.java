package io.ipcobjects;

/**
 * Element type of a {@link SharedTensor}. The {@link #code()} is what the tensor header stores,
 * so it never changes once released; the constant order may.
 *
 * <p>Elements are stored in native byte order (the region's, recorded in its header).
 * {@code FLOAT16} is IEEE 754 binary16, {@code BFLOAT16} the upper half of a binary32,
 * {@code BOOL} one byte that is 0 (false) or anything else (true; written as 1).
 */
public enum DType {
    /** IEEE 754 binary16 (half precision), 2 bytes; Java arrays carry it as {@code short} bit patterns. */
    FLOAT16(1, 2, true),
    /** bfloat16, the upper 16 bits of a binary32, 2 bytes; Java arrays carry it as {@code short} bit patterns. */
    BFLOAT16(2, 2, true),
    /** IEEE 754 binary32, 4 bytes: Java's {@code float}. */
    FLOAT32(3, 4, true),
    /** IEEE 754 binary64, 8 bytes: Java's {@code double}. */
    FLOAT64(4, 8, true),
    /** Signed 8-bit integer: Java's {@code byte}. */
    INT8(5, 1, false),
    /** Unsigned 8-bit integer, 0 to 255; Java arrays carry it as {@code byte}. */
    UINT8(6, 1, false),
    /** Signed 16-bit integer: Java's {@code short}. */
    INT16(7, 2, false),
    /** Signed 32-bit integer: Java's {@code int}. */
    INT32(8, 4, false),
    /** Signed 64-bit integer: Java's {@code long}. */
    INT64(9, 8, false),
    /** A boolean in one byte: 0 is false, anything else true (written as 1); Java's {@code boolean}. */
    BOOL(10, 1, false);

    private static final DType[] BY_CODE = new DType[11];

    static {
        for (DType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final int byteSize;
    private final boolean floatingPoint;

    DType(int code, int byteSize, boolean floatingPoint) {
        this.code = code;
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /**
     * The number stored in tensor headers for this type.
     *
     * @return the type's code, a small positive number that never changes
     */
    public int code() {
        return code;
    }

    /**
     * Bytes per element.
     *
     * @return the element size in bytes (1, 2, 4 or 8)
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Whether this is a floating-point type (FLOAT16, BFLOAT16, FLOAT32, FLOAT64).
     *
     * @return true for the floating-point types
     */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * The type stored as {@code code}, or null if no type has that code (a corrupted header).
     *
     * @param code a code as {@link #code()} returns it
     * @return the type with that code, or null
     */
    public static DType ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
