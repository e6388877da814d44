package io.ipcobjects.internal.containers;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.Tuples;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * The view of a snapshot map: a frozen tuple (key, value, ...), decoded once and read without
 * the lock afterwards ({@link SnapshotTuple}).
 */
public final class FrozenMapView<K, V> extends AbstractMap<K, V> implements FrozenMap<K, V>, ContainerView {

    private final SnapshotTuple<Map<K, V>> snapshot;

    public FrozenMapView(RegionContext context, long tuple) {
        long count = Tuples.count(context, tuple);
        if ((count & 1) != 0) {
            throw new CorruptedRegionException("snapshot map tuple of odd length " + count, tuple);
        }
        this.snapshot = new SnapshotTuple<>(context, tuple, "snapshot map", FrozenMapView::decode);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> decode(RegionContext context, long tuple, DecodeBudget budget) {
        return (Map<K, V>) FrozenMap.of(Tuples.readMap(context, tuple, budget));
    }

    private Map<K, V> heap() {
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
        return SlotKinds.FROZEN_MAP_VIEW;
    }

    @Override
    public V get(Object key) {
        return heap().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return heap().containsKey(key);
    }

    @Override
    public int size() {
        return heap().size();
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return heap().entrySet();
    }
}
