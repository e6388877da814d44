package io.ipcobjects.djl;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.spi.TensorAllocator;
import io.ipcobjects.spi.TensorBinding;

import ai.djl.ndarray.NDArray;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Plugs DJL into core (registered in {@code META-INF/services}): an {@code NDArray} put into a
 * region is copied once into a tensor marked as DJL's, and comes back as an {@code NDArray} view
 * attached to the manager the reading thread bound with {@link SharedDjl#bind}, in any process
 * that has this binding on its class path (a plain {@code SharedTensor} outside such a scope).
 */
public final class DjlTensorBinding implements TensorBinding {

    /** Made by {@link java.util.ServiceLoader}; applications do not need one. */
    public DjlTensorBinding() {
    }

    @Override
    public int id() {
        return SharedDjl.BINDING_ID;
    }

    @Override
    public String name() {
        return "djl";
    }

    @Override
    public boolean accepts(Object value) {
        return value instanceof NDArray;
    }

    /**
     * One copy: PyTorch copies the array into a view of the new tensor ({@code view[:] = array}),
     * whatever the source's layout, device or size.
     */
    @Override
    public SharedTensor store(Object value, TensorAllocator allocator) {
        NDArray array = (NDArray) value;
        DType dtype = SharedDjl.fromDjl(array.getDataType());
        if (!SharedDjl.canView(dtype)) {
            throw new IllegalArgumentException("cannot store a DJL " + array.getDataType() + " array: DJL cannot view "
                    + dtype + " tensors (see SharedDjl.canView); convert it with toType first");
        }
        SharedTensor tensor = allocator.allocate(dtype, array.getShape().getShape());
        if (tensor.elementCount() == 0) {
            return tensor;
        }
        if (tensor.rank() == 0) {
            tensor.copyFrom(java.lang.foreign.MemorySegment.ofBuffer(array.toByteBuffer()));
            return tensor;
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu(), "PyTorch")) { // the temporary view dies with it
            NDArray target = SharedDjl.newView(tensor, scratch);
            NDArray source = array.getDevice().equals(target.getDevice()) ? array : array.toDevice(target.getDevice(), false);
            target.set(new NDIndex(":"), source); // PyTorch's copy_ into the shared memory; "[]" is not valid there
        }
        return tensor;
    }

    /** A view in the manager bound to this thread by {@link SharedDjl#bind}; none (null) outside a scope. */
    @Override
    public Object view(SharedTensor tensor) {
        NDManager manager = SharedDjl.boundManager();
        return manager == null ? null : SharedDjl.view(tensor, manager);
    }
}
