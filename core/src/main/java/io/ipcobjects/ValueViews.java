package io.ipcobjects;

import io.ipcobjects.collections.ContainerView;
import io.ipcobjects.collections.Containers;
import io.ipcobjects.region.RegionContext;
import io.ipcobjects.values.SlotValue;

/** What {@link Access#share} and {@link Access#destroy} do, for both them and the shortcuts. */
final class ValueViews {
    private ValueViews() {
    }

    @SuppressWarnings("unchecked")
    static <V> V share(RegionContext context, Object container) {
        if (container instanceof ContainerView view && view.context() == context) {
            return (V) container;
        }
        SlotValue stored = new SlotValue();
        if (container == null || !Containers.encode(context, container, stored, 0)) {
            throw new IllegalArgumentException("share() takes a List, Set, Map, FrozenMap or FrozenSet, not "
                    + (container == null ? "null" : container.getClass().getName()));
        }
        return (V) Containers.view(context, stored.kind, stored.bits);
    }

    static void destroy(RegionContext context, Object view) {
        if (view instanceof SharedTensor tensor && tensor.belongsTo(context)) {
            // A tensor owns no other object: destroying it frees its block (its data, or for a
            // slice only the small header pointing into the base tensor's data).
            io.ipcobjects.tensor.TensorValues.free(context, tensor.blockOffset());
            return;
        }
        if (!(view instanceof ContainerView shared) || shared.context() != context) {
            throw new IllegalArgumentException("destroy() takes a view of a shared object of this region, not "
                    + (view == null ? "null" : view.getClass().getName()));
        }
        Containers.destroyView(context, shared);
    }
}
