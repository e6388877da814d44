package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.codec.Tuples;

/**
 * What a snapshot view ({@link FrozenMapView}, {@link FrozenSetView}) holds: a frozen tuple that
 * never changes while it lives. The first read decodes it under the lock into a heap copy; every
 * later read is served from that copy without the lock, after two cheap checks: the region is
 * open, and the tuple's identity word is unchanged (it was not destroyed).
 *
 * @param <T> the heap copy's type
 */
final class SnapshotTuple<T> {

    private final RegionContext context;
    private final long tuple;
    private final long identity;
    private final String what;
    private final Decoder<T> decoder;
    private volatile T decoded;

    /** Decodes a tuple into the heap copy within a read's budget; non-capturing, so one instance serves every view. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(RegionContext context, long tuple, DecodeBudget budget);
    }

    /** A snapshot of the tuple at {@code tuple} (its header already checked by the caller), named {@code what} in errors. */
    SnapshotTuple(RegionContext context, long tuple, String what, Decoder<T> decoder) {
        this.context = context;
        this.tuple = tuple;
        this.what = what;
        this.decoder = decoder;
        this.identity = Tuples.identity(context, tuple);
    }

    RegionContext context() {
        return context;
    }

    long tuple() {
        return tuple;
    }

    long identity() {
        return identity;
    }

    /** The heap copy, decoded under the lock on first use. */
    T heap() {
        context.scope().ensureOpen();
        checkIdentity();
        T copy = decoded;
        if (copy == null) {
            copy = context.scope().call(this::decodeLocked);
            decoded = copy;
        }
        return copy;
    }

    /** The first decode, under the lock, within the handle's read budget. */
    private T decodeLocked() {
        DecodeBudget budget = context.budget();
        budget.begin();
        try {
            return decoder.decode(context, tuple, budget);
        } finally {
            budget.end();
        }
    }

    private void checkIdentity() {
        if (context.memory().getLong(tuple + TupleLayout.IDENTITY_OFFSET) != identity) {
            throw destroyed();
        }
    }

    private ObjectDestroyedException destroyed() {
        return new ObjectDestroyedException("the " + what + " at " + tuple + " was destroyed");
    }
}
