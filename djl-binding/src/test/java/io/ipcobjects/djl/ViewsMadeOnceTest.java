package io.ipcobjects.djl;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.GcWait;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DJL views are made once per {@code NDManager}: the same tensor viewed again in the same
 * manager gives the same {@code NDArray}; another manager, or the same code after the manager
 * closed, gets a new one; a tensor freed and allocated again in the same block, by this process
 * or another, never gets the old one.
 */
class ViewsMadeOnceTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static NDManager newManager() {
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @Test
    void theSameTensorGivesTheSameArrayInOneManagerAndANewOneInAnother() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             NDManager first = newManager();
             NDManager second = newManager()) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 2, 3);
            NDArray a = SharedDjl.view(t, first);
            assertSame(a, SharedDjl.view(t, first));
            assertSame(a, SharedDjl.view(shm.tensorAt(t.blockOffset()), first), "another SharedTensor of the same block");
            NDArray b = SharedDjl.view(t, second);
            assertNotSame(a, b, "another manager, another array");
            assertSame(second, b.getManager());
            assertSame(b, SharedDjl.view(t, second));

            NDArray row = SharedDjl.view(t.row(1), first);
            assertNotSame(a, row);
            assertSame(row, SharedDjl.view(t.row(1), first));

            NDArray own = SharedDjl.newView(t, first);
            assertNotSame(a, own);
            assertNotSame(own, SharedDjl.newView(t, first));
        }
    }

    @Test
    void readsInsideABoundScopeReuseTheManagersView() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             NDManager manager = newManager()) {
            try (NDManager scratch = newManager()) {
                shm.put("x", shm.copyToTensor(scratch.create(new float[] {1, 2, 3}))); // a DJL tensor: reads give NDArrays
            }
            try (SharedDjl.ViewScope ignored = SharedDjl.bind(manager)) {
                NDArray x = (NDArray) shm.get("x");
                assertSame(x, shm.get("x"));
                assertSame(manager, x.getManager());
            }
        }
    }

    @Test
    void closingTheManagerEndsItsViews() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            NDManager manager = newManager();
            java.lang.ref.WeakReference<NDArray> a = new java.lang.ref.WeakReference<>(SharedDjl.view(t, manager));
            assertEquals(1, t.viewCache().size());
            manager.close();
            assertTrue(a.get() == null || a.get().isReleased());
            try (NDManager next = newManager()) {
                NDArray b = SharedDjl.view(t, next);
                assertNotSame(a.get(), b);
                assertFalse(b.isReleased());
                assertEquals(4, b.size());
                assertSame(b, SharedDjl.view(t, next));
            }
            // nothing holds the closed manager's array any more: the cache does not either
            GcWait.awaitCleared(Duration.ofSeconds(30), "the closed manager's view", java.util.List.of(a));
        }
    }

    @Test
    void anArrayClosedOrMovedToAnotherManagerIsBuiltAgain() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             NDManager manager = newManager();
             NDManager other = newManager()) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            NDArray closed = SharedDjl.view(t, manager);
            closed.close();
            NDArray rebuilt = SharedDjl.view(t, manager);
            assertNotSame(closed, rebuilt);
            assertFalse(rebuilt.isReleased());
            rebuilt.attach(other);
            NDArray third = SharedDjl.view(t, manager);
            assertNotSame(rebuilt, third, "an array now closed with another manager must not be handed out for this one");
            assertSame(manager, third.getManager());
        }
    }

    @Test
    void valuesReadThroughACachedViewAreTheCurrentData() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             NDManager manager = newManager()) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4);
            NDArray view = SharedDjl.view(t, manager);
            t.fill(3);
            NDArray again = SharedDjl.view(t, manager);
            assertSame(view, again);
            assertEquals(12f, again.sum().getFloat());
            again.muli(2f);
            assertEquals(6f, t.getFloatAt(3));
        }
    }

    @Test
    void aTensorFreedAndAllocatedAgainInTheSameBlockGetsANewView() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             NDManager manager = newManager()) {
            SharedTensor old = shm.newTensor(DType.FLOAT32, 64);
            SharedTensor spacer = shm.newTensor(DType.FLOAT32, 64); // freed with old: room for the same request
            shm.newTensor(DType.FLOAT32, 4); // a neighbour, so the freed blocks are not merged into the free tail
            NDArray oldView = SharedDjl.view(old, manager);
            long block = old.blockOffset();
            SharedTensor reused;
            try (Access a = shm.acquire()) {
                a.freeTensor(old);
                a.freeTensor(spacer);
                reused = allocateIn(block, () -> a.newTensor(DType.FLOAT32, 64)); // the same layout as old
            }
            reused.fill(5);
            NDArray newView = SharedDjl.view(reused, manager);
            assertNotSame(oldView, newView);
            assertEquals(5f * 64, newView.sum().getFloat());
        }
    }

    @Test
    void aTensorAnotherProcessFreedAndAllocatedAgainGetsANewView() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16L << 20);
             NDManager manager = newManager()) {
            SharedTensor old = shm.newTensor(DType.FLOAT32, 64);
            SharedTensor spacer = shm.newTensor(DType.FLOAT32, 64); // freed with old: room for the same request
            shm.newTensor(DType.FLOAT32, 4); // a neighbour, so the freed blocks are not merged into the free tail
            shm.put("x", old);
            shm.put("spacer", spacer);
            old.fill(1);
            NDArray oldView = SharedDjl.view(old, manager);

            try (ChildJvm child = ChildJvm.start(FreesAndReallocates.class, name, Long.toString(old.blockOffset()))) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(120));
                assertEquals(Long.toString(old.blockOffset()), r.value("newBlock"), r.describe());
            }

            SharedTensor now = (SharedTensor) shm.get("x");
            assertEquals(old.blockOffset(), now.blockOffset());
            NDArray newView = SharedDjl.view(now, manager);
            assertNotSame(oldView, newView, "the old tensor's view must not come back for the new tensor");
            assertEquals(oldView.getShape(), newView.getShape(), "the same layout: only the header identity tells them apart");
            assertEquals(9f, newView.getFloat(63));
            assertSame(newView, SharedDjl.view(shm.tensorAt(now.blockOffset()), manager), "and the new view is made once");
        }
    }

    /**
     * A new tensor whose block is {@code block}, freed just before together with the block after
     * it (so that the aligned request, which asks for some slack, fits there): tensors are
     * allocated (and kept) until one lands there.
     */
    static SharedTensor allocateIn(long block, java.util.function.Supplier<SharedTensor> allocate) {
        StringBuilder tried = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            SharedTensor t = allocate.get();
            if (t.blockOffset() == block) {
                return t;
            }
            tried.append(t.blockOffset()).append(' ');
        }
        throw new IllegalStateException("no new tensor landed in the freed block " + block + ": " + tried);
    }

    /** Child: args = region, block of "x". Frees "x" and puts a tensor of the same layout, of 9s, in the same block. */
    public static final class FreesAndReallocates {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                SharedTensor fresh;
                try (Access a = shm.acquire()) {
                    if (!a.remove("x") || !a.remove("spacer")) {
                        throw new IllegalStateException("no \"x\" and \"spacer\" to remove");
                    }
                    SharedTensor t = allocateIn(Long.parseLong(args[1]), () -> a.newTensor(DType.FLOAT32, 64));
                    t.fill(9);
                    a.put("x", t);
                    fresh = t;
                }
                System.out.println("newBlock=" + fresh.blockOffset());
            }
        }
    }
}
