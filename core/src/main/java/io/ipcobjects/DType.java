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
    FLOAT16(1, 2, true),
    BFLOAT16(2, 2, true),
    FLOAT32(3, 4, true),
    FLOAT64(4, 8, true),
    INT8(5, 1, false),
    UINT8(6, 1, false),
    INT16(7, 2, false),
    INT32(8, 4, false),
    INT64(9, 8, false),
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

    /** The number stored in tensor headers for this type. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The type stored as {@code code}, or null if no type has that code (a corrupted header). */
    public static DType ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
