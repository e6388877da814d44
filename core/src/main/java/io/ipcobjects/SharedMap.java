package io.ipcobjects;

import java.util.Map;

/**
 * A live map in shared memory: what a {@link Map} becomes when it is stored in a region (see
 * {@link SharedList} for locking, iteration and lifetime). Keys are stored as immutable values
 * and hashed by a hash that every JVM computes alike from the key's canonical form; a key
 * matches a stored key of the same type only ({@code Integer 1} and {@code Long 1} are two
 * keys, as in {@code HashMap}). A {@code List} key comes back as an unmodifiable {@code List}.
 * Null keys and values are allowed.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface SharedMap<K, V> extends Map<K, V> {

    /**
     * {@link #put} without decoding and returning the previous value: the cheapest store.
     *
     * @param key   the key (null allowed)
     * @param value the value (null allowed)
     * @throws UnsupportedTypeException   the key or value cannot be stored; the map is unchanged
     * @throws OutOfSharedMemoryException the region is full; the map is unchanged
     */
    void set(K key, V value);
}
