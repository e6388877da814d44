package io.ipcobjects;

import io.ipcobjects.FrozenMap;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A {@link FrozenMap} on the Java heap: what {@link FrozenMap#of} returns, and what a frozen view decodes to. */
final class HeapFrozenMap<K, V> extends AbstractMap<K, V> implements FrozenMap<K, V> {
    private final Map<K, V> map;

    HeapFrozenMap(Map<? extends K, ? extends V> map) {
        this.map = Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    @Override
    public V get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return map.entrySet();
    }
}
