package io.ipcobjects.internal.containers;

import io.ipcobjects.SharedMap;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The view of a shared map ({@link HashLayout}, operations in {@link HashTable}). Locking,
 * caching and fail-fast iteration work as in {@link SharedArrayList}: every method runs under
 * the region lock, directly when the caller is inside an {@code acquire()} scope.
 */
public final class SharedHashMap<K, V> extends AbstractMap<K, V> implements SharedMap<K, V>, ContainerView {

    private final RegionContext context;
    private final HashTable table;

    public SharedHashMap(RegionContext context, long header) {
        this.context = context;
        this.table = new HashTable(context, header);
        if (!table.isMap()) {
            throw new IllegalArgumentException("the block at " + header + " is a shared set, not a map");
        }
    }

    @Override
    public RegionContext context() {
        return context;
    }

    @Override
    public long offset() {
        return table.header();
    }

    @Override
    public long identity() {
        return table.identity();
    }

    @Override
    public int slotKind() {
        return SlotKinds.MAP;
    }


    private <T> T locked(Supplier<T> operation) {
        return context.scope().call(operation);
    }

    // ---- lookups ----

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (context.scope().inScopeOperation()) {
            long entry = table.find(key);
            return entry == 0 ? null : (V) table.readValue(entry);
        }
        return locked(() -> {
            long entry = table.find(key);
            return entry == 0 ? null : (V) table.readValue(entry);
        });
    }

    @Override
    public boolean containsKey(Object key) {
        if (context.scope().inScopeOperation()) {
            return table.find(key) != 0;
        }
        return locked(() -> table.find(key) != 0);
    }

    @Override
    public int size() {
        if (context.scope().inScopeOperation()) {
            return table.size();
        }
        return locked(table::size);
    }

    // ---- changes ----

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        return locked(() -> {
            Object old = table.put(key, value, true, 0);
            return old == HashTable.ABSENT ? null : (V) old;
        });
    }

    @Override
    public void set(K key, V value) {
        if (context.scope().inScopeOperation()) {
            table.put(key, value, false, 0);
            return;
        }
        context.scope().run(() -> table.put(key, value, false, 0));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        return locked(() -> {
            Object old = table.remove(key);
            return old == HashTable.ABSENT ? null : (V) old;
        });
    }

    @Override
    public void clear() {
        context.scope().run(table::clear);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        context.scope().run(() -> super.putAll(m));
    }

    // ---- whole-map operations under one lock hold ----

    @Override
    public boolean equals(Object o) {
        return o == this || locked(() -> super.equals(o));
    }

    @Override
    public int hashCode() {
        return locked(super::hashCode);
    }

    @Override
    public String toString() {
        return Containers.readingAll(context, super::toString);
    }

    @Override
    public boolean containsValue(Object value) {
        return locked(() -> super.containsValue(value));
    }

    // ---- views ----

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new EntryCursor();
            }

            @Override
            public int size() {
                return SharedHashMap.this.size();
            }

            @Override
            public void clear() {
                SharedHashMap.this.clear();
            }

            @Override
            public boolean contains(Object o) {
                return o instanceof Entry<?, ?> e && locked(() -> {
                    long entry = table.find(e.getKey());
                    return entry != 0 && Objects.equals(table.readValue(entry), e.getValue());
                });
            }
        };
    }

    /** An entry as iteration found it; {@code setValue} writes through to the map. */
    private final class SharedEntry implements Entry<K, V> {
        private final K key;
        private V value;

        SharedEntry(K key, V value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V setValue(V newValue) {
            return locked(() -> {
                if (table.find(key) == 0) {
                    throw new IllegalStateException("the entry for key " + key + " was removed from the shared map");
                }
                V old = (V) table.put(key, newValue, true, 0);
                value = newValue;
                return old;
            });
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry<?, ?> e && Objects.equals(key, e.getKey()) && Objects.equals(value, e.getValue());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(key) ^ Objects.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private final class EntryCursor implements Iterator<Entry<K, V>> {
        private long cursor;
        private long lastEntry;
        private long expectedModCount;

        EntryCursor() {
            expectedModCount = context.scope().callLong(() -> {
                table.table();
                return table.modCount();
            });
        }

        private long checkedTable() {
            long t = table.table();
            if (table.modCount() != expectedModCount) {
                throw new ConcurrentModificationException("the shared map was changed (in this or another process) "
                        + "while it was being iterated");
            }
            return t;
        }

        @Override
        public boolean hasNext() {
            return locked(() -> {
                long t = checkedTable();
                return t != 0 && table.nextLive(t, cursor) >= 0;
            });
        }

        @Override
        @SuppressWarnings("unchecked")
        public Entry<K, V> next() {
            return locked(() -> {
                long t = checkedTable();
                long index = t == 0 ? -1 : table.nextLive(t, cursor);
                if (index < 0) {
                    throw new NoSuchElementException();
                }
                long entry = table.entry(t, index);
                cursor = index + 1;
                lastEntry = entry;
                return new SharedEntry((K) table.readKey(entry), (V) table.readValue(entry));
            });
        }

        @Override
        public void remove() {
            if (lastEntry == 0) {
                throw new IllegalStateException("next() first");
            }
            context.scope().run(() -> {
                checkedTable();
                table.removeEntry(lastEntry);
                lastEntry = 0;
                expectedModCount = table.modCount();
            });
        }
    }
}
