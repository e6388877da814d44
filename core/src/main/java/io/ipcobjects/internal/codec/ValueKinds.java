package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;

import java.util.List;

/**
 * The table of value kinds beyond the codec's own: which {@link ValueKind} family owns each
 * {@link SlotKinds} number, and the order in which families are asked to store a value. Made
 * once per handle by the session layer, immutable afterwards.
 *
 * <p>Encoding asks the families in two stages, as a user would expect the rules to read:
 * {@link #early} ones (tensors, live containers) before the codec refuses other arrays and
 * collections, {@link #late} ones (structs of records and user classes) after it.
 */
public final class ValueKinds {

    private static final int TABLE_SIZE = 128;

    private final ValueKind[] byKind = new ValueKind[TABLE_SIZE];
    private final ValueKind[] early;
    private final ValueKind[] late;

    public ValueKinds(List<ValueKind> early, List<ValueKind> late) {
        this.early = early.toArray(ValueKind[]::new);
        this.late = late.toArray(ValueKind[]::new);
        for (ValueKind family : this.early) {
            register(family);
        }
        for (ValueKind family : this.late) {
            register(family);
        }
    }

    private void register(ValueKind family) {
        for (int kind : family.kinds()) {
            if (kind < 0 || kind >= TABLE_SIZE || SlotKinds.isInline(kind) || byKind[kind] != null) {
                throw new IllegalStateException("value kind " + kind + " of " + family.getClass().getName()
                        + " is out of range, inline or taken");
            }
            byKind[kind] = family;
        }
    }

    /** The family that owns {@code kind}. */
    ValueKind owner(int kind, long at) {
        ValueKind family = kind >= 0 && kind < TABLE_SIZE ? byKind[kind] : null;
        if (family == null) {
            throw new CorruptedRegionException("unknown value kind " + kind, at);
        }
        return family;
    }

    /**
     * The family of class {@code type} in this table, or null (a read-only context has none):
     * how a family finds its own per-handle state from a context.
     */
    public <T extends ValueKind> T family(Class<T> type) {
        for (ValueKind family : early) {
            if (family.getClass() == type) {
                return type.cast(family);
            }
        }
        for (ValueKind family : late) {
            if (family.getClass() == type) {
                return type.cast(family);
            }
        }
        return null;
    }

    /** Whether a family owns {@code kind}. */
    public boolean isRegistered(int kind) {
        return kind >= 0 && kind < TABLE_SIZE && byKind[kind] != null;
    }

    boolean encodeEarly(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        for (ValueKind family : early) {
            if (family.encode(context, value, out, depth, frozen)) {
                return true;
            }
        }
        return false;
    }

    boolean encodeLate(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        for (ValueKind family : late) {
            if (family.encode(context, value, out, depth, frozen)) {
                return true;
            }
        }
        return false;
    }
}
