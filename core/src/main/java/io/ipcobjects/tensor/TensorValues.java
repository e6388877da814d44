package io.ipcobjects.tensor;

import io.ipcobjects.region.RegionContext;

/**
 * CONTRACT (filled in by the tensor work): the bridge the value codec uses for everything that
 * is stored as a tensor block: numeric primitive arrays, {@code SharedTensor}s, and the types of
 * bindings found through the SPI (ND4J {@code INDArray}, DJL {@code NDArray}). Runs under the
 * region lock.
 */
public final class TensorValues {
    private TensorValues() {
    }

    /** Whether {@code value} is stored as a tensor. */
    public static boolean isTensorValue(Object value) {
        return false;
    }

    /**
     * Stores {@code value} as a tensor block and returns the block's payload offset (tag
     * {@code BlockTypes.TENSOR}). A {@code SharedTensor} of the same region is not copied: its
     * own offset is returned.
     */
    public static long store(RegionContext context, Object value) {
        throw new UnsupportedOperationException("tensors are not implemented yet");
    }

    /**
     * The object handed to the user for the tensor block at {@code offset}: the binding's view
     * type if the tensor came from a binding that is on the class path, else a {@code SharedTensor}.
     */
    public static Object view(RegionContext context, long offset) {
        throw new UnsupportedOperationException("tensors are not implemented yet");
    }

    /** Frees the tensor block at {@code offset}. */
    public static void free(RegionContext context, long offset) {
        throw new UnsupportedOperationException("tensors are not implemented yet");
    }
}
