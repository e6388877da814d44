package io.ipcobjects.internal.structs;

import io.ipcobjects.TestAccess;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;
import io.ipcobjects.internal.codec.ValueSlots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The type registry: one shared, kept entry per stored record or user class; a failed store
 * leaves no entry; corrupted entries are reported, not followed.
 */
class TypeRegistryTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public record Point(long x, long y) {
    }

    public record Segment(String label, Point from, Point to, List<String> tags) {
    }

    /** Its second field holds a value that cannot be stored, after a record that can. */
    public record Broken(Point first, Object second) {
    }

    @Test
    void everyStructOfAClassSharesOneEntryThatOutlivesItsValues() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // the queue keeps one spare node after a take: in the baseline
            a.takeMessage();
            HeapStats empty = a.stats();
            assertEquals(List.of(), a.registeredTypes());
            Segment segment = new Segment("s", new Point(1, 2), new Point(3, 4), new ArrayList<>(List.of("t")));
            for (int i = 0; i < 100_000; i++) {
                a.putMessage(segment);
                Segment taken = a.takeMessage();
                assertEquals(segment.from(), taken.from());
                a.destroy(taken.tags());
            }
            assertEquals(List.of(Point.class.getName(), Segment.class.getName()), a.registeredTypes(),
                    "registered once each, in the order their stores completed (inner records first)");
            long registry = TestAccess.types(shm).bytes();
            assertTrue(registry > 0 && registry < 512, "two small entries: " + registry);
            assertEquals(empty.usedBytes() + registry, a.stats().usedBytes(),
                    "100k put/take cycles leave only the two type entries");

            SharedList<Object> list = a.share(new ArrayList<>());
            for (int i = 0; i < 1000; i++) {
                list.add(new Point(i, -i));
            }
            assertEquals(new Point(999, -999), list.get(999));
            assertEquals(2, a.registeredTypes().size(), "a thousand stored points share one entry");
            a.verify();
        }
    }

    @Test
    void aFailedStoreLeavesNoEntryAndTheClassStoresLaterAsUsual() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            SharedMap<Object, Object> map = a.share(new HashMap<>());
            SharedList<Object> list = a.share(new ArrayList<>());
            HeapStats before = a.stats();
            Object unstorable = new Object();

            // A record field after a nested record that stored (and registered) fine.
            assertThrows(UnsupportedTypeException.class, () -> list.add(new Broken(new Point(1, 1), unstorable)));
            // A list whose first element registered its class before the second failed.
            assertThrows(UnsupportedTypeException.class, () -> a.share(new ArrayList<>(List.of(new Point(1, 1), unstorable))));
            // An Object[] (a tuple) likewise.
            assertThrows(UnsupportedTypeException.class, () -> list.add(new Object[] {new Point(1, 1), unstorable}));
            // A record key that stored before its value failed.
            assertThrows(UnsupportedTypeException.class, () -> map.put(new Point(2, 2), unstorable));
            // A message and a name.
            assertThrows(UnsupportedTypeException.class, () -> a.putMessage(List.of(new Point(3, 3), unstorable)));
            assertThrows(UnsupportedTypeException.class, () -> a.put("broken", new Broken(new Point(4, 4), unstorable)));

            assertEquals(List.of(), a.registeredTypes(), "no failed store left an entry");
            assertEquals(before, a.stats(), "and nothing else either");
            a.verify();

            // The process-local caches did not keep an entry the rollback freed.
            list.add(new Point(5, 6));
            map.put(new Point(7, 8), new Broken(new Point(9, 10), null));
            assertEquals(new Point(5, 6), list.get(0));
            assertEquals(new Broken(new Point(9, 10), null), map.get(new Point(7, 8)));
            assertEquals(List.of(Point.class.getName(), Broken.class.getName()), a.registeredTypes());
            a.verify();
        }
    }

    @Test
    void aFailureAfterTheClassWasRegisteredEarlierKeepsItsEntry() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>());
            list.add(new Point(1, 2));
            assertThrows(UnsupportedTypeException.class, () -> list.add(new Broken(new Point(3, 4), new Object())));
            assertEquals(List.of(Point.class.getName()), a.registeredTypes(), "the entry the earlier point uses stays");
            assertEquals(new Point(1, 2), list.get(0));
            list.add(new Point(5, 6));
            assertEquals(new Point(5, 6), list.get(1));
            a.verify();
        }
    }

    /** Stores a segment under a name, reusing or adding entries; prints the registered types. */
    public static final class StoringChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30),
                    SharedMemoryOptions.defaults().withAllowedClasses(Point.class)); Access a = shm.acquire()) {
                a.put("from child", new Segment("child", new Point(5, 6), new Point(7, 8), new ArrayList<>(List.of("c"))));
                Point parents = (Point) a.get("from parent");
                System.out.println("parent's=" + parents.x() + "," + parents.y());
                System.out.println("types=" + String.join(" ", a.registeredTypes()));
            }
        }
    }

    @Test
    void processesShareEntries() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            shm.put("from parent", new Point(1, 2));
            try (ChildJvm child = ChildJvm.start(StoringChild.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                assertEquals("1,2", r.value("parent's"), r.describe());
                assertEquals(Point.class.getName() + " " + Segment.class.getName(), r.value("types"),
                        "the child found the parent's Point entry and added only Segment's");
            }
            Segment fromChild = (Segment) shm.get("from child");
            assertEquals(new Point(7, 8), fromChild.to());
            assertEquals(List.of("c"), fromChild.tags());
            shm.put("again", new Segment("parent", new Point(0, 0), new Point(0, 0), List.of()));
            assertEquals(2, shm.registeredTypes().size(), "the parent reuses the child's Segment entry");
            shm.verify();
        }
    }

    @Test
    void corruptedEntriesAreReportedNotFollowed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(TestAccess.context(shm), slot, null);
            ValueSlots.write(TestAccess.context(shm), slot, new Point(1, 2));
            RegionMemory memory = TestAccess.context(shm).memory();
            long struct = memory.getLong(slot + 8);
            long entry = memory.getLong(struct + StructLayout.DESCRIPTOR_OFFSET);
            assertEquals(entry, memory.getLong(ROOT_TYPE_REGISTRY_OFFSET));

            // The field count of the entry disagrees with the struct's.
            memory.putLong(entry + TypeRegistryLayout.FIELD_COUNT_OFFSET, 3);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            assertTrue(e.getMessage().contains("fields"), e.getMessage());
            memory.putLong(entry + TypeRegistryLayout.FIELD_COUNT_OFFSET, 2);

            // The length runs past the entry's block.
            memory.putLong(entry + TypeRegistryLayout.LENGTH_OFFSET, 1 << 20);
            e = assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
            long length = Point.class.getName().length() + "\nx\ny".length();
            memory.putLong(entry + TypeRegistryLayout.LENGTH_OFFSET, length);

            // The struct points at a block that is not a type entry (the slot's own raw block).
            memory.putLong(struct + StructLayout.DESCRIPTOR_OFFSET, slot);
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            memory.putLong(struct + StructLayout.DESCRIPTOR_OFFSET, entry);

            // A registry whose list loops back on itself ends with an exception, not a hang.
            memory.putLong(entry + TypeRegistryLayout.NEXT_OFFSET, entry);
            assertThrows(CorruptedRegionException.class, a::registeredTypes);
            memory.putLong(entry + TypeRegistryLayout.NEXT_OFFSET, 0);

            assertEquals(new Point(1, 2), ValueSlots.read(TestAccess.context(shm), slot), "repaired, it reads again");
            ValueSlots.destroy(TestAccess.context(shm), slot); // a slot in a raw block is no root: let go of its struct
            a.verify();
        }
    }
}
