package io.ipcobjects.messages;

import io.ipcobjects.collections.ContainerView;
import io.ipcobjects.collections.Containers;
import io.ipcobjects.region.RegionContext;
import io.ipcobjects.values.SlotKinds;
import io.ipcobjects.values.SlotValue;
import io.ipcobjects.values.ValueSlots;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
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
 *       {@code UUID}, enums, and records, {@code Object[]} tuples and frozen collections made
 *       of these): nobody can reach their blocks any more, so they are freed;</li>
 *   <li>live containers ({@code SharedList}, {@code SharedSet}, {@code SharedMap}), also
 *       inside a record or tuple: the slot's reference to each passes to the caller (as
 *       {@code Access.share} gives one), so they live on until {@code destroy(view)} or until
 *       the last slot holding them lets go; the record or tuple around them is freed;</li>
 *   <li>anything else (tensor views, proxies, snapshot views, nesting deeper than
 *       {@value #MAX_DEPTH}): the slot is cleared and nothing is freed. Keeping an object is
 *       safe; freeing one that a view still shows is not.</li>
 * </ul>
 * The reference is passed on by adding one for each live container found (through the codec's
 * {@link Containers#encode}, which is how storing a view adds a reference) and then destroying
 * the slot, which drops one for each: the counts end where they were, the wrappers are freed.
 */
final class HandOver {
    private HandOver() {
    }

    static final int MAX_DEPTH = 32;

    /** Component accessors per record class: looking them up costs microseconds, a call nanoseconds. */
    private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Method[] accessors = new Method[components.length];
            for (int i = 0; i < components.length; i++) {
                accessors[i] = components[i].getAccessor();
            }
            return accessors;
        }
    };

    /** Empties the slot that held {@code value} (just read from it), freeing what the caller cannot reach. */
    static void release(RegionContext context, long slot, Object value) {
        if (isPlain(value)) {
            ValueSlots.destroy(context, slot);
            return;
        }
        List<ContainerView> containers = new ArrayList<>();
        if (!collect(context, value, containers, 0)) {
            context.memory().putLong(slot, 0); // kind NULL: the slot lets go without freeing anything
            context.memory().putLong(slot + 8, 0);
            return;
        }
        SlotValue scratch = new SlotValue();
        for (ContainerView container : containers) {
            Containers.encode(context, container, scratch, 0); // one more reference: the caller's
        }
        ValueSlots.destroy(context, slot);
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
    private static boolean collect(RegionContext context, Object value, List<ContainerView> out, int depth) {
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
        if (depth >= MAX_DEPTH) {
            return false;
        }
        if (value instanceof Object[] tuple && value.getClass() == Object[].class) {
            for (Object element : tuple) {
                if (!collect(context, element, out, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Record record) {
            try {
                for (Method accessor : ACCESSORS.get(record.getClass())) {
                    if (!collect(context, accessor.invoke(record), out, depth + 1)) {
                        return false;
                    }
                }
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
        // Frozen lists and sets (tuple keys) and frozen maps come back as plain unmodifiable collections.
        if (value instanceof Collection<?> collection && value.getClass().getName().startsWith("java.util.")) {
            for (Object element : collection) {
                if (!collect(context, element, out, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> map && value.getClass().getName().startsWith("java.util.")) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!collect(context, entry.getKey(), out, depth + 1) || !collect(context, entry.getValue(), out, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
