package io.ipcobjects.messages;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.UUID;

/**
 * Decides, for a value just read out of a message, whether the caller got a copy of it or a
 * live view into the region. A taken message frees what only it could reach:
 * <ul>
 *   <li>copies (null, booleans, numbers, {@code Character}, {@code String}, {@code BigInteger},
 *       {@code BigDecimal}, {@code byte[]}, {@code char[]}, {@code java.time} values,
 *       {@code UUID}, enums, and {@code Object[]} tuples and records made only of copies):
 *       nobody can reach their blocks after the take, so the take destroys them;</li>
 *   <li>everything else (live containers, tensors, proxies, and tuples or records holding
 *       one): handed over, they stay in the region until {@code destroy(view)}, because the
 *       caller's view points into them.</li>
 * </ul>
 * When in doubt (a record whose components cannot be read, nesting deeper than
 * {@value #MAX_DEPTH}) the answer is "view": keeping an object alive is safe, freeing one a
 * view still points to is not.
 */
final class HandOver {
    private HandOver() {
    }

    static final int MAX_DEPTH = 32;

    /** Whether {@code value} is a plain copy that owns nothing the caller can still reach in the region. */
    static boolean isCopiedOut(Object value) {
        return isCopiedOut(value, 0);
    }

    private static boolean isCopiedOut(Object value, int depth) {
        if (value == null || value instanceof String || value instanceof Long || value instanceof Integer
                || value instanceof Double || value instanceof Boolean || value instanceof Float || value instanceof Short
                || value instanceof Byte || value instanceof Character || value instanceof BigInteger
                || value instanceof BigDecimal || value instanceof byte[] || value instanceof char[]
                || value instanceof UUID || value instanceof Enum<?>) {
            return true;
        }
        if (value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof java.time.ZoneId) {
            return value.getClass().getName().startsWith("java.time.");
        }
        if (depth >= MAX_DEPTH) {
            return false;
        }
        if (value instanceof Object[] tuple && value.getClass() == Object[].class) {
            for (Object element : tuple) {
                if (!isCopiedOut(element, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Record record) {
            try {
                for (RecordComponent component : record.getClass().getRecordComponents()) {
                    if (!isCopiedOut(component.getAccessor().invoke(record), depth + 1)) {
                        return false;
                    }
                }
                return true;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
        return false;
    }
}
