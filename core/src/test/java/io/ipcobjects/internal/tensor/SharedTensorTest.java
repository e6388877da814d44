package io.ipcobjects.internal.tensor;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SharedTensorTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private SharedMemory shm;

    @BeforeEach
    void create() {
        shm = SharedMemory.create(regions.newName(), 64L << 20);
    }

    @AfterEach
    void close() {
        shm.close();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeIsZeroFilledAlignedAndRoundTripsElements(DType dtype) {
        try (Access a = shm.acquire()) {
            // dirty a block first so zero-filling is not just a fresh region's zeros
            SharedTensor dirty = a.newTensor(SharedTensor.Init.UNINITIALIZED, DType.INT8, 4096);
            dirty.fill(7);
            a.freeTensor(dirty);

            SharedTensor t = a.newTensor(dtype, 3, 4);
            assertEquals(dtype, t.dtype());
            assertArrayEquals(new long[] {3, 4}, t.shape());
            assertArrayEquals(new long[] {4, 1}, t.strides());
            assertEquals(12L * dtype.byteSize(), t.byteSize());
            assertEquals(0, t.address() % 64, "data must be 64-byte aligned");
            for (long i = 0; i < 12; i++) {
                assertEquals(0.0, t.getDoubleAt(i));
            }
            double value = dtype == DType.BOOL ? 1 : dtype == DType.UINT8 ? 200 : -3;
            t.setDouble(value, 2, 3);
            assertEquals(value, t.getDouble(2, 3));
            assertEquals(value, t.getDoubleAt(11));
            assertEquals((long) value, t.getLong(2, 3));
            t.setLong(1, 0, 1);
            assertEquals(1.0, t.getFloat(0, 1));
            assertTrue(t.getBoolean(0, 1));
            assertFalse(t.getBoolean(0, 0));
        }
    }

    @Test
    void halfPrecisionTypesRoundToTheirPrecision() {
        SharedTensor half = shm.newTensor(DType.FLOAT16, 2);
        half.setFloat(1.0009765625f, 0); // 1 + 2^-10: exact in binary16
        half.setFloat(65504f, 1);
        assertEquals(1.0009765625f, half.getFloat(0));
        assertEquals(65504f, half.getFloat(1));
        SharedTensor bf = shm.newTensor(DType.BFLOAT16, 2);
        bf.setFloat(3.0f, 0);
        bf.setFloat(1.00390625f, 1); // 1 + 2^-8: rounds to even (1.0) in bfloat16's 7-bit mantissa
        assertEquals(3.0f, bf.getFloat(0));
        assertEquals(1.0f, bf.getFloat(1));
    }

    @Test
    void rankZeroAndHighRanksWork() {
        SharedTensor scalar = shm.newTensor(DType.FLOAT64);
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.elementCount());
        scalar.setDouble(2.5);
        assertEquals(2.5, scalar.getDouble());

        long[] shape = new long[32];
        java.util.Arrays.fill(shape, 1);
        shape[31] = 3;
        SharedTensor deep = shm.newTensor(DType.INT32, shape);
        long[] last = new long[32];
        last[31] = 2;
        deep.setInt(42, last);
        assertEquals(42, deep.getLongAt(2));

        IllegalArgumentException tooDeep = assertThrows(IllegalArgumentException.class,
                () -> shm.newTensor(DType.INT8, new long[33]));
        assertTrue(tooDeep.getMessage().contains("rank 33"), tooDeep.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> shm.newTensor(DType.INT8, 2, -1));
        assertTrue(negative.getMessage().contains("negative"), negative.getMessage());
        IllegalArgumentException overflow = assertThrows(IllegalArgumentException.class,
                () -> shm.newTensor(DType.FLOAT64, Long.MAX_VALUE / 4, 2));
        assertTrue(overflow.getMessage().contains("long"), overflow.getMessage());
    }

    @Test
    void slicesAndReshapesShareMemory() {
        SharedTensor t = shm.newTensor(DType.FLOAT32, 4, 3);
        float[] values = new float[12];
        for (int i = 0; i < 12; i++) {
            values[i] = i;
        }
        t.copyFrom(values);
        SharedTensor rows = t.slice(1, 3);
        assertArrayEquals(new long[] {2, 3}, rows.shape());
        assertEquals(3.0f, rows.getFloat(0, 0));
        rows.setFloat(-1f, 1, 2);
        assertEquals(-1f, t.getFloat(2, 2));
        SharedTensor flat = t.reshape(12);
        assertEquals(-1f, flat.getFloatAt(8));
        flat.setFloatAt(0, 99f);
        assertEquals(99f, t.getFloat(0, 0));
        SharedTensor row = t.row(3);
        assertArrayEquals(new long[] {3}, row.shape());
        assertEquals(9f, row.getFloat(0));
        assertEquals(t.address() + 36, row.address());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5));
        assertThrows(IndexOutOfBoundsException.class, () -> t.slice(2, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> t.getFloat(4, 0));
        assertThrows(IllegalArgumentException.class, () -> t.getFloat(1));
    }

    @Test
    void bulkCopiesMatchTheDtypeAndNeverConvert() {
        SharedTensor f = shm.newTensor(DType.FLOAT32, 5);
        f.copyFrom(new float[] {1, 2, 3}, 1, 2, 2);
        assertArrayEquals(new float[] {0, 0, 2, 3, 0}, f.toFloatArray());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new double[] {1}));
        assertTrue(wrong.getMessage().contains("FLOAT32"), wrong.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> f.copyFrom(new float[6]));
        assertThrows(IllegalArgumentException.class, f::toIntArray);

        SharedTensor d = shm.newTensor(DType.FLOAT64, 2);
        d.copyFrom(new double[] {1.5, -2});
        assertArrayEquals(new double[] {1.5, -2}, d.toDoubleArray());
        SharedTensor i = shm.newTensor(DType.INT32, 2);
        i.copyFrom(new int[] {7, -8});
        assertArrayEquals(new int[] {7, -8}, i.toIntArray());
        SharedTensor l = shm.newTensor(DType.INT64, 2);
        l.copyFrom(new long[] {Long.MIN_VALUE, 3});
        assertArrayEquals(new long[] {Long.MIN_VALUE, 3}, l.toLongArray());
        SharedTensor s = shm.newTensor(DType.FLOAT16, 2);
        s.copyFrom(new short[] {Float.floatToFloat16(2f), Float.floatToFloat16(-0.5f)});
        assertEquals(-0.5f, s.getFloat(1));
        assertArrayEquals(new short[] {Float.floatToFloat16(2f), Float.floatToFloat16(-0.5f)}, s.toShortArray());
        SharedTensor u = shm.newTensor(DType.UINT8, 2);
        u.copyFrom(new byte[] {(byte) 255, 1});
        assertEquals(255, u.getInt(0));
        assertArrayEquals(new byte[] {(byte) 255, 1}, u.toByteArray());
        SharedTensor b = shm.newTensor(DType.BOOL, 3);
        b.copyFrom(new boolean[] {true, false, true});
        assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment plain = arena.allocate(20);
            plain.set(ValueLayout.JAVA_FLOAT, 16, 4.5f);
            f.copyFrom(plain);
            assertEquals(4.5f, f.getFloat(4));
            MemorySegment out = arena.allocate(20);
            f.copyTo(out);
            assertEquals(4.5f, out.get(ValueLayout.JAVA_FLOAT, 16));
            assertThrows(IllegalArgumentException.class, () -> f.copyTo(arena.allocate(8)));
        }
    }

    @Test
    void fillAndPrefaultKeepValues() {
        SharedTensor t = shm.newTensor(SharedTensor.Init.PREFAULTED, DType.INT16, 10_000);
        t.fill(-3);
        for (long i = 0; i < 10_000; i += 997) {
            assertEquals(-3, t.getLongAt(i));
        }
        t.prefault();
        assertEquals(-3, t.getLongAt(9_999));
        t.fill(0);
        assertEquals(0, t.getLongAt(9_999));
    }

    @Test
    void aViewOfAClosedRegionThrows() {
        SharedTensor t = shm.newTensor(DType.FLOAT32, 8);
        SharedTensor slice = t.slice(2, 4);
        shm.close();
        assertThrows(RegionClosedException.class, () -> t.getFloat(0));
        assertThrows(RegionClosedException.class, () -> slice.setFloatAt(0, 1f));
        assertThrows(RegionClosedException.class, t::segment);
        assertThrows(RegionClosedException.class, t::toFloatArray);
        assertThrows(RegionClosedException.class, () -> t.fill(1));
        assertThrows(RegionClosedException.class, t::address);
    }

    @Test
    void aTensorLargerThanTheFreeSpaceFailsAndChangesNothing() {
        long usedBefore = shm.stats().usedBytes();
        io.ipcobjects.OutOfSharedMemoryException e = assertThrows(io.ipcobjects.OutOfSharedMemoryException.class,
                () -> shm.newTensor(DType.FLOAT64, 1L << 30));
        assertNotNull(e.getMessage());
        assertEquals(usedBefore, shm.stats().usedBytes());
        shm.verify();
        assertEquals(4, shm.newTensor(DType.INT8, 4).elementCount(), "the region is still usable");
    }
}
