package io.ipcobjects.internal.session;

import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.internal.structs.SharedObjects;
import io.ipcobjects.internal.tensor.TensorBlocks;
import io.ipcobjects.internal.tensor.TensorView;

/** What {@code Access.share} and {@code Access.destroy} do with a view. Runs under the lock. */
public final class ValueViews {
    private ValueViews() {
    }

    /** Stores {@code container} as a new shared object (a view of this region as it is) and returns its view. */
    @SuppressWarnings("unchecked")
    public static <V> V share(RegionContext context, Object container) {
        if (container instanceof ContainerView view && view.context() == context) {
            return (V) container;
        }
        if (SharedObjects.isView(container)) {
            throw new UnsupportedTypeException(container.getClass(), "a live shared object is shared already: "
                    + "put it under a name, in a message or in a container to refer to it from there");
        }
        java.util.Objects.requireNonNull(container, "container");
        SlotValue stored = new SlotValue();
        if (!Containers.encode(context, container, stored, 0)) {
            throw new UnsupportedTypeException(container.getClass(),
                    "share() stores a List, Set, Map, FrozenMap or FrozenSet as a live object; put(name, value) stores any value");
        }
        return (V) Containers.view(context, stored.kind, stored.bits);
    }

    /** Frees the shared object behind {@code view} now, and what it owns. */
    public static void destroy(RegionContext context, Object view) {
        TensorView tensor = TensorView.ofRegion(view, context);
        if (tensor != null) {
            // A tensor owns no other object: destroying it frees its block (its data, or for a
            // slice only the small header pointing into the base tensor's data).
            TensorBlocks.free(context, tensor.blockOffset());
            return;
        }
        if (SharedObjects.destroyView(context, view)) {
            return;
        }
        if (!(view instanceof ContainerView shared) || shared.context() != context) {
            throw new IllegalArgumentException("destroy() takes a view of a shared object of this region, not "
                    + (view == null ? "null" : view.getClass().getName()));
        }
        Containers.destroyView(context, shared);
    }
}
