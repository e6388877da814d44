package io.ipcobjects.internal.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.spi.TensorAllocator;
import io.ipcobjects.spi.TensorBinding;

/**
 * A binding registered only on core's test class path, standing in for a tensor library: its
 * array type is {@link Array}; storing one whose {@code fail} flag is set throws after allocating,
 * like a library whose copy fails midway.
 */
public final class FailingTestBinding implements TensorBinding {

    /** This binding's array type: a shape and a value to fill with. */
    public record Array(long[] shape, double fill, boolean fail) {
    }

    /** This binding's view type. */
    public record View(SharedTensor tensor) {
    }

    @Override
    public int id() {
        return 77;
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public boolean accepts(Object value) {
        return value instanceof Array;
    }

    @Override
    public SharedTensor store(Object value, TensorAllocator allocator) {
        Array array = (Array) value;
        SharedTensor tensor = allocator.allocate(DType.FLOAT64, array.shape());
        if (array.fail()) {
            throw new IllegalStateException("copy failed midway");
        }
        tensor.fill(array.fill());
        return tensor;
    }

    @Override
    public Object view(SharedTensor tensor) {
        return new View(tensor);
    }
}
