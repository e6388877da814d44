package io.ipcobjects.alloc;

/**
 * Type tags written into every used block's header ({@link BlockLayout#TYPE_TAG_OFFSET}): what
 * the payload holds. A reader that follows an offset checks the tag before it trusts the payload.
 * Every tag in the region is defined here, so this class is the index of block kinds.
 */
public final class BlockTypes {
    private BlockTypes() {
    }

    /** Raw bytes handed out by {@code Access.allocate}: the application owns the contents. */
    public static final int RAW = 1;

    // ---- tensors ----

    /**
     * A tensor: header ({@code tensor.TensorLayout}) and, unless it is a view of another tensor
     * block, its 64-byte aligned data. Primitive arrays, {@code SharedTensor}s and binding arrays
     * are stored as this.
     */
    public static final int TENSOR = 16;
    // ---- end tensors ----
}
