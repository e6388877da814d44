package io.ipcobjects.internal.codec;

/**
 * The hash that shared maps and sets use: the same in every JVM by construction, because it is
 * computed from a value's kind and canonical encoding, never from {@code Object.hashCode()} of an
 * arbitrary class. (The one JDK hash it reuses, {@link String#hashCode()}, is specified by the
 * Java SE API as {@code s[0]*31^(n-1) + ... + s[n-1]}, so it is canonical too, and cached in the
 * string, which keeps {@code String} lookups cheap.)
 *
 * <p>Equal keys hash equally: the kind is part of the hash exactly where it is part of
 * {@code equals} ({@code Integer 1} and {@code Long 1} are different keys, as in
 * {@code java.util.HashMap}), floating values hash their canonical bits
 * ({@code Double.doubleToLongBits}), and lists, sets and maps hash by their elements in the way
 * their {@code equals} compares them (order-sensitive for lists, order-free for sets and maps).
 */
public final class StableHash {
    private StableHash() {
    }

    /** The 64-bit finalizer of MurmurHash3: spreads every input bit over the result. */
    public static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    public static long of(int kind, long bits, int aux) {
        return mix(bits ^ mix(((long) kind << 32) ^ (aux & 0xffffffffL)));
    }

    public static long ofString(String s) {
        return mix(((long) SlotKinds.STRING << 40) ^ (s.hashCode() & 0xffffffffL) ^ ((long) s.length() << 32));
    }

    public static long ofBytes(int kind, byte[] bytes, int aux) {
        long h = of(kind, bytes.length, aux);
        for (byte b : bytes) {
            h = h * 31 + b;
        }
        return mix(h);
    }

    /** Order-sensitive combination (lists, tuples, struct fields). */
    public static long combine(long h, long element) {
        return h * 0x9E3779B97F4A7C15L + element;
    }
}
