package io.ipcobjects.internal.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.spi.TensorBinding;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The bridge the value codec uses for everything that is stored as a tensor block: numeric
 * primitive arrays ({@code boolean[] short[] int[] long[] float[] double[]}, as 1-D tensors of
 * BOOL, INT16, INT32, INT64, FLOAT32, FLOAT64), {@code SharedTensor}s, and the array types of
 * the bindings found through the SPI (ND4J {@code INDArray}, DJL {@code NDArray}). Runs under
 * the region lock (the caller holds it).
 *
 * <p>{@code byte[]} and {@code char[]} are plain values in the value codec, not tensors.
 */
public final class TensorValues {
    private TensorValues() {
    }

    /** Whether {@code value} is stored as a tensor. */
    public static boolean isTensorValue(Object value) {
        return value instanceof SharedTensor || dtypeOfArray(value) != null || TensorBindings.accepting(value) != null;
    }

    /**
     * Stores {@code value} as a tensor block and returns the block's payload offset (tag
     * {@code BlockTypes.TENSOR}). A {@code SharedTensor} of the same region is not copied: its
     * own offset is returned (or, for a slice or reshape, a small header block pointing into the
     * same data). A tensor of another region is copied.
     *
     * @throws UnsupportedTypeException if {@code value} is not a tensor value
     */
    public static long store(RegionContext context, Object value) {
        return copyToTensor(context, value).blockOffset();
    }

    /**
     * The tensor {@code value} is stored as, in {@code context}'s region (see {@link #store}).
     * Primitive arrays and binding arrays are copied once into a new tensor.
     */
    public static SharedTensor copyToTensor(RegionContext context, Object value) {
        if (value instanceof SharedTensor tensor) {
            TensorView own = TensorView.ofRegion(tensor, context);
            if (own != null) {
                long block = TensorBlocks.storeView(context, own);
                return block == own.blockOffset() ? own : TensorBlocks.read(context, block);
            }
            SharedTensor copy = TensorBlocks.allocate(context, tensor.dtype(), tensor.shape(), tensor.origin());
            copyElements(tensor, copy);
            return copy;
        }
        DType dtype = dtypeOfArray(value);
        if (dtype != null) {
            return storeArray(context, value, dtype);
        }
        TensorBinding binding = TensorBindings.accepting(value);
        if (binding == null) {
            java.util.Objects.requireNonNull(value, "value");
            throw new UnsupportedTypeException(value.getClass(), "not a tensor value: copyToTensor takes a numeric primitive "
                    + "array, a SharedTensor, or an array of a tensor binding on the class path (ND4J, DJL)");
        }
        return storeThroughBinding(context, binding, value);
    }

    /** Lets {@code binding} copy {@code value}; if it fails, frees whatever it allocated, so nothing leaks. */
    private static SharedTensor storeThroughBinding(RegionContext context, TensorBinding binding, Object value) {
        List<SharedTensor> allocated = new ArrayList<>(1);
        try {
            SharedTensor tensor = binding.store(value, (type, shape) -> {
                SharedTensor t = TensorBlocks.allocate(context, type, shape, binding.id());
                allocated.add(t);
                return t;
            });
            if (TensorView.ofRegion(tensor, context) == null) {
                throw new IllegalStateException("tensor binding " + binding.name() + " returned a tensor of another region");
            }
            for (SharedTensor t : allocated) {
                if (t.blockOffset() != tensor.blockOffset()) {
                    TensorBlocks.free(context, t.blockOffset());
                }
            }
            return tensor;
        } catch (RuntimeException | Error e) {
            for (SharedTensor t : allocated) {
                TensorBlocks.free(context, t.blockOffset());
            }
            throw e;
        }
    }

    /**
     * The object handed to the user for the tensor block at {@code offset}: the binding's view
     * type if the tensor came from a binding that is on the class path, else a {@code SharedTensor}.
     *
     * @throws io.ipcobjects.CorruptedRegionException if the block is not a valid tensor
     */
    public static Object view(RegionContext context, long offset) {
        SharedTensor tensor = TensorBlocks.read(context, offset);
        if (tensor.origin() != 0) {
            TensorBinding binding = TensorBindings.byId(tensor.origin());
            if (binding != null) {
                Object view = binding.view(tensor);
                return view != null ? view : tensor; // null: the binding's scope is not set up on this thread
            }
        }
        return tensor;
    }

    /** Frees the tensor block at {@code offset}. */
    public static void free(RegionContext context, long offset) {
        TensorBlocks.free(context, offset);
    }

    /** The dtype a primitive array is stored as, or null if {@code value} is not such an array. */
    public static DType dtypeOfArray(Object value) {
        return switch (value) {
            case float[] ignored -> DType.FLOAT32;
            case double[] ignored -> DType.FLOAT64;
            case int[] ignored -> DType.INT32;
            case long[] ignored -> DType.INT64;
            case short[] ignored -> DType.INT16;
            case boolean[] ignored -> DType.BOOL;
            case null, default -> null;
        };
    }

    private static SharedTensor storeArray(RegionContext context, Object array, DType dtype) {
        int length = java.lang.reflect.Array.getLength(array);
        SharedTensor tensor = TensorBlocks.allocate(context, dtype, new long[] {length}, 0);
        switch (array) {
            case float[] a -> tensor.copyFrom(a);
            case double[] a -> tensor.copyFrom(a);
            case int[] a -> tensor.copyFrom(a);
            case long[] a -> tensor.copyFrom(a);
            case short[] a -> tensor.copyFrom(a);
            case boolean[] a -> tensor.copyFrom(a);
            default -> throw new IllegalArgumentException("not a numeric primitive array: " + array.getClass());
        }
        return tensor;
    }

    private static void copyElements(SharedTensor from, SharedTensor to) {
        if (from.isContiguous()) {
            MemorySegment.copy(from.segment(), 0, to.segment(), 0, from.byteSize());
            return;
        }
        for (long i = 0; i < from.elementCount(); i++) {
            if (from.dtype().isFloatingPoint()) {
                to.setDoubleAt(i, from.getDoubleAt(i));
            } else {
                to.setLongAt(i, from.getLongAt(i));
            }
        }
    }
}
