package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.internal.alloc.BlockTypes;
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
 * <p>The unlocked check can race with a {@code destroy} and the reuse of the block by another
 * object, so the first decode checks again under the lock, before it reads anything: the block
 * is still a used tuple block and holds the identity this view saw. A destroyed snapshot thus
 * gives {@link ObjectDestroyedException}, never another object's data. (Once decoded, the copy
 * is this snapshot's own.)
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

    /**
     * The first decode, under the lock. The check above ran without it: the tuple may have been
     * destroyed and its block reused since. So the block is checked again here, where nothing can
     * change it (still a tuple block, still this identity), before a byte of it is read.
     */
    private T decodeLocked() {
        if (!context.allocator().holds(tuple, BlockTypes.VALUE_TUPLE)) {
            throw destroyed();
        }
        checkIdentity();
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
