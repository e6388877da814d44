package io.ipcobjects.spi;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;

/** Gives a {@link TensorBinding} a new tensor to copy into (contents unspecified, origin recorded). */
@FunctionalInterface
public interface TensorAllocator {
    SharedTensor allocate(DType dtype, long... shape);
}
