package io.ipcobjects.djl;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.testing.GcWait;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

class SharedDjlTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeIsViewedWithoutACopyOrRefusedClearly(DType dtype) {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(dtype, 2, 3);
            if (dtype == DType.INT16 || dtype == DType.BFLOAT16) {
                assertFalse(SharedDjl.canView(dtype));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedDjl.view(t, manager));
                assertTrue(e.getMessage().contains(dtype.name()), e.getMessage());
                return;
            }
            assertTrue(SharedDjl.canView(dtype));
            t.setDouble(1, 1, 2);
            NDArray view = SharedDjl.view(t, manager);
            assertEquals(SharedDjl.toDjl(dtype), view.getDataType());
            assertEquals(new Shape(2, 3), view.getShape());
            assertEquals(1.0, view.get(1, 2).toType(DataType.FLOAT64, false).getDouble());
            NDArray ones = manager.ones(new Shape(2, 3), view.getDataType());
            view.addi(ones);  // in place in shared memory
            assertEquals(dtype == DType.BOOL ? 1.0 : 2.0, t.getDouble(1, 2));
            assertEquals(1.0, t.getDouble(0, 0));
            assertEquals(dtype, SharedDjl.fromDjl(view.getDataType()));
        }
    }

    @Test
    void inPlaceOpsAndSlicesShareMemory() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4, 5);
            NDArray view = SharedDjl.view(t, manager);
            view.addi(2f).muli(3f);
            for (long i = 0; i < 20; i++) {
                assertEquals(6.0f, t.getFloatAt(i));
            }
            SharedDjl.view(t.slice(1, 3), manager).subi(7f);
            assertEquals(6.0f, t.getFloat(0, 4));
            assertEquals(-1.0f, t.getFloat(2, 4));
            assertEquals(6.0f, t.getFloat(3, 0));
            NDArray scalar = SharedDjl.view(t.reshape(20).slice(0, 1).reshape(), manager);
            assertTrue(scalar.getShape().isScalar());
            assertEquals(6.0f, scalar.getFloat());
            assertEquals(0, SharedDjl.view(t.slice(2, 2), manager).size());
        }
    }

    @Test
    void storingAnNdArrayCopiesOnceAndComesBackAsAnNdArray() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            NDArray source = manager.arange(12f).reshape(3, 4);
            NDArray stored = SharedDjl.store(shm, source, manager);
            assertEquals(source, stored);
            source.addi(100f);
            assertEquals(11f, stored.getFloat(2, 3), "the stored array is a copy");

            NDArray transposed = manager.arange(6).reshape(2, 3).transpose();  // not contiguous in memory
            NDArray scalar = manager.create(2.5f);
            try (SharedDjl.ViewScope views = SharedDjl.bind(manager)) {
                shm.put("transposed", transposed);
                NDArray viewBack = assertInstanceOf(NDArray.class, shm.get("transposed"), "an NDArray comes back as an NDArray");
                assertEquals(transposed, viewBack);
                shm.put("scalar", scalar);
                assertEquals(scalar, shm.get("scalar"));
            }
            SharedTensor core = shm.get("transposed", SharedTensor.class); // outside a scope: the core view
            assertEquals(SharedDjl.BINDING_ID, core.origin());
            assertEquals(transposed.getInt(2, 1), core.getInt(2, 1));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedDjl.fromDjl(DataType.STRING));
            assertTrue(e.getMessage().contains("STRING"), e.getMessage());
            // (DJL cannot even create an INT16 array here: manager.zeros(shape, INT16) aborts the JVM too)
        }
    }

    @Test
    void readViewsBelongToTheBoundManagerAndOutsideAScopeComeBackAsSharedTensors() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            shm.put("x", manager.arange(6f));
            Object outside = shm.get("x");
            SharedTensor plain = assertInstanceOf(SharedTensor.class, outside, "no scope bound: no NDArray is made");
            assertEquals(5f, plain.getFloatAt(5));

            NDArray kept;
            try (NDManager batch = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
                try (SharedDjl.ViewScope views = SharedDjl.bind(batch)) {
                    assertSame(batch, SharedDjl.boundManager());
                    kept = assertInstanceOf(NDArray.class, shm.get("x"));
                    assertSame(batch, kept.getManager(), "the view is attached to the bound manager");
                    try (NDManager inner = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
                         SharedDjl.ViewScope nested = SharedDjl.bind(inner)) {
                        assertSame(inner, assertInstanceOf(NDArray.class, shm.get("x")).getManager(), "the innermost scope wins");
                    }
                    assertSame(batch, SharedDjl.boundManager(), "closing the inner scope restores the outer one");
                    kept.muli(2f);
                }
                assertNull(SharedDjl.boundManager());
                assertInstanceOf(SharedTensor.class, shm.get("x"), "after the scope: plain tensors again");
                assertFalse(kept.isReleased());
            }
            assertTrue(kept.isReleased(), "closing the caller's manager frees the view");
            assertEquals(10f, shm.get("x", SharedTensor.class).getFloatAt(5), "the view wrote to shared memory");
        }
    }

    @Test
    void aTensorOver2GiBIsViewed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 3L << 30)) {
            long n = 600_000_000L;
            SharedTensor t = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, 2, n / 2);
            t.setFloat(3.5f, 1, n / 2 - 1);
            t.setFloat(1.5f, 0, 0);
            NDArray view = SharedDjl.view(t, manager);
            assertEquals(new Shape(2, n / 2), view.getShape());
            assertEquals(3.5f, view.get(1, n / 2 - 1).getFloat());
            assertEquals(1.5f, view.get(0, 0).getFloat());
            view.get(1).get(new ai.djl.ndarray.index.NDIndex("-2:")).muli(2f);
            assertEquals(7.0f, t.getFloat(1, n / 2 - 1));
        }
    }

    @Test
    void aViewMadeBeforeCloseKeepsWorkingUntilDropped() throws Exception {
        String name = regions.newName();
        java.util.List<java.lang.ref.WeakReference<Object>> refs = new java.util.ArrayList<>();
        NDArray view = viewOfAClosedRegion(name, manager, refs);
        assertFalse(Files.exists(SharedMemory.defaultPath(name)));
        // the region handle and the SharedTensor must be collected for this test to mean anything
        GcWait.awaitCleared(Duration.ofSeconds(30), "the closed SharedMemory handle and its SharedTensor", refs.subList(0, 2));
        assertEquals(7f, view.getFloat(1, 1));
        view.addi(1f);
        assertEquals(32f, view.sum().getFloat());
    }

    private static NDArray viewOfAClosedRegion(String name, NDManager manager,
                                                java.util.List<java.lang.ref.WeakReference<Object>> refs) {
        SharedMemory shm = SharedMemory.create(name, 16L << 20);
        SharedTensor t = shm.newTensor(DType.FLOAT32, 2, 2);
        t.fill(7);
        NDArray view = SharedDjl.view(t, manager);
        refs.add(new java.lang.ref.WeakReference<>(shm));
        refs.add(new java.lang.ref.WeakReference<>(t));
        shm.close();
        assertThrows(RegionClosedException.class, () -> t.getFloat(0, 0));
        assertThrows(RegionClosedException.class, () -> SharedDjl.view(t, manager));
        return view;
    }
}
