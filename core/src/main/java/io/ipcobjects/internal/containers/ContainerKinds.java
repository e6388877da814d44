package io.ipcobjects.internal.containers;

import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueKind;

/**
 * Live containers and snapshots in the codec's table: {@code List}, {@code Set} and {@code Map}
 * values become live shared containers, {@code FrozenMap}/{@code FrozenSet} snapshots; a view of
 * the same region is stored as one more reference (see {@link Containers}). Keys (frozen values)
 * are never live containers: the codec stores those as tuples.
 */
public final class ContainerKinds implements ValueKind {

    private static final int[] KINDS = {SlotKinds.LIST, SlotKinds.MAP, SlotKinds.SET, SlotKinds.FROZEN_MAP_VIEW,
            SlotKinds.FROZEN_SET_VIEW};

    @Override
    public int[] kinds() {
        return KINDS.clone();
    }

    @Override
    public boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        return !frozen && Containers.encode(context, value, out, depth);
    }

    @Override
    public Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        return Containers.view(context, kind, bits);
    }

    @Override
    public void release(RegionContext context, int kind, int aux, long bits, int depth) {
        Containers.release(context, kind, bits, depth);
    }

    @Override
    public void destroyDeferred(RegionContext context, int kind, long offset, int depth) {
        Containers.destroyDeferred(context, kind, offset, depth);
    }

    /** A container the slot holds the last reference to comes back as a Java copy: it is freed right after. */
    @Override
    public Object decodeForRemoval(RegionContext context, int kind, int aux, long bits) {
        return Containers.detach(context, kind, bits);
    }
}
