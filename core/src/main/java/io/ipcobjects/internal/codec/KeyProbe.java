package io.ipcobjects.internal.codec;

import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;

/**
 * One key being looked up in a shared map or set: its hash, and the cheapest way to compare it
 * with a stored key slot. Inline keys (short strings among them) compare kind, aux and bits;
 * longer {@code String} keys compare their characters in place; only other keys decode the
 * stored key. Reused by a view under the region
 * lock, so a lookup allocates nothing on the Java heap for inline and string keys.
 */
public final class KeyProbe {
    private static final int INLINE = 0;
    private static final int STRING = 1;
    private static final int GENERAL = 2;
    private static final int SHORT_STRING = 3;

    private final SlotValue inline = new SlotValue();
    private int mode;
    private Object key;
    private long hash;

    /**
     * Prepares a lookup of {@code key}; returns false if such a key cannot be stored (so it is
     * not present), leaving the probe unusable until the next prepare.
     */
    public boolean prepare(Object key) {
        this.key = key;
        if (key instanceof String s) {
            // Hashed as every string is; compared as it is stored: inline if short (kind, aux and bits), else in its blob.
            mode = ValueSlots.encodeInline(s, inline) ? SHORT_STRING : STRING;
            hash = StableHash.ofString(s);
            return true;
        }
        if (ValueSlots.encodeInline(key, inline)) {
            mode = INLINE;
            hash = KeyHash.ofInline(inline);
            return true;
        }
        mode = GENERAL;
        try {
            hash = KeyHash.of(key);
            return true;
        } catch (UnsupportedTypeException e) {
            return false;
        }
    }

    public Object key() {
        return key;
    }

    public long hash() {
        return hash;
    }

    /** Whether the key slot at {@code slot} holds this key. */
    public boolean matches(RegionContext context, long slot) {
        RegionMemory memory = context.memory();
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        switch (mode) {
            case SHORT_STRING:
                return kind == SlotKinds.SHORT_STRING && memory.getInt(slot + SlotLayout.AUX_OFFSET) == inline.aux
                        && memory.getLong(slot + SlotLayout.BITS_OFFSET) == inline.bits;
            case STRING:
                return kind == SlotKinds.STRING && Blobs.stringEquals(context, memory.getLong(slot + SlotLayout.BITS_OFFSET),
                        memory.getInt(slot + SlotLayout.AUX_OFFSET), (String) key);
            case INLINE: {
                if (kind != inline.kind || memory.getInt(slot + SlotLayout.AUX_OFFSET) != inline.aux) {
                    return false;
                }
                long bits = memory.getLong(slot + SlotLayout.BITS_OFFSET);
                if (kind == SlotKinds.DOUBLE) {
                    return Double.doubleToLongBits(Double.longBitsToDouble(bits))
                            == Double.doubleToLongBits(Double.longBitsToDouble(inline.bits));
                }
                if (kind == SlotKinds.FLOAT) {
                    return Float.floatToIntBits(Float.intBitsToFloat((int) bits)) == Float.floatToIntBits(Float.intBitsToFloat((int) inline.bits));
                }
                return bits == inline.bits;
            }
            default: {
                if (SlotKinds.isInline(kind) || kind == SlotKinds.STRING) {
                    return false;
                }
                Object stored = ValueSlots.decode(context, kind, memory.getInt(slot + SlotLayout.AUX_OFFSET),
                        memory.getLong(slot + SlotLayout.BITS_OFFSET));
                return KeyHash.keyEquals(key, stored);
            }
        }
    }
}
