package io.ipcobjects;

import java.util.List;
import java.util.RandomAccess;

/**
 * A live list in shared memory: what a {@link List} becomes when it is stored in a region. Every
 * read and write goes to the region, so a change made in one process is seen by all others.
 * Each call takes the region lock for itself unless the thread is inside an
 * {@code acquire()} scope, where calls are cheapest. Iterators fail with
 * {@link java.util.ConcurrentModificationException} when any process changed the list's
 * structure since they started. After the region is closed every call throws
 * {@link RegionClosedException}; after the list was destroyed, {@link IllegalStateException}.
 *
 * <p>Elements of inline kinds (null, booleans, numbers, characters, small java.time values) are
 * read and written in place; {@link #getLong}, {@link #getDouble}, {@link #setLong} and
 * {@link #setDouble} do so without boxing.
 *
 * @param <E> the element type
 */
public interface SharedList<E> extends List<E>, RandomAccess {

    /**
     * Element {@code index} as a long: it must be a {@code Byte}, {@code Short}, {@code Integer} or {@code Long}.
     *
     * @param index the element's index
     * @return the element's value
     * @throws IndexOutOfBoundsException if {@code index} is outside the list
     * @throws ClassCastException        if the element is not one of those types
     */
    long getLong(int index);

    /**
     * Element {@code index} as a double: it must be a {@code Float} or {@code Double}.
     *
     * @param index the element's index
     * @return the element's value
     * @throws IndexOutOfBoundsException if {@code index} is outside the list
     * @throws ClassCastException        if the element is not one of those types
     */
    double getDouble(int index);

    /**
     * Stores a {@code Long} at {@code index} without boxing; returns nothing (unlike {@link #set}).
     *
     * @param index the element's index
     * @param value the value; the element reads back as a {@code Long}
     * @throws IndexOutOfBoundsException if {@code index} is outside the list
     */
    void setLong(int index, long value);

    /**
     * Stores a {@code Double} at {@code index} without boxing; returns nothing (unlike {@link #set}).
     *
     * @param index the element's index
     * @param value the value; the element reads back as a {@code Double}
     * @throws IndexOutOfBoundsException if {@code index} is outside the list
     */
    void setDouble(int index, double value);
}
