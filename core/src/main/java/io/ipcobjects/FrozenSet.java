package io.ipcobjects;

import io.ipcobjects.HeapFrozenSet;

import java.util.Set;

/**
 * A read-only snapshot of a set: the counterpart of the original's {@code FastLimitedSet}. See
 * {@link FrozenMap}.
 */
public interface FrozenSet<E> extends Set<E> {

    /** A snapshot of {@code set} to store (the set is copied now, shallowly). */
    static <E> FrozenSet<E> of(Set<? extends E> set) {
        return new HeapFrozenSet<>(set);
    }
}
