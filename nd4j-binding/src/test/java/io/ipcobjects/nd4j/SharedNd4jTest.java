package io.ipcobjects.nd4j;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.testing.GcWait;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SharedNd4jTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeIsViewedWithoutACopy(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(dtype, 2, 3);
            t.setDouble(1, 1, 2);
            INDArray view = SharedNd4j.view(t);
            assertEquals(SharedNd4j.toNd4j(dtype), view.dataType());
            assertArrayEquals(new long[] {2, 3}, view.shape());
            assertEquals(t.address(), view.data().address(), "the view must point at the tensor's memory");
            assertEquals(1.0, view.getDouble(1, 2));
            view.putScalar(new long[] {0, 1}, 1);
            assertEquals(1.0, t.getDouble(0, 1));
            assertEquals(dtype, SharedNd4j.fromNd4j(view.dataType()));
        }
    }

    @Test
    void inPlaceOpsWriteSharedMemory() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4, 5);
            INDArray view = SharedNd4j.view(t);
            view.addi(2.0f).muli(3.0f);
            for (long i = 0; i < 20; i++) {
                assertEquals(6.0f, t.getFloatAt(i));
            }
            INDArray rows = SharedNd4j.view(t.slice(1, 3));
            rows.assign(-1);
            assertEquals(6.0f, t.getFloat(0, 4));
            assertEquals(-1.0f, t.getFloat(2, 4));
            assertEquals(6.0f, t.getFloat(3, 0));
            INDArray scalar = SharedNd4j.view(t.reshape(20).slice(0, 1).reshape());
            assertEquals(0, scalar.rank());
            assertEquals(6.0, scalar.getDouble(0));
            INDArray empty = SharedNd4j.view(t.slice(2, 2));
            assertTrue(empty.isEmpty());
        }
    }

    @Test
    void storingAnIndArrayCopiesOnceAndComesBackAsAnIndArray() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            INDArray source = Nd4j.arange(12).castTo(DataType.DOUBLE).reshape('c', 3, 4);
            INDArray stored = SharedNd4j.store(shm, source);
            assertEquals(source, stored);
            source.addi(100);
            assertEquals(11.0, stored.getDouble(2, 3), "the stored array is a copy");

            INDArray fortran = Nd4j.arange(6).castTo(DataType.FLOAT).reshape('f', 2, 3);
            SharedTensor core = shm.copyToTensor(fortran); // one copy, row-major, marked as ND4J's
            shm.put("fortran", core);                      // a tensor of this region: stored by reference
            INDArray viewBack = assertInstanceOf(INDArray.class, shm.get("fortran"), "an INDArray comes back as an INDArray");
            assertEquals(fortran, viewBack);
            assertEquals('c', viewBack.ordering());
            assertEquals(SharedNd4j.BINDING_ID, core.origin());
            assertEquals(fortran.getFloat(1, 2), core.getFloat(1, 2));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedNd4j.fromNd4j(DataType.UTF8));
            assertTrue(e.getMessage().contains("UTF8"), e.getMessage());
        }
    }

    @Test
    void aTensorOver2GiBIsViewed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 3L << 30)) {
            long n = 600_000_000L;
            SharedTensor t = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, 2, n / 2);
            t.setFloat(3.5f, 1, n / 2 - 1);
            INDArray view = SharedNd4j.view(t);
            assertEquals(n, view.length());
            assertEquals(3.5, view.getDouble(1, n / 2 - 1));
            view.putScalar(new long[] {1, n / 2 - 2}, 9.0);
            assertEquals(9.0f, t.getFloat(1, n / 2 - 2));
            assertEquals(t.address() + t.byteSize() - 4, view.data().address() + (n - 1) * 4);
        }
    }

    @Test
    void aViewMadeBeforeCloseKeepsWorkingUntilDropped() throws Exception {
        String name = regions.newName();
        Path file = SharedMemory.defaultPath(name);
        java.util.List<java.lang.ref.WeakReference<Object>> refs = new java.util.ArrayList<>();
        INDArray view = viewOfAClosedRegion(name, refs);
        assertFalse(Files.exists(file), "the creator's close removed the file");
        // the region handle and the SharedTensor must be collected for this test to mean anything
        GcWait.awaitCleared(Duration.ofSeconds(30), "the closed SharedMemory handle and its SharedTensor", refs.subList(0, 2));
        // the tensor's segment lives on in the view
        assertNotNull(refs.get(2).get(), "the view must hold the tensor's segment");
        assertEquals(7.0, view.getDouble(1, 1));
        view.addi(1);
        assertEquals(8.0 * 4, view.sumNumber().doubleValue());
    }

    private static INDArray viewOfAClosedRegion(String name, java.util.List<java.lang.ref.WeakReference<Object>> refs) {
        SharedMemory shm = SharedMemory.create(name, 16L << 20);
        SharedTensor t = shm.newTensor(DType.FLOAT32, 2, 2);
        t.fill(7);
        INDArray view = SharedNd4j.view(t);
        refs.add(new java.lang.ref.WeakReference<>(shm));
        refs.add(new java.lang.ref.WeakReference<>(t));
        refs.add(new java.lang.ref.WeakReference<>(t.segment()));
        shm.close();
        assertThrows(RegionClosedException.class, () -> t.getFloat(0, 0));
        assertThrows(RegionClosedException.class, () -> SharedNd4j.view(t));
        return view;
    }
}
