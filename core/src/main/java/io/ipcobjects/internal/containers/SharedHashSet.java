package io.ipcobjects.internal.containers;

import io.ipcobjects.SharedSet;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

/**
 * The view of a shared set: a {@link HashTable} whose entries have no value slot. Locking,
 * caching and fail-fast iteration as in {@link SharedHashMap}.
 */
public final class SharedHashSet<E> extends AbstractSet<E> implements SharedSet<E>, ContainerView {

    private final RegionContext context;
    private final HashTable table;

    public SharedHashSet(RegionContext context, long header) {
        this.context = context;
        this.table = new HashTable(context, header);
        if (table.isMap()) {
            throw new IllegalArgumentException("the block at " + header + " is a shared map, not a set");
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
        return SlotKinds.SET;
    }


    private <T> T locked(Supplier<T> operation) {
        return context.scope().call(operation);
    }

    @Override
    public boolean contains(Object o) {
        if (context.scope().inScopeOperation()) {
            return table.find(o) != 0;
        }
        return locked(() -> table.find(o) != 0);
    }

    @Override
    public int size() {
        if (context.scope().inScopeOperation()) {
            return table.size();
        }
        return locked(table::size);
    }

    @Override
    public boolean add(E e) {
        return locked(() -> table.put(e, null, false, 0) == HashTable.ABSENT);
    }

    @Override
    public boolean remove(Object o) {
        return locked(() -> table.remove(o) != HashTable.ABSENT);
    }

    @Override
    public void clear() {
        context.scope().run(table::clear);
    }

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
    public Object[] toArray() {
        return Containers.readingAll(context, super::toArray);
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return Containers.readingAll(context, () -> super.toArray(a));
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return locked(() -> super.addAll(c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return locked(() -> super.removeAll(c));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return locked(() -> super.retainAll(c));
    }

    @Override
    public Iterator<E> iterator() {
        return new Cursor();
    }

    private final class Cursor implements Iterator<E> {
        private long cursor;
        private long lastEntry;
        private long expectedModCount;

        Cursor() {
            expectedModCount = context.scope().callLong(() -> {
                table.table();
                return table.modCount();
            });
        }

        private long checkedTable() {
            long t = table.table();
            if (table.modCount() != expectedModCount) {
                throw new ConcurrentModificationException("the shared set was changed (in this or another process) "
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
        public E next() {
            return locked(() -> {
                long t = checkedTable();
                long index = t == 0 ? -1 : table.nextLive(t, cursor);
                if (index < 0) {
                    throw new NoSuchElementException();
                }
                long entry = table.entry(t, index);
                cursor = index + 1;
                lastEntry = entry;
                return (E) table.readKey(entry);
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
