package io.ipcobjects;

import io.ipcobjects.HeapFrozenSet;

import java.util.Set;

/**
 * A read-only snapshot of a set: the counterpart of the original's {@code FastLimitedSet}. See
 * {@link FrozenMap}.
 *
 * @param <E> the element type
 */
public interface FrozenSet<E> extends Set<E> {

    /**
     * A snapshot of {@code set} to store (the set is copied now, shallowly).
     *
     * @param set the set to copy; its iteration order is kept
     * @param <E> the element type
     * @return an unmodifiable copy of {@code set}, stored as a deep snapshot when put in a region
     * @throws NullPointerException if {@code set} is null
     */
    static <E> FrozenSet<E> of(Set<? extends E> set) {
        return new HeapFrozenSet<>(set);
    }
}
