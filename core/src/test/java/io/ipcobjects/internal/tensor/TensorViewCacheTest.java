package io.ipcobjects.internal.tensor;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TestAccess;
import io.ipcobjects.spi.TensorViewCache;
import io.ipcobjects.testing.GcWait;
import io.ipcobjects.testing.TestRegions;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The view caches bindings use, with plain objects standing in for a binding's arrays. */
class TensorViewCacheTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** A stand-in for a binding's array: the tensor it was made over. */
    record FakeArray(String what) {
    }

    private final AtomicInteger built = new AtomicInteger();
    private final Function<SharedTensor, FakeArray> make = t -> new FakeArray(t + " #" + built.incrementAndGet());

    @Test
    void aViewIsMadeOncePerTensorLayoutAndClass() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20);
) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4, 2);
            TensorViewCache cache = t.viewCache();
            FakeArray a = cache.view(t, null, FakeArray.class, v -> true, make);
            assertSame(a, cache.view(t, null, FakeArray.class, v -> true, make));
            assertSame(a, cache.view(shm.tensorAt(t.blockOffset()), null, FakeArray.class, v -> true, make), "another view of the same block");
            assertEquals(1, built.get());

            FakeArray row = cache.view(t.row(1), null, FakeArray.class, v -> true, make);
            assertNotSame(a, row);
            FakeArray reshaped = cache.view(t.reshape(8), null, FakeArray.class, v -> true, make);
            assertNotSame(a, reshaped, "same data offset, another shape");
            assertEquals(3, built.get());
            assertEquals(3, cache.size());

            StringBuilder other = cache.view(t, null, StringBuilder.class, v -> true, x -> new StringBuilder("other binding"));
            assertEquals("other binding", other.toString(), "a cached view of another class is not handed out");
            assertSame(a, cache.view(t, null, FakeArray.class, v -> true, make), "and it does not displace the first");

            Object scope = new Object();
            FakeArray scoped = cache.view(t, scope, FakeArray.class, v -> true, make);
            assertNotSame(a, scoped, "another scope, another view");
            assertSame(scoped, cache.view(t, scope, FakeArray.class, v -> true, make));

            FakeArray rebuilt = cache.view(t, null, FakeArray.class, v -> false, make);
            assertNotSame(a, rebuilt, "a view the binding finds unusable is built again");
            assertSame(rebuilt, cache.view(t, null, FakeArray.class, v -> true, make));
        }
    }

    @Test
    void handlesHaveTheirOwnCachesAndEntries() {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 4L << 20);
             SharedMemory attached = SharedMemory.attach(name, Duration.ofSeconds(10))) {
            SharedTensor t = creator.newTensor(DType.INT64, 3);
            SharedTensor same = attached.tensorAt(t.blockOffset());
            assertNotSame(t.viewCache(), same.viewCache());
            assertSame(t.viewCache(), creator.tensorAt(t.blockOffset()).viewCache());
            FakeArray a = t.viewCache().view(t, null, FakeArray.class, v -> true, make);
            assertNotSame(a, same.viewCache().view(same, null, FakeArray.class, v -> true, make), "another handle: another cache");
            assertNotSame(a, t.viewCache().view(same, null, FakeArray.class, v -> true, make),
                    "a tensor of another handle is not cached in this one");
            assertEquals(1, t.viewCache().size());
        }
    }

    @Test
    void aBlockAnotherHandleFreedAndAllocatedAgainIsANewTensor() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4L << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(10))) { // its frees do not reach shm's cache
            SharedTensor old = shm.newTensor(DType.FLOAT32, 16);
            SharedTensor spacer = shm.newTensor(DType.FLOAT32, 16);
            shm.newTensor(DType.FLOAT32, 1);
            TensorViewCache cache = old.viewCache();
            FakeArray oldView = cache.view(old, null, FakeArray.class, v -> true, make);
            SharedTensor reused;
            try (Access a = other.acquire()) {
                a.freeTensor(a.tensorAt(old.blockOffset()));
                a.freeTensor(a.tensorAt(spacer.blockOffset()));
                assertEquals(old.blockOffset(), a.newTensor(DType.FLOAT32, 16).blockOffset(), "the test needs the block reused");
            }
            assertEquals(1, cache.size(), "nothing in this handle forgot the old view");
            reused = shm.tensorAt(old.blockOffset());
            assertNotEquals(((TensorView) old).header().identity(), ((TensorView) reused).header().identity());
            FakeArray newView = cache.view(reused, null, FakeArray.class, v -> true, make);
            assertNotSame(oldView, newView);
            assertEquals(1, cache.size(), "the old tensor's entries went with its identity");
        }
    }

    @Test
    void aFreeThroughTheHandleDropsTheHandlesEntries() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            TensorViewCache handle = t.viewCache();
            FakeArray view = handle.view(t, null, FakeArray.class, v -> true, make);
            assertEquals(1, handle.size());
            try (Access a = shm.acquire()) {
                a.freeTensor(t);
            }
            assertEquals(0, handle.size());
            assertNotNull(view);
        }
    }

    @Test
    void viewsAreHeldWeakly() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            TensorViewCache cache = t.viewCache();
            Object scope = new Object();
            WeakReference<Object> scopeRef = new WeakReference<>(scope);
            cache.view(t, scope, FakeArray.class, v -> true, make);
            scope = null;
            GcWait.awaitCleared(Duration.ofSeconds(30), "a scope nobody holds", List.of(scopeRef));
            WeakReference<FakeArray> ref = new WeakReference<>(cache.view(t, null, FakeArray.class, v -> true, make));
            GcWait.awaitCleared(Duration.ofSeconds(30), "a cached view nobody holds", List.of(ref));
            assertEquals(0, cache.size());
            cache.view(t, null, FakeArray.class, v -> true, make);
            assertEquals(3, built.get(), "a collected view is built again");
        }
    }

    @Test
    void theCacheOfNoHandleBuildsEveryTime() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            TensorViewCache none = TensorViewCache.none();
            FakeArray a = none.view(t, null, FakeArray.class, v -> true, make);
            assertNotSame(a, none.view(t, null, FakeArray.class, v -> true, make));
            assertEquals(0, none.size());
            assertEquals(2, built.get());
        }
    }

    @Test
    void headersWithoutAnIdentityAreNeverCached() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            TensorViewCache cache = t.viewCache();
            try (Access a = shm.acquire()) { // a header written before identities existed
                TestAccess.context(shm).memory().putLong(t.blockOffset() + TensorLayout.IDENTITY_OFFSET, 0);
                SharedTensor old = a.tensorAt(t.blockOffset());
                assertNotSame(cache.view(old, null, FakeArray.class, v -> true, make), cache.view(old, null, FakeArray.class, v -> true, make));
            }
            assertEquals(0, cache.size());
        }
    }

    @Test
    void aTensorOfAClosedRegionThrows() {
        SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20);
        SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
        TensorViewCache cache = t.viewCache();
        cache.view(t, null, FakeArray.class, v -> true, make);
        shm.close();
        assertThrows(RegionClosedException.class, () -> cache.view(t, null, FakeArray.class, v -> true, make));
    }
}
