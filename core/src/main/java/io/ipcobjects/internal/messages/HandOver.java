package io.ipcobjects.internal.messages;

import io.ipcobjects.internal.tensor.TensorView;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.internal.structs.StructType;
import io.ipcobjects.internal.structs.Structs;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Gives a taken message's value to the caller: the message's slot goes away, the object does
 * not. What the caller got decides what is freed:
 * <ul>
 *   <li>copies (null, booleans, numbers, {@code Character}, {@code String}, {@code BigInteger},
 *       {@code BigDecimal}, {@code byte[]}, {@code char[]}, {@code java.time} values,
 *       {@code UUID}, enums, and records, user objects, {@code Object[]} tuples and frozen
 *       collections made of these): nobody can reach their blocks any more, so they are freed;</li>
 *   <li>live containers ({@code SharedList}, {@code SharedSet}, {@code SharedMap}), also
 *       inside a record or tuple: the slot's reference to each passes to the caller (as
 *       {@code Access.share} gives one), so they live on until {@code destroy(view)} or until
 *       the last slot holding them lets go; the record or tuple around them is freed;</li>
 *   <li>tensors and snapshot views ({@code FrozenMap}, {@code FrozenSet}) inside a record (the
 *       original's example holds an {@code int[]}), whether read as a {@code SharedTensor} or a
 *       binding's array: the tensor or snapshot is kept (the caller's view shows it, and the
 *       caller destroys it) and the record around it is freed as above;</li>
 *   <li>live shared objects ({@code newObject}), also inside a record: as live containers, the
 *       slot's reference passes to the caller;</li>
 *   <li>anything else (tensors and snapshots in tuples; user objects, live objects and
 *       deserialized objects in tuples, which the walk does not look into): the slot is cleared
 *       and nothing is freed. Keeping an object is safe; freeing one that a view still shows is
 *       not.</li>
 * </ul>
 * The reference is passed on in one of two ways. When the slots say the value is records (or
 * user objects), copies, live containers, tensors and snapshots only (the common case: a record with nested
 * records and collections; {@link Structs#holdsOnlyPlainValuesContainersAndTensors}), the struct
 * blocks and copies are freed and the container slots' references are simply left to the
 * caller ({@link Structs#free(RegionContext, long, int, boolean)}), with no walk of the Java
 * objects. Otherwise (tuples and frozen
 * collections, which the values codec frees) one reference is added for each live container
 * found (through the codec's {@link Containers#encode}, which is how storing a view adds a
 * reference) and then the slot is destroyed, which drops one for each: either way the counts end
 * where they were and the wrappers are freed.
 */
public final class HandOver {
    private HandOver() {
    }

    /**
     * The walk's depth limit, the codec's: a message the codec stored (nested up to
     * {@value ValueSlots#MAX_DEPTH} levels below its own value) is walked and freed whole. The
     * walk goes only into what the decoder built from slots, which it bounds the same way, so
     * the limit is a guard: a deeper value would be kept (never freed), not recursed into
     * without end.
     */
    static final int MAX_DEPTH = ValueSlots.MAX_DEPTH;

    /** Empties the slot that held {@code value} (just read from it), freeing what the caller cannot reach. */
    public static void release(RegionContext context, long slot, Object value) {
        if (isPlain(value)) {
            ValueSlots.destroy(context, slot);
            return;
        }
        RegionMemory memory = context.memory();
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        if (kind == SlotKinds.SERIALIZED) {
            ValueSlots.destroy(context, slot); // deserialized: the caller has a copy
            return;
        }
        if (kind == SlotKinds.STRUCT) {
            long struct = memory.getLong(slot + SlotLayout.BITS_OFFSET);
            if (Structs.holdsOnlyPlainValuesContainersAndTensors(context, struct, 0)) {
                // Records (and user objects), copies, live containers and tensors only, as the
                // slots say: free the structs' blocks and copies and leave the containers'
                // reference counts alone (each slot's reference passes to the caller's view),
                // instead of adding a reference to each and dropping it again. Tensors are not
                // freed: the caller's view shows them (and they have no count).
                memory.putIntIntLong(slot, 0, 0, 0L); // one undo entry for the slot
                Structs.free(context, struct, 0, true);
                return;
            }
        }
        List<ContainerView> containers = new ArrayList<>();
        Walk walk = new Walk();
        if (!collect(context, value, containers, 0, walk)) {
            context.memory().putIntIntLong(slot, 0, 0, 0L); // kind NULL: the slot lets go without freeing anything
            return;
        }
        if (walk.sawTensor) {
            // A tensor inside a tuple: the codec would free it with the tuple, and the caller's view shows it.
            memory.putIntIntLong(slot, 0, 0, 0L);
            return;
        }
        // Every count is checked before any changes: a bad one (negative, zero: read from the
        // region) leaves the message queued and every count as it was, instead of letting the
        // destroy below free a container the caller is handed.
        for (ContainerView container : containers) {
            Containers.checkRetainable(context, container);
        }
        SlotValue scratch = new SlotValue();
        for (ContainerView container : containers) {
            Containers.encode(context, container, scratch, 0); // one more reference: the caller's
        }
        ValueSlots.destroy(context, slot);
    }

    /** What a {@link #collect} walk saw beyond records, copies and containers. */
    private static final class Walk {
        /** A {@code SharedTensor} of this region (kept, never freed by a take). */
        boolean sawTensor;
    }

    /** Whether {@code value} is a leaf copy that holds nothing in the region. */
    static boolean isPlain(Object value) {
        if (value == null || value instanceof Long || value instanceof String || value instanceof Integer
                || value instanceof Double || value instanceof Boolean || value instanceof Float || value instanceof Short
                || value instanceof Byte || value instanceof Character || value instanceof BigInteger
                || value instanceof BigDecimal || value instanceof byte[] || value instanceof char[]
                || value instanceof UUID || value instanceof Enum<?>) {
            return true;
        }
        return (value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof java.time.ZoneId)
                && value.getClass().getName().startsWith("java.time.");
    }

    /**
     * Walks a decoded value, adding every live container of this region to {@code out}; returns
     * false if some part is neither a copy nor such a container (then nothing may be freed).
     */
    private static boolean collect(RegionContext context, Object value, List<ContainerView> out, int depth, Walk walk) {
        if (isPlain(value)) {
            return true;
        }
        if (value instanceof ContainerView view) {
            if (view.context() != context || (view.slotKind() != SlotKinds.LIST && view.slotKind() != SlotKinds.MAP
                    && view.slotKind() != SlotKinds.SET)) {
                return false;
            }
            out.add(view);
            return true;
        }
        if (TensorView.ofRegion(value, context) != null) {
            walk.sawTensor = true;
            return true;
        }
        if (depth > MAX_DEPTH) { // as the codec counts: the message's own value is at depth 0
            return false;
        }
        if (value instanceof Object[] tuple && value.getClass() == Object[].class) {
            for (Object element : tuple) {
                if (!collect(context, element, out, depth + 1, walk)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Record record) {
            try {
                StructType type = StructType.of(record.getClass()); // cached per class, accessors included
                for (int i = 0, n = type.fieldCount(); i < n; i++) {
                    if (!collect(context, type.get(record, i), out, depth + 1, walk)) {
                        return false;
                    }
                }
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }
        // Frozen lists and sets (tuple keys) and frozen maps come back as plain unmodifiable collections.
        if (value instanceof Collection<?> collection && value.getClass().getName().startsWith("java.util.")) {
            for (Object element : collection) {
                if (!collect(context, element, out, depth + 1, walk)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> map && value.getClass().getName().startsWith("java.util.")) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!collect(context, entry.getKey(), out, depth + 1, walk)
                        || !collect(context, entry.getValue(), out, depth + 1, walk)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
