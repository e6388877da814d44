package io.ipcobjects.internal.tensor;

import io.ipcobjects.internal.lock.LockScope;

import io.ipcobjects.DType;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.spi.TensorViewCache;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Binding views made once: one handle's cache of the arrays bindings built over its tensors,
 * per scope (null, the handle itself, for ND4J; the {@code NDManager} for DJL), so reading the
 * same tensor again in that scope hands out the same array instead of building another.
 *
 * <p>Overview. Entries are found by (handle token, block offset), then by the view's data offset,
 * dtype, shape and strides, the scope (by identity) and the view's class. Each block's entries
 * carry the identity of the tensor header they were made for ({@link
 * TensorLayout#IDENTITY_OFFSET}). Invariant: an entry is handed out only to a {@link TensorView}
 * whose header has the same identity. That identity was read under the region lock when the {@code
 * TensorView} was made ({@link TensorHeader#read}), and a header gets a new random identity every
 * time a block is allocated, so once any process has freed a block and allocated it again, the
 * first lookup with the new identity drops every entry of the old tensor: a stale view is never
 * handed out, and checking costs a comparison, not a new array. Frees through this process's handle
 * drop the block's entries at once ({@link #forget}). Headers written before identities existed
 * (identity 0) are never cached.
 *
 * <p>Views and scopes are weak: a table never keeps either alive. What holds a view is its
 * scope (DJL's manager) or its user (ND4J); a view nobody holds is built again on the next read.
 * Cleared entries are purged on the next store. A binding's {@code usable} test rejects a view
 * its user closed, or whose scope ended (a closed DJL manager releases its arrays); such an
 * entry is dropped and the view built again.
 *
 * <p>All methods are synchronized: lookups come under the region lock (reads of names,
 * messages, containers) and without it (a binding's {@code view(tensor)} called directly), from
 * any thread. Building a view happens outside the monitor; if two threads build the same view
 * at once, the first stored wins and both get it. An entry whose scope was collected is never
 * matched again and goes with its view.
 */
public final class TensorViewTable implements TensorViewCache {

    private final Map<BlockKey, Block> blocks = new HashMap<>();
    private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();
    /** No block has entries: lets {@link #forget} skip the monitor on every free. */
    private volatile boolean empty = true;

    /** (handle token, block offset): the token names the handle without holding it. */
    private record BlockKey(Object handle, long block) {
    }

    /** The entries of one block, for the tensor header of one identity. */
    private static final class Block {
        final long identity;
        final Map<Long, Entry> byDataOffset = new HashMap<>();

        Block(long identity) {
            this.identity = identity;
        }
    }

    /** One view: weakly held, with the layout it was made for; chained per data offset. */
    private static final class Entry extends WeakReference<Object> {
        final BlockKey key;
        final Block owner;
        final long dataOffset;
        final DType dtype;
        final long[] shape;
        final long[] strides;
        /** The scope, weakly; null for the handle itself. */
        final WeakReference<Object> scope;
        Entry next;

        Entry(Object view, ReferenceQueue<Object> queue, BlockKey key, Block owner, TensorView tensor, Object scope) {
            super(view, queue);
            this.key = key;
            this.owner = owner;
            this.scope = scope == null ? null : new WeakReference<>(scope);
            this.dataOffset = tensor.dataOffset();
            this.dtype = tensor.dtype();
            this.shape = tensor.shape();
            this.strides = tensor.strides();
        }

        /** Whether its scope is gone: collected, or a lock hold that has ended (nothing can ask for it again). */
        boolean isStale() {
            if (scope == null) {
                return false;
            }
            Object in = scope.get();
            return in == null || in instanceof LockScope.Hold hold && !hold.isCurrent();
        }

        boolean isFor(TensorView tensor, Object inScope) {
            return (scope == null ? inScope == null : scope.get() == inScope && inScope != null)
                    && tensor.hasLayout(dataOffset, dtype, shape, strides);
        }
    }

    @Override
    public Object lockHold(SharedTensor tensor) {
        if (!(tensor instanceof TensorView own) || own.context().scope() == null) {
            return null;
        }
        return own.context().scope().holdIdentity();
    }

    @Override
    public <V> V view(SharedTensor tensor, Object scope, Class<V> type, Predicate<? super V> usable,
                      Function<? super SharedTensor, ? extends V> make) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(usable, "usable");
        TensorView own = tensor instanceof TensorView view ? view : null;
        TensorKinds kinds = own == null ? null : TensorKinds.of(own.context());
        if (kinds == null || kinds.views() != this || own.header().identity() == 0) {
            // not a tensor of this handle, or a header from before identities: nothing to key by
            return Objects.requireNonNull(make.apply(tensor), "a view cache's make function returned null");
        }
        own.requireOpen(); // a closed region's tensor throws, cached or not
        BlockKey key = new BlockKey(kinds.handle(), own.blockOffset());
        V found = find(key, own, scope, type, usable);
        if (found != null) {
            return found;
        }
        V made = Objects.requireNonNull(make.apply(tensor), "a view cache's make function returned null");
        return store(key, own, scope, type, usable, made);
    }

    private synchronized <V> V find(BlockKey key, TensorView tensor, Object scope, Class<V> type,
                                    Predicate<? super V> usable) {
        Block block = blocks.get(key);
        if (block == null) {
            return null;
        }
        if (block.identity != tensor.header().identity()) {
            blocks.remove(key); // the block was freed and allocated again: every view of the old tensor goes
            empty = blocks.isEmpty();
            return null;
        }
        for (Entry entry = block.byDataOffset.get(tensor.dataOffset()), next; entry != null; entry = next) {
            next = entry.next;
            if (entry.isStale()) {
                unlink(entry); // a scope that is over: its views are never asked for again
                if (blocks.get(key) != block) {
                    return null; // that emptied the block
                }
                continue;
            }
            if (!entry.isFor(tensor, scope)) {
                continue;
            }
            Object view = entry.get();
            if (view != null && !type.isInstance(view)) {
                continue; // another binding's view of the same layout
            }
            if (view != null && usable.test(type.cast(view))) {
                return type.cast(view);
            }
            unlink(entry); // collected, closed by its user, or moved to another scope
            return null;
        }
        return null;
    }

    private synchronized <V> V store(BlockKey key, TensorView tensor, Object scope, Class<V> type,
                                     Predicate<? super V> usable, V made) {
        purge();
        V raced = find(key, tensor, scope, type, usable);
        if (raced != null) {
            return raced;
        }
        Block block = blocks.get(key);
        if (block == null) {
            block = new Block(tensor.header().identity());
            blocks.put(key, block);
        }
        Entry entry = new Entry(made, cleared, key, block, tensor, scope);
        entry.next = block.byDataOffset.put(entry.dataOffset, entry);
        empty = false;
        return made;
    }

    /**
     * Drops every view of the block at {@code block} read through the handle {@code handle}: the
     * block is being freed. Called under the region lock on every tensor free; cheap when the
     * table is empty.
     *
     * @param handle the handle's token ({@link TensorKinds#handle()})
     * @param block  the tensor block's offset
     */
    public void forget(Object handle, long block) {
        if (empty) {
            return;
        }
        synchronized (this) {
            blocks.remove(new BlockKey(handle, block));
            empty = blocks.isEmpty();
        }
    }

    @Override
    public synchronized int size() {
        purge();
        int live = 0;
        for (Block block : blocks.values()) {
            for (Entry first : block.byDataOffset.values()) {
                for (Entry entry = first; entry != null; entry = entry.next) {
                    if (entry.get() != null) {
                        live++;
                    }
                }
            }
        }
        return live;
    }

    /** Unlinks the entries whose views were collected. */
    private void purge() {
        for (Object ref; (ref = cleared.poll()) != null; ) {
            unlink((Entry) ref);
        }
    }

    /** Removes {@code entry} from its block, if that block is still the table's; drops an emptied block. */
    private void unlink(Entry entry) {
        Block block = blocks.get(entry.key);
        if (block != entry.owner) {
            return; // its block was dropped already
        }
        Entry first = block.byDataOffset.get(entry.dataOffset);
        if (first == entry) {
            if (entry.next == null) {
                block.byDataOffset.remove(entry.dataOffset);
            } else {
                block.byDataOffset.put(entry.dataOffset, entry.next);
            }
        } else {
            for (Entry previous = first; previous != null; previous = previous.next) {
                if (previous.next == entry) {
                    previous.next = entry.next;
                    break;
                }
            }
        }
        if (block.byDataOffset.isEmpty()) {
            blocks.remove(entry.key);
            empty = blocks.isEmpty();
        }
    }
}
