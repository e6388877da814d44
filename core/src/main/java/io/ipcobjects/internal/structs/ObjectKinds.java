package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueKind;

/**
 * Live shared objects in the codec's table ({@link SharedObjects}): a view of this region is
 * stored as one more reference to its object, and a slot of kind {@code OBJECT} reads back as a
 * view of the generated class of its type. Asked before every other family: a view of a user
 * interface may also be a {@code List} or a {@code Map}, and is still the object, not a copy.
 */
public final class ObjectKinds implements ValueKind {

    @Override
    public int[] kinds() {
        return new int[] {SlotKinds.OBJECT};
    }

    @Override
    public boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        return SharedObjects.encode(context, value, out, frozen);
    }

    @Override
    public Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        return SharedObjects.view(context, bits);
    }

    @Override
    public void release(RegionContext context, int kind, int aux, long bits, int depth) {
        SharedObjects.release(context, bits, depth);
    }
}
