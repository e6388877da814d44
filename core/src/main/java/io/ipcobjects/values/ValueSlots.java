package io.ipcobjects.values;

import io.ipcobjects.region.RegionContext;

/**
 * CONTRACT (filled in by the values work): a value slot is {@link #SLOT_BYTES} bytes in the
 * region that holds any supported value: small values inline, everything else as an offset to a
 * block. Containers, the message queue and the name directory all store their values in slots.
 * All methods run under the region lock (the caller holds it).
 */
public final class ValueSlots {
    private ValueSlots() {
    }

    public static final long SLOT_BYTES = 16;

    /**
     * Encodes {@code value} into the slot at {@code slotOffset}. If storing fails (unsupported
     * type, out of memory) the slot is unchanged and nothing stays allocated.
     */
    public static void write(RegionContext context, long slotOffset, Object value) {
        throw new UnsupportedOperationException("values are not implemented yet");
    }

    /** Decodes the slot: plain values are copied out, containers and tensors come back as live views. */
    public static Object read(RegionContext context, long slotOffset) {
        throw new UnsupportedOperationException("values are not implemented yet");
    }

    /** Frees what the slot's value owns (recursively) and sets the slot to null. */
    public static void destroy(RegionContext context, long slotOffset) {
        throw new UnsupportedOperationException("values are not implemented yet");
    }
}
