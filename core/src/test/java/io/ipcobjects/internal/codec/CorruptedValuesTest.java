package io.ipcobjects.internal.codec;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.HashLayout;
import io.ipcobjects.internal.containers.ListLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad words in the region give CorruptedRegionException, never a crash, an OOM or a hang. */
class CorruptedValuesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void corruptedSlotsAndHeadersAreReportedNotFollowed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(TestAccess.context(shm), slot, "text in a blob");
            long blob = memory.getLong(slot + SlotLayout.BITS_OFFSET);

            memory.putLong(blob + BlobLayout.LENGTH_OFFSET, Long.MAX_VALUE / 2);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putLong(blob + BlobLayout.LENGTH_OFFSET, 14);

            memory.putInt(slot + SlotLayout.KIND_OFFSET, 9999);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putInt(slot + SlotLayout.KIND_OFFSET, SlotKinds.STRING);
            memory.putLong(slot + SlotLayout.BITS_OFFSET, shm.size() - 8);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putLong(slot + SlotLayout.BITS_OFFSET, blob);
            assertEquals("text in a blob", ValueSlots.read(TestAccess.context(shm), slot));

            // A short string lives in the slot: a length past 8, or bytes past the length, are refused.
            ValueSlots.write(TestAccess.context(shm), slot, "short");
            assertEquals(SlotKinds.SHORT_STRING, memory.getInt(slot + SlotLayout.KIND_OFFSET));
            memory.putInt(slot + SlotLayout.AUX_OFFSET, 9);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putInt(slot + SlotLayout.AUX_OFFSET, -1);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putInt(slot + SlotLayout.AUX_OFFSET, 3);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot), "bytes past the length");
            memory.putInt(slot + SlotLayout.AUX_OFFSET, 5);
            assertEquals("short", ValueSlots.read(TestAccess.context(shm), slot));

            SharedList<Object> list = a.share(new ArrayList<>(List.of(1, 2, 3)));
            long header = ((ContainerView) list).offset();
            memory.putLong(header + ListLayout.SIZE_OFFSET, 1L << 40);
            assertThrows(CorruptedRegionException.class, () -> list.get(0));
            memory.putLong(header + ListLayout.SIZE_OFFSET, 3);
            long elements = memory.getLong(header + ListLayout.ELEMENTS_OFFSET);
            memory.putLong(header + ListLayout.ELEMENTS_OFFSET, elements + 16);
            assertThrows(CorruptedRegionException.class, () -> list.get(0));
            memory.putLong(header + ListLayout.ELEMENTS_OFFSET, elements);
            assertEquals(List.of(1, 2, 3), list);

            SharedMap<String, Object> map = a.share(new HashMap<>(Map.of("a", 1)));
            long mapHeader = ((ContainerView) map).offset();
            long capacity = memory.getLong(mapHeader + HashLayout.CAPACITY_OFFSET);
            memory.putLong(mapHeader + HashLayout.CAPACITY_OFFSET, capacity * 1024);
            assertThrows(CorruptedRegionException.class, () -> map.get("a"));
            memory.putLong(mapHeader + HashLayout.CAPACITY_OFFSET, capacity);
            // every entry live and none matching: the probe still ends after capacity steps
            long table = memory.getLong(mapHeader + HashLayout.TABLE_OFFSET);
            long entryBytes = memory.getLong(mapHeader + HashLayout.ENTRY_BYTES_OFFSET);
            List<Long> saved = new ArrayList<>();
            for (long i = 0; i < capacity; i++) {
                saved.add(memory.getLong(table + i * entryBytes));
                memory.putLong(table + i * entryBytes, HashLayout.control(12345));
            }
            assertNull(map.get("absent"));
            for (int i = 0; i < capacity; i++) {
                memory.putLong(table + i * entryBytes, saved.get(i));
            }
            assertEquals(1, map.get("a"));
            a.verify();
        }
    }
}
