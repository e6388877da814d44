package io.ipcobjects.internal.tensor;

import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueKind;

/**
 * Tensors in the codec's table: numeric primitive arrays, {@code SharedTensor}s and the arrays
 * of the bindings on the class path are stored as tensor blocks ({@link TensorValues}). One per
 * handle, so it also holds the handle's own cache of binding views ({@link #views()}) and the
 * token caches key that handle by ({@link #handle()}).
 */
public final class TensorKinds implements ValueKind {

    /** Stands for this handle in cache keys; holds nothing, so a cache never keeps a handle alive. */
    private final Object handle = new Object();
    private final TensorViewTable views = new TensorViewTable();

    /** The tensor family of {@code context}'s handle, or null for a read-only context. */
    public static TensorKinds of(RegionContext context) {
        return context.kinds().family(TensorKinds.class);
    }

    /** The handle's cache of binding views. */
    public TensorViewTable views() {
        return views;
    }

    /** The token that names this handle in every view cache's keys. */
    public Object handle() {
        return handle;
    }

    @Override
    public int[] kinds() {
        return new int[] {SlotKinds.TENSOR};
    }

    @Override
    public boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        if (!TensorValues.isTensorValue(value)) {
            return false;
        }
        out.set(SlotKinds.TENSOR, 0, TensorValues.store(context, value));
        return true;
    }

    @Override
    public Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        return TensorValues.view(context, bits);
    }

    @Override
    public void release(RegionContext context, int kind, int aux, long bits, int depth) {
        TensorValues.free(context, bits);
    }
}
