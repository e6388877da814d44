package io.ipcobjects.spi;

import io.ipcobjects.SharedTensor;

import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Binding views made once per scope: a binding asks the cache of a tensor's handle
 * ({@link SharedTensor#viewCache()}) for the view of that tensor in a scope, and gets the array
 * it built before for the same tensor (same block, data offset, dtype, shape and strides, same
 * view class, same scope) instead of building another. The scope is what the binding's users
 * expect views to live in: {@code null} for the handle itself (ND4J's), or an object of the
 * binding's library (DJL's {@code NDManager}).
 *
 * <p>Never stale: every tensor header carries an identity that is new each time a block is
 * allocated, read under the region lock when the {@code SharedTensor} was made. A cache hands
 * out a view only for the identity it was built for, so once any process has freed a tensor and
 * allocated a new one in the same block, the new tensor gets a new view. Frees through the same
 * handle drop its cached views at once.
 *
 * <p>A cache holds views and scopes weakly: it never keeps either alive. A view that
 * {@code usable} rejects (closed by its user, or by the end of its scope) is built again.
 * Thread-safe.
 *
 * <pre>{@code
 * public Object view(SharedTensor tensor) {
 *     return tensor.viewCache().view(tensor, null, MyArray.class, a -> !a.isClosed(), MyBinding::wrap);
 * }
 * }</pre>
 */
public interface TensorViewCache {

    /**
     * The view of {@code tensor} cached for {@code scope}, or a new one from {@code make}, cached.
     *
     * @param tensor the tensor to view
     * @param scope  what the view belongs to, compared by identity; null for the handle itself
     * @param type   the view's class: a cached object of another class is not handed out
     * @param usable whether a cached view may still be handed out (false: it is built again)
     * @param make   builds the view; called outside any lock, must not return null
     * @param <V>    the view type
     * @return the same view as before for the same tensor and scope, or a new one
     * @throws io.ipcobjects.RegionClosedException if {@code tensor}'s region is closed
     */
    <V> V view(SharedTensor tensor, Object scope, Class<V> type, Predicate<? super V> usable,
               Function<? super SharedTensor, ? extends V> make);

    /**
     * The calling thread's current hold of the region lock of {@code tensor}'s handle (an
     * {@code acquire()} scope, or a single call's hold), as an object to use as a view's scope,
     * or null if the thread holds no lock of that handle. A binding whose views must not be
     * shared beyond one scope of its caller (ND4J's) caches by this, and builds a new view when
     * it is null.
     *
     * @param tensor the tensor to view
     * @return the hold's identity, or null
     */
    default Object lockHold(SharedTensor tensor) {
        return null;
    }

    /**
     * The number of views cached and still reachable.
     *
     * @return the count
     */
    int size();

    /**
     * A cache that caches nothing: every {@code view} builds.
     *
     * @return the cache
     */
    static TensorViewCache none() {
        return new TensorViewCache() {
            @Override
            public <V> V view(SharedTensor tensor, Object scope, Class<V> type, Predicate<? super V> usable,
                              Function<? super SharedTensor, ? extends V> make) {
                return make.apply(tensor);
            }

            @Override
            public int size() {
                return 0;
            }
        };
    }
}
