package io.ipcobjects.spi;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;

/**
 * Gives a {@link TensorBinding} a new tensor to copy into (contents unspecified, origin recorded).
 * Core passes one to {@link TensorBinding#store}; it is valid only during that call.
 */
@FunctionalInterface
public interface TensorAllocator {
    /**
     * Allocates a new row-major tensor in the region being written, with the calling binding's
     * {@link TensorBinding#id()} recorded as its {@link SharedTensor#origin()}. If
     * {@link TensorBinding#store} then fails, core frees what was allocated; tensors allocated
     * but not returned are freed too.
     *
     * @param dtype the element type
     * @param shape the dimensions (none for a scalar)
     * @return the new tensor, contents unspecified
     * @throws IllegalArgumentException             for a negative dimension, a rank over 32, or a
     *                                              byte size over a long
     * @throws io.ipcobjects.OutOfSharedMemoryException if the region has no room
     */
    SharedTensor allocate(DType dtype, long... shape);
}
