package io.ipcobjects.internal.codec;

import io.ipcobjects.internal.memory.RegionMemory;

/**
 * The three words of a slot ({@link SlotLayout}) held on the Java side while a value is being
 * encoded: the destination slot is written only once the whole value is stored, so a failure
 * leaves it as it was.
 */
public final class SlotValue {
    public int kind;
    public int aux;
    public long bits;

    public SlotValue set(int kind, int aux, long bits) {
        this.kind = kind;
        this.aux = aux;
        this.bits = bits;
        return this;
    }

    public void writeTo(RegionMemory memory, long slot) {
        memory.putIntIntLong(slot + SlotLayout.KIND_OFFSET, kind, aux, bits);
    }

    public SlotValue readFrom(RegionMemory memory, long slot) {
        return set(memory.getInt(slot + SlotLayout.KIND_OFFSET), memory.getInt(slot + SlotLayout.AUX_OFFSET),
                memory.getLong(slot + SlotLayout.BITS_OFFSET));
    }
}
