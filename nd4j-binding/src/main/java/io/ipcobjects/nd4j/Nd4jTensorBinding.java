package io.ipcobjects.nd4j;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.spi.TensorAllocator;
import io.ipcobjects.spi.TensorBinding;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Plugs ND4J into core (registered in {@code META-INF/services}): an {@code INDArray} put into a
 * region is copied once into a tensor marked as ND4J's, and comes back as an {@code INDArray}
 * view in any process that has this binding on its class path.
 */
public final class Nd4jTensorBinding implements TensorBinding {

    /** Made by {@link java.util.ServiceLoader}; applications do not need one. */
    public Nd4jTensorBinding() {
    }

    @Override
    public int id() {
        return SharedNd4j.BINDING_ID;
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public boolean accepts(Object value) {
        return value instanceof INDArray;
    }

    /** One copy: ND4J's own {@code assign} writes the array into a view of the new tensor, in C order. */
    @Override
    public SharedTensor store(Object value, TensorAllocator allocator) {
        INDArray array = (INDArray) value;
        DType dtype = SharedNd4j.fromNd4j(array.dataType());
        SharedTensor tensor = allocator.allocate(dtype, array.shape());
        if (tensor.elementCount() > 0) {
            SharedNd4j.newView(tensor).assign(array); // a temporary array: not cached
        }
        return tensor;
    }

    @Override
    public Object view(SharedTensor tensor) {
        return SharedNd4j.view(tensor);
    }
}
