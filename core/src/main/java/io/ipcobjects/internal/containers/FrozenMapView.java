package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.codec.Tuples;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * The view of a snapshot map: a frozen tuple (key, value, ...) that never changes while it
 * lives. The first read decodes it under the lock into a heap map; every later read is served
 * from that map without the lock, after two cheap checks: the region is open, and the tuple's
 * identity word is unchanged (it was not destroyed).
 */
public final class FrozenMapView<K, V> extends AbstractMap<K, V> implements FrozenMap<K, V>, ContainerView {

    private final RegionContext context;
    private final long tuple;
    private final long identity;
    private volatile Map<K, V> decoded;

    public FrozenMapView(RegionContext context, long tuple) {
        this.context = context;
        this.tuple = tuple;
        long count = Tuples.count(context, tuple);
        if ((count & 1) != 0) {
            throw new CorruptedRegionException("snapshot map tuple of odd length " + count, tuple);
        }
        this.identity = Tuples.identity(context, tuple);
    }

    @SuppressWarnings("unchecked")
    private Map<K, V> heap() {
        context.scope().ensureOpen();
        if (context.memory().getLong(tuple + TupleLayout.IDENTITY_OFFSET) != identity) {
            throw new ObjectDestroyedException("the snapshot map at " + tuple + " was destroyed");
        }
        Map<K, V> map = decoded;
        if (map == null) {
            map = context.scope().call(() -> (Map<K, V>) FrozenMap.of(Tuples.readMap(context, tuple, 0)));
            decoded = map;
        }
        return map;
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
