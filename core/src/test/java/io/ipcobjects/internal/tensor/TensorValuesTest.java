package io.ipcobjects.internal.tensor;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.testing.TestRegions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TensorValuesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void primitiveArraysBecomeOneDimensionalTensorsAndComeBackAsViews() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            Object[] arrays = {new float[] {1.5f, 2}, new double[] {3.25}, new int[] {4, 5, 6}, new long[] {1L << 40},
                    new short[] {-7}, new boolean[] {true, false}};
            DType[] types = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.INT16, DType.BOOL};
            for (int i = 0; i < arrays.length; i++) {
                assertTrue(TensorValues.isTensorValue(arrays[i]));
                long offset = TensorValues.store(ctx, arrays[i]);
                SharedTensor view = (SharedTensor) TensorValues.view(ctx, offset);
                assertEquals(types[i], view.dtype());
                assertArrayEquals(new long[] {java.lang.reflect.Array.getLength(arrays[i])}, view.shape());
                assertEquals(0, view.origin());
            }
            long f = TensorValues.store(ctx, new float[] {1.5f, 2});
            assertArrayEquals(new float[] {1.5f, 2}, ((SharedTensor) TensorValues.view(ctx, f)).toFloatArray());
            long b = TensorValues.store(ctx, new boolean[] {false, true});
            assertArrayEquals(new boolean[] {false, true}, ((SharedTensor) TensorValues.view(ctx, b)).toBooleanArray());
            assertFalse(TensorValues.isTensorValue(new byte[1]));
            assertFalse(TensorValues.isTensorValue("text"));
            assertFalse(TensorValues.isTensorValue(null));
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> TensorValues.store(ctx, "text"));
            assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        }
    }

    @Test
    void aTensorOfTheSameRegionIsReferencedAndASliceSharesItsData() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            SharedTensor t = shm.newTensor(DType.INT32, 4, 2);
            long usedBefore = shm.stats().usedBytes();
            assertEquals(t.blockOffset(), TensorValues.store(ctx, t));
            assertEquals(usedBefore, shm.stats().usedBytes(), "storing a tensor of the same region must not allocate");

            long sliceBlock = TensorValues.store(ctx, t.slice(1, 3));
            assertNotEquals(t.blockOffset(), sliceBlock);
            SharedTensor slice = (SharedTensor) TensorValues.view(ctx, sliceBlock);
            assertArrayEquals(new long[] {2, 2}, slice.shape());
            slice.setInt(9, 0, 1);
            assertEquals(9, t.getInt(1, 1));
            assertTrue(shm.stats().usedBytes() - usedBefore < 1024, "a stored slice holds a header, not data");

            // a slice of the stored slice points at the owning block, not at the slice's header
            long nested = TensorValues.store(ctx, slice.slice(1, 2));
            TensorView nestedView = (TensorView) TensorValues.view(ctx, nested);
            assertEquals(t.blockOffset(), nestedView.header().baseBlock());
            assertEquals(t.dataOffset() + 4L * 4, nestedView.dataOffset());

            TensorValues.free(ctx, nested);
            TensorValues.free(ctx, sliceBlock);
            TensorValues.free(ctx, t.blockOffset());
            shm.verify();
        }
    }

    @Test
    void aTensorOfAnotherRegionIsCopied() {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 16L << 20);
             SharedMemory two = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = one.copyToTensor(new double[] {1, 2, 3});
            SharedTensor copy = two.copyToTensor(t);
            assertTrue(((TensorView) copy).belongsTo(TestAccess.context(two)));
            assertArrayEquals(new double[] {1, 2, 3}, copy.toDoubleArray());
            copy.setDouble(5, 0);
            assertEquals(1, t.getDouble(0));
        }
    }

    @Test
    void destroyFreesATensorTheCallerOwns() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            shm.putMessage("a message in a node"); // (a Long or a short string would take the queue's inline head, no node)
            shm.takeMessage(); // the queue's spare node exists from here on
            long before = shm.stats().usedBytes();
            SharedTensor created = shm.newTensor(DType.FLOAT32, 64, 64);
            shm.putMessage(new float[] {1f, 2f, 3f, 4f});
            SharedTensor taken = shm.takeMessage(); // the message hands the tensor over to the taker
            assertEquals(3f, taken.getFloatAt(2));
            assertTrue(shm.stats().usedBytes() > before);
            try (Access a = shm.acquire()) {
                a.destroy(created);
                a.destroy(taken);
            }
            assertEquals(before, shm.stats().usedBytes(), "both tensors' blocks are freed");
            shm.verify();
            assertThrows(IllegalArgumentException.class, () -> shm.destroy(new float[] {1f}));
        }
    }

    @Test
    void freeingReturnsTheMemory() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            long before = shm.stats().usedBytes();
            for (int i = 0; i < 1000; i++) {
                long block = TensorValues.store(TestAccess.context(shm), new float[1000]);
                TensorValues.free(TestAccess.context(shm), block);
            }
            assertEquals(before, shm.stats().usedBytes());
            shm.verify();
        }
    }

    @Test
    void bindingTypesGoThroughTheSpiAndComeBackAsTheBindingsViewType() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            FailingTestBinding.Array array = new FailingTestBinding.Array(new long[] {2, 2}, 1.5, false);
            assertTrue(TensorValues.isTensorValue(array));
            long block = TensorValues.store(ctx, array);
            FailingTestBinding.View view = assertInstanceOf(FailingTestBinding.View.class, TensorValues.view(ctx, block));
            assertEquals(77, view.tensor().origin());
            assertEquals(1.5, view.tensor().getDouble(1, 1));
            assertEquals(77, shm.tensorAt(block).origin(), "the core view still reads the tensor");
        }
    }

    @Test
    void aBindingThatFailsMidwayLeavesNothingAllocated() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            long before = shm.stats().usedBytes();
            FailingTestBinding.Array failing = new FailingTestBinding.Array(new long[] {1000}, 0, true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TensorValues.store(TestAccess.context(shm), failing));
            assertEquals("copy failed midway", e.getMessage());
            assertEquals(before, shm.stats().usedBytes());
            shm.verify();
        }
    }
}
