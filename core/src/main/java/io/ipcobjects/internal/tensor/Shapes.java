package io.ipcobjects.internal.tensor;

import java.util.Arrays;

/**
 * Arithmetic on shapes and strides (strides in elements), with overflow checked: a shape given
 * by a caller or read from the region can never wrap around to a small byte size.
 */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions (1 for rank 0). @throws ArithmeticException on overflow */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** Row-major (C order) strides of {@code shape}. */
    public static long[] rowMajorStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride = Math.multiplyExact(stride, Math.max(shape[i], 1));
        }
        return strides;
    }

    /**
     * Elements from element 0 to one past the farthest element: 0 for an empty tensor,
     * {@code 1 + sum((shape[i] - 1) * strides[i])} otherwise. @throws ArithmeticException on overflow
     */
    public static long spanElements(long[] shape, long[] strides) {
        long last = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                return 0;
            }
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, strides[i]));
        }
        return Math.addExact(last, 1);
    }

    /** Whether the strides are the row-major ones (dimensions of size 1 may have any stride). */
    public static boolean isRowMajor(long[] shape, long[] strides) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * Checks a shape a caller gave: rank in range, no negative dimension, element count and
     * byte size fit a long.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void checkNewShape(long[] shape, int elementBytes) {
        if (shape == null) {
            throw new IllegalArgumentException("shape is null");
        }
        if (shape.length > TensorLayout.MAX_RANK) {
            throw new IllegalArgumentException("rank " + shape.length + " exceeds the maximum of " + TensorLayout.MAX_RANK);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("dimension " + i + " of shape " + Arrays.toString(shape) + " is negative");
            }
        }
        try {
            Math.multiplyExact(elementCount(shape), elementBytes);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more bytes than a long can count");
        }
    }
}
