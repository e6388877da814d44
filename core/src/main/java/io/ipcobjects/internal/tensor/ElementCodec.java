package io.ipcobjects.internal.tensor;

import io.ipcobjects.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes one element of any {@link DType} as a double or a long, converting the way a
 * Java cast does. FLOAT16 uses the JDK's binary16 conversions; BFLOAT16 is the upper 16 bits of
 * a float, rounded to nearest even when written.
 */
public final class ElementCodec {
    private ElementCodec() {
    }

    public static double readDouble(DType dtype, MemorySegment data, long at) {
        return switch (dtype) {
            case FLOAT32 -> data.get(ValueLayout.JAVA_FLOAT, at);
            case FLOAT64 -> data.get(ValueLayout.JAVA_DOUBLE, at);
            case FLOAT16 -> Float.float16ToFloat(data.get(ValueLayout.JAVA_SHORT, at));
            case BFLOAT16 -> bfloat16ToFloat(data.get(ValueLayout.JAVA_SHORT, at));
            default -> readLong(dtype, data, at);
        };
    }

    public static void writeDouble(DType dtype, MemorySegment data, long at, double value) {
        switch (dtype) {
            case FLOAT32 -> data.set(ValueLayout.JAVA_FLOAT, at, (float) value);
            case FLOAT64 -> data.set(ValueLayout.JAVA_DOUBLE, at, value);
            case FLOAT16 -> data.set(ValueLayout.JAVA_SHORT, at, Float.floatToFloat16((float) value));
            case BFLOAT16 -> data.set(ValueLayout.JAVA_SHORT, at, floatToBfloat16((float) value));
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, at, value != 0 ? (byte) 1 : 0);
            default -> writeLong(dtype, data, at, (long) value);
        }
    }

    public static long readLong(DType dtype, MemorySegment data, long at) {
        return switch (dtype) {
            case INT8 -> data.get(ValueLayout.JAVA_BYTE, at);
            case UINT8 -> Byte.toUnsignedLong(data.get(ValueLayout.JAVA_BYTE, at));
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, at) != 0 ? 1 : 0;
            case INT16 -> data.get(ValueLayout.JAVA_SHORT, at);
            case INT32 -> data.get(ValueLayout.JAVA_INT, at);
            case INT64 -> data.get(ValueLayout.JAVA_LONG, at);
            default -> (long) readDouble(dtype, data, at);
        };
    }

    public static void writeLong(DType dtype, MemorySegment data, long at, long value) {
        switch (dtype) {
            case INT8, UINT8 -> data.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, at, value != 0 ? (byte) 1 : 0);
            case INT16 -> data.set(ValueLayout.JAVA_SHORT, at, (short) value);
            case INT32 -> data.set(ValueLayout.JAVA_INT, at, (int) value);
            case INT64 -> data.set(ValueLayout.JAVA_LONG, at, value);
            default -> writeDouble(dtype, data, at, value);
        }
    }

    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static short floatToBfloat16(float value) {
        if (Float.isNaN(value)) {
            return (short) 0x7fc0;
        }
        int bits = Float.floatToRawIntBits(value);
        int roundingBias = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
