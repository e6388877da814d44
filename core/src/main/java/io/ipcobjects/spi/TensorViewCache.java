package io.ipcobjects.spi;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.internal.tensor.TensorKinds;
import io.ipcobjects.internal.tensor.TensorViewTable;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Binding views made once per scope: a binding asks its scope's cache for the view of a tensor,
 * and gets the array it built earlier for the same tensor (same handle, block, data offset,
 * dtype, shape and strides, same view class) instead of building another. A scope is what the
 * binding's users expect views to live in: the handle itself ({@link #ofHandle}, ND4J's), or an
 * object of the binding's library (one cache per DJL {@code NDManager}, closed with it).
 *
 * <p>Never stale: every tensor header carries an identity that is new each time a block is
 * allocated, read under the region lock when the {@code SharedTensor} was made. A cache hands
 * out a view only for the identity it was built for, so once any process has freed a tensor and
 * allocated a new one in the same block, the new tensor gets a new view. Frees through the same
 * handle drop its cached views at once.
 *
 * <p>A cache never keeps a view alive (it holds views weakly): the scope or the user does. A
 * view that {@code usable} rejects (closed by its user, say) is built again. Thread-safe.
 *
 * <pre>{@code
 * public Object view(SharedTensor tensor) {
 *     return TensorViewCache.ofHandle(tensor).view(tensor, MyArray.class, a -> !a.isClosed(), MyBinding::wrap);
 * }
 * }</pre>
 */
public interface TensorViewCache extends AutoCloseable {

    /**
     * A new, empty cache for a scope the binding manages; close it when the scope ends.
     *
     * @return the cache
     */
    static TensorViewCache newCache() {
        return new TensorViewTable();
    }

    /**
     * The cache {@code tensor}'s handle keeps for views whose scope is the handle itself: views
     * stay cached until the tensor is freed or the handle is closed (or the views are dropped).
     * For a tensor that is not read through a handle of this library, a cache that builds every
     * time.
     *
     * @param tensor a shared tensor
     * @return the handle's cache
     */
    static TensorViewCache ofHandle(SharedTensor tensor) {
        TensorKinds kinds = TensorKinds.ofTensor(tensor);
        return kinds != null ? kinds.views() : TensorKinds.NO_CACHE;
    }

    /**
     * The view of {@code tensor} cached in this scope, or a new one from {@code make}, cached.
     *
     * @param tensor the tensor to view
     * @param type   the view's class: a cached object of another class is not handed out
     * @param usable whether a cached view may still be handed out (false: it is built again)
     * @param make   builds the view; called outside any lock, must not return null
     * @param <V>    the view type
     * @return the same view as before for the same tensor in this scope, or a new one
     * @throws io.ipcobjects.RegionClosedException if {@code tensor}'s region is closed
     */
    <V> V view(SharedTensor tensor, Class<V> type, Predicate<? super V> usable,
               Function<? super SharedTensor, ? extends V> make);

    /**
     * The number of views cached and still reachable.
     *
     * @return the count
     */
    int size();

    /** Forgets every view; afterwards the cache builds every time. Idempotent. */
    @Override
    void close();
}
