package io.ipcobjects.internal.codec;

import io.ipcobjects.UnsupportedTypeException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@link StableHash} of a Java value used as a key or set element. Computed from the Java
 * value (at insertion and at lookup alike), so it never depends on where or how the key was
 * stored; the stored control word keeps it for rebuilding the table.
 *
 * <p>The rule, in short: two keys hash equally when their {@code equals} says they are equal.
 * Numbers of different boxed types are different keys ({@code Integer 1}, {@code Long 1},
 * {@code Short 1} and {@code Double 1.0} are four keys), as in {@code java.util.HashMap};
 * {@code BigDecimal} keys keep their scale ({@code 1.0} and {@code 1.00} differ); arrays
 * ({@code byte[]}, {@code char[]}, {@code Object[]}) are compared by content.
 */
public final class KeyHash {
    private KeyHash() {
    }

    /**
     * @throws UnsupportedTypeException the value cannot be a key (it could not be stored as one)
     */
    public static long of(Object key) {
        return of(key, 0);
    }

    /** Hash of an inline value described by {@code slot} (floating kinds: canonical NaN). */
    public static long ofInline(SlotValue slot) {
        long bits = slot.bits;
        if (slot.kind == SlotKinds.DOUBLE) {
            bits = Double.doubleToLongBits(Double.longBitsToDouble(bits));
        } else if (slot.kind == SlotKinds.FLOAT) {
            bits = Float.floatToIntBits(Float.intBitsToFloat((int) bits));
        }
        return StableHash.of(slot.kind, bits, slot.aux);
    }

    private static long of(Object key, int depth) {
        if (key instanceof String s) {
            return StableHash.ofString(s);
        }
        SlotValue inline = new SlotValue();
        if (ValueSlots.encodeInline(key, inline)) {
            return ofInline(inline);
        }
        if (depth > ValueSlots.MAX_DEPTH) {
            throw new IllegalArgumentException("key nests deeper than " + ValueSlots.MAX_DEPTH + " levels (a cycle?)");
        }
        if (key instanceof byte[] b) {
            return StableHash.ofBytes(SlotKinds.BYTES, b, 0);
        }
        if (key instanceof char[] c) {
            return StableHash.combine(SlotKinds.CHARS, StableHash.ofString(new String(c)));
        }
        if (key instanceof BigInteger v) {
            return StableHash.ofBytes(SlotKinds.BIG_INTEGER, v.toByteArray(), 0);
        }
        if (key instanceof BigDecimal v) {
            return StableHash.ofBytes(SlotKinds.BIG_DECIMAL, v.unscaledValue().toByteArray(), v.scale());
        }
        if (key instanceof OffsetDateTime v) {
            return StableHash.mix(StableHash.combine(StableHash.of(SlotKinds.OFFSET_DATE_TIME,
                    v.toLocalDateTime().toEpochSecond(ZoneOffset.UTC), v.getNano()), v.getOffset().getTotalSeconds()));
        }
        if (key instanceof ZonedDateTime v) {
            long h = StableHash.of(SlotKinds.ZONED_DATE_TIME, v.toLocalDateTime().toEpochSecond(ZoneOffset.UTC), v.getNano());
            h = StableHash.combine(h, v.getOffset().getTotalSeconds());
            return StableHash.mix(StableHash.combine(h, StableHash.ofString(v.getZone().getId())));
        }
        if (key instanceof ZoneId v) {
            return StableHash.mix(StableHash.combine(SlotKinds.ZONE_ID, StableHash.ofString(v.getId())));
        }
        if (key instanceof UUID v) {
            return StableHash.mix(StableHash.combine(StableHash.of(SlotKinds.UUID, v.getMostSignificantBits(), 0),
                    v.getLeastSignificantBits()));
        }
        if (key instanceof Enum<?> v) {
            long h = StableHash.combine(SlotKinds.ENUM, StableHash.ofString(v.getDeclaringClass().getName()));
            return StableHash.mix(StableHash.combine(h, StableHash.ofString(v.name())));
        }
        if (key instanceof Object[] array && key.getClass() == Object[].class) {
            long h = SlotKinds.OBJECT_ARRAY;
            for (Object element : array) {
                h = StableHash.combine(h, of(element, depth + 1));
            }
            return StableHash.mix(h);
        }
        if (key instanceof List<?> list) {
            long h = SlotKinds.FROZEN_LIST;
            for (Object element : list) {
                h = StableHash.combine(h, of(element, depth + 1));
            }
            return StableHash.mix(h);
        }
        if (key instanceof Set<?> set) {
            long sum = 0;
            for (Object element : set) {
                sum += of(element, depth + 1);
            }
            return StableHash.mix(StableHash.combine(SlotKinds.FROZEN_SET, sum));
        }
        if (key instanceof Map<?, ?> map) {
            long sum = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sum += StableHash.mix(StableHash.combine(of(e.getKey(), depth + 1), of(e.getValue(), depth + 1)));
            }
            return StableHash.mix(StableHash.combine(SlotKinds.FROZEN_MAP, sum));
        }
        if (key.getClass().isRecord()) {
            long h = StableHash.combine(SlotKinds.STRUCT, StableHash.ofString(key.getClass().getName()));
            for (Object component : RecordComponents.values(key)) {
                h = StableHash.combine(h, of(component, depth + 1));
            }
            return StableHash.mix(h);
        }
        throw new UnsupportedTypeException(key.getClass(), "it cannot be a key or set element (no stable hash and equality)");
    }

    /** Key equality as maps and sets use it: {@code equals}, with arrays compared by content. */
    public static boolean keyEquals(Object probe, Object stored) {
        if (probe instanceof byte[] a && stored instanceof byte[] b) {
            return java.util.Arrays.equals(a, b);
        }
        if (probe instanceof char[] a && stored instanceof char[] b) {
            return java.util.Arrays.equals(a, b);
        }
        if (probe instanceof Object[] a && stored instanceof Object[] b) {
            return java.util.Arrays.deepEquals(a, b);
        }
        return probe == null ? stored == null : probe.equals(stored);
    }
}
