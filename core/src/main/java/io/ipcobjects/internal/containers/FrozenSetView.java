package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.codec.Tuples;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/** The view of a snapshot set; works as {@link FrozenMapView}. */
public final class FrozenSetView<E> extends AbstractSet<E> implements FrozenSet<E>, ContainerView {

    private final RegionContext context;
    private final long tuple;
    private final long identity;
    private volatile Set<E> decoded;

    public FrozenSetView(RegionContext context, long tuple) {
        this.context = context;
        this.tuple = tuple;
        Tuples.count(context, tuple);
        this.identity = Tuples.identity(context, tuple);
    }

    @SuppressWarnings("unchecked")
    private Set<E> heap() {
        context.scope().ensureOpen();
        if (context.memory().getLong(tuple + TupleLayout.IDENTITY_OFFSET) != identity) {
            throw new ObjectDestroyedException("the snapshot set at " + tuple + " was destroyed");
        }
        Set<E> set = decoded;
        if (set == null) {
            set = context.scope().call(() -> (Set<E>) FrozenSet.of(new LinkedHashSet<>(Arrays.asList(Tuples.read(context, tuple, 0)))));
            decoded = set;
        }
        return set;
    }

    @Override
    public RegionContext context() {
        return context;
    }

    @Override
    public long offset() {
        return tuple;
    }

    @Override
    public long identity() {
        return identity;
    }

    @Override
    public int slotKind() {
        return SlotKinds.FROZEN_SET_VIEW;
    }

    @Override
    public boolean contains(Object o) {
        return heap().contains(o);
    }

    @Override
    public int size() {
        return heap().size();
    }

    @Override
    public Iterator<E> iterator() {
        return heap().iterator();
    }
}
