package io.ipcobjects;

import io.ipcobjects.HeapFrozenMap;

import java.util.Map;

/**
 * A read-only snapshot of a map: the counterpart of the original's {@code FastLimitedDict}.
 * Wrap a map with {@link #of} before storing it, and the region keeps a static, deep copy
 * (nested lists, sets and maps become immutable too); reading it back gives a {@code FrozenMap}
 * view that decodes the copy once and then serves every read from this process's heap, without
 * taking the region lock. Mutators throw {@link UnsupportedOperationException}.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface FrozenMap<K, V> extends Map<K, V> {

    /**
     * A snapshot of {@code map} to store (the map is copied now, shallowly).
     *
     * @param map the map to copy; its iteration order is kept
     * @param <K> the key type
     * @param <V> the value type
     * @return an unmodifiable copy of {@code map}, stored as a deep snapshot when put in a region
     * @throws NullPointerException if {@code map} is null
     */
    static <K, V> FrozenMap<K, V> of(Map<? extends K, ? extends V> map) {
        return new HeapFrozenMap<>(map);
    }
}
