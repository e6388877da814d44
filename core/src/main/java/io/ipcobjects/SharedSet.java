package io.ipcobjects;

import java.util.Set;

/**
 * A live set in shared memory: what a {@link Set} becomes when it is stored in a region (see
 * {@link SharedList} for locking, iteration and lifetime, and {@link SharedMap} for how
 * elements are hashed and compared).
 *
 * @param <E> the element type
 */
public interface SharedSet<E> extends Set<E> {
}
