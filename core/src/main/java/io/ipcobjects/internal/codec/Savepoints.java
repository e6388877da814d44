package io.ipcobjects.internal.codec;

/**
 * Region state that a store adds to as a side effect and that a failed store must take back, so
 * that "a refused or failed store leaves the region unchanged" holds to the byte. Today the one
 * such state is the type registry (an entry per class, made by the first store of a value of
 * it); the codec knows it only through this interface. Runs under the lock.
 */
public interface Savepoints {

    /** A mark to roll back to. */
    long mark();

    /** Takes back what was added since {@code mark}. */
    void rollbackTo(long mark);
}
