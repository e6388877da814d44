package io.ipcobjects;

import java.util.Arrays;

/**
 * The dtype and shape of one tensor of a {@link TensorRing}'s slots.
 *
 * @param dtype the element type
 * @param shape the extents, each at least 1
 */
public record TensorSpec(DType dtype, long... shape) {

    /**
     * Checks the spec.
     *
     * @param dtype the element type
     * @param shape the extents, each at least 1
     */
    public TensorSpec {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("a tensor spec needs at least one extent");
        }
        shape = shape.clone();
        for (long extent : shape) {
            if (extent < 1) {
                throw new IllegalArgumentException("extent " + extent + " of shape " + Arrays.toString(shape) + " is not positive");
            }
        }
    }

    /**
     * The extents.
     *
     * @return a copy of the shape
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Elements of one tensor of this spec.
     *
     * @return the element count
     */
    public long elementCount() {
        long count = 1;
        for (long extent : shape) {
            count = Math.multiplyExact(count, extent);
        }
        return count;
    }

    /**
     * Bytes of one tensor of this spec.
     *
     * @return the byte size
     */
    public long byteSize() {
        return Math.multiplyExact(elementCount(), (long) dtype.byteSize());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorSpec spec && spec.dtype == dtype && Arrays.equals(spec.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
