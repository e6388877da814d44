package io.ipcobjects.internal.structs;

import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.ValueLayout;

/**
 * A cache from a struct's stored descriptor (the descriptor bytes of its class's type registry
 * entry: class name and field names, see {@link TypeRegistryLayout}) to the {@link StructType}
 * it resolved to in this process, so reading a struct does not decode the descriptor, split it,
 * load the class by name and compare the names every time (microseconds, and several Java
 * objects per struct).
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>An entry is made only by the full, checked path of {@link Structs#read}: the
 *       descriptor named a class that loads in this process and whose field names are exactly
 *       the stored ones. A hit compares the stored bytes with the entry's in place, byte for
 *       byte, so a hit means the stored descriptor is exactly one that passed every check.</li>
 *   <li>Which class a name loads as depends on the thread's context class loader
 *       ({@code StoredClasses}): the entry records the loader it was resolved with and only
 *       serves that loader.</li>
 *   <li>The table is small and direct-mapped by a hash of the bytes; entries are immutable and
 *       replaced whole, so racing threads at worst overwrite each other's entry and take the
 *       slow path once more. Memory is bounded ({@value #SIZE} entries).</li>
 * </ul>
 */
final class StructDescriptors {
    private StructDescriptors() {
    }

    private static final int SIZE = 64;

    private record Entry(int hash, byte[] bytes, ClassLoader loader, StructType type) {
    }

    private static final Entry[] TABLE = new Entry[SIZE];

    /** Hash of {@code length} bytes at {@code data} in the region (FNV-1a, 8 bytes at a time). */
    static int hash(RegionMemory memory, long data, long length) {
        long h = 0xcbf29ce484222325L;
        long i = 0;
        for (; i + 8 <= length; i += 8) {
            h = (h ^ memory.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, data + i)) * 0x100000001b3L;
        }
        for (; i < length; i++) {
            h = (h ^ (memory.getByte(data + i) & 0xFF)) * 0x100000001b3L;
        }
        return (int) (h ^ (h >>> 32));
    }

    /** Same hash over a heap array (the bytes a slow-path read just checked). */
    static int hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            h = (h ^ (long) LONG_LE.get(bytes, i)) * 0x100000001b3L;
        }
        for (; i < bytes.length; i++) {
            h = (h ^ (bytes[i] & 0xFF)) * 0x100000001b3L;
        }
        return (int) (h ^ (h >>> 32));
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.nativeOrder());

    /** The type a descriptor of {@code length} bytes at {@code data} resolved to before, or null. */
    static StructType lookup(RegionMemory memory, long data, long length, int hash, ClassLoader loader) {
        Entry entry = TABLE[hash & (SIZE - 1)];
        if (entry == null || entry.hash != hash || entry.loader != loader || entry.bytes.length != length) {
            return null;
        }
        byte[] bytes = entry.bytes;
        int i = 0;
        for (; i + 8 <= bytes.length; i += 8) {
            if (memory.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, data + i) != (long) LONG_LE.get(bytes, i)) {
                return null;
            }
        }
        for (; i < bytes.length; i++) {
            if (memory.getByte(data + i) != bytes[i]) {
                return null;
            }
        }
        return entry.type;
    }

    /** Remembers that {@code bytes}, read with {@code loader}, passed every check as {@code type}. */
    static void remember(byte[] bytes, ClassLoader loader, StructType type) {
        int hash = hash(bytes);
        TABLE[hash & (SIZE - 1)] = new Entry(hash, bytes, loader, type);
    }
}
