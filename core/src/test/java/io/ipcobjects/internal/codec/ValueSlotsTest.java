package io.ipcobjects.internal.codec;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.testing.TestRegions;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ValueSlotsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void inlineValuesRoundTripExactlyAndAllocateNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(ctx, slot, null);
            HeapStats before = a.stats();
            List<Object> values = Arrays.asList(null, true, false, (byte) -7, (short) -30000, Integer.MIN_VALUE, 42,
                    Long.MAX_VALUE, -1L, 'x', '\uD83D', '\uDE00', Float.NaN, Float.intBitsToFloat(0x7fc00123), -0.0f,
                    Double.NaN, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), -0.0, Double.MIN_VALUE);
            for (Object value : values) {
                ValueSlots.write(ctx, slot, value);
                Object back = ValueSlots.read(ctx, slot);
                assertEquals(value == null ? null : value.getClass(), back == null ? null : back.getClass(), "type of " + value);
                assertEquals(value, back);
                if (value instanceof Double d) {
                    assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) back));
                }
                if (value instanceof Float f) {
                    assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) back));
                }
                assertEquals(before, a.stats(), "inline value " + value + " allocated in the region");
            }
        }
    }

    @Test
    void stringsRoundTripAndAreFreedOnOverwriteAndDestroy() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(ctx, slot, null);
            HeapStats before = a.stats();
            String big = "a\u00e9\u4e2d".repeat((1 << 20) / 3);
            for (String s : List.of("", "plain latin-1 \u00ff", "non-BMP \uD83D\uDE00 and \u4e2d", big)) {
                ValueSlots.write(ctx, slot, s);
                assertEquals(s, ValueSlots.read(ctx, slot));
            }
            ValueSlots.destroy(ctx, slot);
            assertNull(ValueSlots.read(ctx, slot));
            assertEquals(before.usedBytes(), a.stats().usedBytes());
            a.verify();
        }
    }

    @Test
    void unsupportedTypeNamesTheClassAndLeavesSlotAndHeapUnchanged() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionContext ctx = TestAccess.context(shm);
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(ctx, slot, "kept");
            HeapStats before = a.stats();
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class,
                    () -> ValueSlots.write(ctx, slot, new StringBuilder("x")));
            assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
            assertEquals(StringBuilder.class, e.type());
            assertEquals("kept", ValueSlots.read(ctx, slot));
            assertEquals(before, a.stats());
            a.verify();
        }
    }
}
