package io.ipcobjects;

import io.ipcobjects.FrozenSet;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/** A {@link FrozenSet} on the Java heap: what {@link FrozenSet#of} returns, and what a frozen view decodes to. */
final class HeapFrozenSet<E> extends AbstractSet<E> implements FrozenSet<E> {
    private final Set<E> set;

    HeapFrozenSet(Set<? extends E> set) {
        this.set = Collections.unmodifiableSet(new LinkedHashSet<>(set));
    }

    @Override
    public boolean contains(Object o) {
        return set.contains(o);
    }

    @Override
    public int size() {
        return set.size();
    }

    @Override
    public Iterator<E> iterator() {
        return set.iterator();
    }
}
