package io.ipcobjects.internal.containers;

import io.ipcobjects.FrozenSet;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.Tuples;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/** The view of a snapshot set; works as {@link FrozenMapView}. */
public final class FrozenSetView<E> extends AbstractSet<E> implements FrozenSet<E>, ContainerView {

    private final SnapshotTuple<Set<E>> snapshot;

    public FrozenSetView(RegionContext context, long tuple) {
        Tuples.count(context, tuple);
        this.snapshot = new SnapshotTuple<>(context, tuple, "snapshot set", FrozenSetView::decode);
    }

    @SuppressWarnings("unchecked")
    private static <E> Set<E> decode(RegionContext context, long tuple, DecodeBudget budget) {
        return (Set<E>) FrozenSet.of(new LinkedHashSet<>(Arrays.asList(Tuples.read(context, tuple, budget))));
    }

    private Set<E> heap() {
        return snapshot.heap();
    }

    @Override
    public RegionContext context() {
        return snapshot.context();
    }

    @Override
    public long offset() {
        return snapshot.tuple();
    }

    @Override
    public long identity() {
        return snapshot.identity();
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
