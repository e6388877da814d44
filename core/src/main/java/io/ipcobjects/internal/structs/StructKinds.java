package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.Serialized;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueKind;

/**
 * Records and user classes in the codec's table, stored as structs ({@link StructLayout}). A
 * class that can be a struct is one; with Java serialization on, a class that could only be
 * projected by its fields is left to serialization unless it is projectable as it is.
 */
public final class StructKinds implements ValueKind {

    @Override
    public int[] kinds() {
        return new int[] {SlotKinds.STRUCT};
    }

    @Override
    public boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        Class<?> type = value.getClass();
        if (!StructType.isCandidate(type)
                || (Serialized.accepts(context, value, frozen) && !StructType.isProjectable(type))) {
            return false;
        }
        out.set(SlotKinds.STRUCT, 0, Structs.store(context, value, depth, frozen));
        return true;
    }

    @Override
    public Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        return Structs.read(context, bits, budget);
    }

    @Override
    public void release(RegionContext context, int kind, int aux, long bits, int depth) {
        Structs.free(context, bits, depth);
    }
}
