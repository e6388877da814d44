package io.ipcobjects.nd4j;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J views are made once per scope: inside one {@code acquire()} scope the same tensor read
 * again gives the same {@code INDArray}; outside a scope every call builds an array of the
 * caller's own; a tensor freed and allocated again in the same block, by this process or
 * another, never gives the old array.
 */
class ViewsMadeOnceTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void insideOneScopeTheSameTensorGivesTheSameArrayThroughEveryPath() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.copyToTensor(Nd4j.createFromArray(1f, 2f, 3f, 4f)); // an ND4J tensor: get gives an INDArray
            shm.put("x", t);
            INDArray first;
            try (Access a = shm.acquire()) {
                first = (INDArray) a.get("x");
                for (int i = 0; i < 100; i++) {
                    assertSame(first, a.get("x"), "get(name) in a loop");
                }
                assertSame(first, SharedNd4j.view(t), "view of the SharedTensor the name holds");
                assertSame(first, SharedNd4j.view(a.tensorAt(t.blockOffset())), "view of another SharedTensor of the same block");
                try (Access nested = shm.acquire()) {
                    assertSame(first, nested.get("x"), "a nested acquire is the same scope");
                }

                // a slice is another view: made once too, and not the whole tensor's
                INDArray rows = SharedNd4j.view(t.slice(1, 3));
                assertNotSame(first, rows);
                assertSame(rows, SharedNd4j.view(t.slice(1, 3)));
                assertArrayEquals(new long[] {2}, rows.shape());

                // newView never reuses
                INDArray own = SharedNd4j.newView(t);
                assertNotSame(first, own);
                assertNotSame(own, SharedNd4j.newView(t));
                assertEquals(first, own);
            }
            try (Access a = shm.acquire()) {
                assertNotSame(first, a.get("x"), "another scope builds its own");
                assertEquals(first, a.get("x"), "over the same memory");
            }
        }
    }

    @Test
    void outsideAScopeEveryCallerGetsAnArrayOfItsOwn() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.copyToTensor(Nd4j.createFromArray(1f, 2f, 3f, 4f));
            shm.put("x", t);
            INDArray one = (INDArray) shm.get("x");
            INDArray two = (INDArray) shm.get("x");
            assertNotSame(one, two, "each get is a scope of its own");
            assertNotSame(SharedNd4j.view(t), SharedNd4j.view(t));
            for (int i = 0; i < 2000; i++) {
                shm.get("x");
            }
            assertTrue(t.viewCache().size() <= 2, "views of scopes that are over are dropped, not piled up: "
                    + t.viewCache().size());
            one.close(); // closing one caller's array leaves the other's working
            assertEquals(10.0, two.sumNumber().doubleValue());
            assertEquals(10.0, SharedNd4j.view(t).sumNumber().doubleValue());
        }
    }

    @Test
    void valuesReadThroughACachedViewAreTheCurrentData() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 2, 3);
            try (Access a = shm.acquire()) {
                INDArray view = SharedNd4j.view(t);
                t.fill(7);
                INDArray again = SharedNd4j.view(t);
                assertSame(view, again);
                assertEquals(7.0 * 6, again.sumNumber().doubleValue(), "a write after the view was made shows in it");
                again.addi(1);
                assertEquals(8.0f, t.getFloat(1, 2));
                again.close();
                INDArray rebuilt = SharedNd4j.view(t);
                assertNotSame(again, rebuilt, "a closed array is built again");
                assertEquals(8.0 * 6, rebuilt.sumNumber().doubleValue());
            }
        }
    }

    @Test
    void aTensorFreedAndAllocatedAgainInTheSameBlockGetsANewView() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor old = shm.newTensor(DType.FLOAT32, 64);
            SharedTensor spacer = shm.newTensor(DType.FLOAT32, 64); // freed with old: room for the same request
            shm.newTensor(DType.FLOAT32, 4); // a neighbour, so the freed blocks are not merged into the free tail
            old.fill(1);
            try (Access a = shm.acquire()) {
                INDArray oldView = SharedNd4j.view(old);
                long block = old.blockOffset();
                a.freeTensor(old);
                a.freeTensor(spacer);
                SharedTensor reused = allocateIn(block, () -> a.newTensor(DType.FLOAT32, 64)); // the same layout as old
                reused.fill(5);
                INDArray newView = SharedNd4j.view(reused);
                assertNotSame(oldView, newView);
                assertEquals(5.0 * 64, newView.sumNumber().doubleValue());
                assertSame(newView, SharedNd4j.view(a.tensorAt(block)));
            }
        }
    }

    @Test
    void aTensorAnotherProcessFreedAndAllocatedAgainGetsANewView() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16L << 20)) {
            SharedTensor old = shm.copyToTensor(Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64));
            SharedTensor spacer = shm.newTensor(DType.FLOAT32, 64); // freed with old: room for the same request
            shm.newTensor(DType.FLOAT32, 4); // a neighbour, so the freed blocks are not merged into the free tail
            shm.put("x", old);
            shm.put("spacer", spacer);
            INDArray oldView;
            try (Access a = shm.acquire()) {
                oldView = (INDArray) a.get("x");
            }

            try (ChildJvm child = ChildJvm.start(FreesAndReallocates.class, name, Long.toString(old.blockOffset()))) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(120));
                assertEquals(Long.toString(old.blockOffset()), r.value("newBlock"), r.describe());
            }

            try (Access a = shm.acquire()) {
                INDArray newView = assertInstanceOf(INDArray.class, a.get("x"));
                assertNotSame(oldView, newView, "the old tensor's view must not come back for the new tensor");
                assertArrayEquals(oldView.shape(), newView.shape(), "the same layout");
                assertEquals(5.0 * 64, newView.sumNumber().doubleValue());
                assertSame(newView, a.get("x"), "and the new view is made once in the scope");
            }
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

    /** Child: args = region, block of "x". Frees "x" and puts a tensor of the same layout, of 5s, in the same block. */
    public static final class FreesAndReallocates {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                SharedTensor fresh;
                try (Access a = shm.acquire()) {
                    if (!a.remove("x") || !a.remove("spacer")) {
                        throw new IllegalStateException("no \"x\" and \"spacer\" to remove");
                    }
                    long block = Long.parseLong(args[1]);
                    SharedTensor t = allocateIn(block,
                            () -> a.copyToTensor(Nd4j.valueArrayOf(new long[] {64}, 5f, org.nd4j.linalg.api.buffer.DataType.FLOAT)));
                    a.put("x", t);
                    fresh = t;
                }
                System.out.println("oldBlock=" + args[1]);
                System.out.println("newBlock=" + fresh.blockOffset());
            }
        }
    }

    @Test
    void aViewOfAClosedRegionThrowsEvenWhenCached() {
        SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
        SharedTensor t = shm.newTensor(DType.FLOAT32, 3);
        INDArray view = SharedNd4j.view(t);
        shm.close();
        assertThrows(RegionClosedException.class, () -> SharedNd4j.view(t));
        assertEquals(3, view.length());
    }
}
