package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reference counts and table counters come from the region: each is checked before it decides anything. */
class HostileCountsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aTakenMapWithABadReferenceCountIsRefusedNotFreed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedMap<String, Object> map = a.share(new HashMap<>(Map.of("k", "the map's value")));
            a.putMessage(map);
            long references = ((ContainerView) map).offset() + ContainerLayout.REFERENCES_OFFSET;
            assertEquals(2, memory.getLong(references), "share's holder and the message");
            for (long bad : new long[] {-1, 0, 1L << 60}) {
                memory.putLong(references, bad);
                CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::takeMessage, "count " + bad);
                assertTrue(e.getMessage().contains("references"), e.getMessage());
                assertEquals(bad, memory.getLong(references), "no count was changed");
                assertEquals(1, a.messageCount(), "the message stays queued");
            }
            memory.putLong(references, 2);
            SharedMap<String, Object> taken = a.takeMessage();
            assertEquals("the map's value", taken.get("k"), "the map handed over is alive");
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) taken));
            a.verify();
        }
    }

    @Test
    void storingOrDroppingAViewChecksItsCount() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedList<Object> list = a.share(new ArrayList<>(List.of(1L, 2L)));
            a.put("list", list);
            long references = ((ContainerView) list).offset() + ContainerLayout.REFERENCES_OFFSET;
            memory.putLong(references, -7);
            assertThrows(CorruptedRegionException.class, () -> a.put("again", list));
            assertThrows(CorruptedRegionException.class, () -> a.remove("list"), "dropping the name's reference");
            assertEquals(-7, memory.getLong(references));
            memory.putLong(references, 2);
            a.remove("list");
            assertEquals(List.of(1L, 2L), list, "the holder's reference keeps it");
            a.verify();
        }
    }

    @Test
    void aHashTableUsedCountOutOfRangeIsRefusedBeforeAnInsert() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedMap<String, Object> map = a.share(new HashMap<>(Map.of("a", 1L)));
            long used = ((ContainerView) map).offset() + HashLayout.USED_OFFSET;
            long kept = memory.getLong(used);
            memory.putLong(used, -100);
            assertThrows(CorruptedRegionException.class, () -> map.put("b", 2L));
            memory.putLong(used, 1L << 40);
            assertThrows(CorruptedRegionException.class, () -> map.put("b", 2L));
            assertEquals(1L, map.get("a"), "lookups do not need the used count");
            memory.putLong(used, kept);
            map.put("b", 2L);
            assertEquals(Map.of("a", 1L, "b", 2L), new HashMap<>(map));
            a.verify();
        }
    }

    @Test
    void aTupleHeldByTwoSlotsIsNotFreedTwice() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            List<Object> values = new ArrayList<>();
            values.add(new Object[] {new Object[] {"inner", "x"}, "y"});
            SharedList<Object> holder = a.share(values);
            long elements = memory.getLong(((ContainerView) holder).offset() + ListLayout.ELEMENTS_OFFSET);
            long outer = memory.getLong(ListLayout.slotOffset(elements, 0) + SlotLayout.BITS_OFFSET);
            // The outer tuple's second slot now refers to its first slot's tuple: releasing it would free that twice.
            long first = TupleLayout.slotOffset(outer, 0);
            long second = TupleLayout.slotOffset(outer, 1);
            memory.putLong(second, memory.getLong(first));
            memory.putLong(second + 8, memory.getLong(first + 8));
            assertThrows(CorruptedRegionException.class, holder::clear);
            TestAccess.context(shm).allocator().verify(); // the heap itself is intact: nothing was freed twice
        }
    }
}
