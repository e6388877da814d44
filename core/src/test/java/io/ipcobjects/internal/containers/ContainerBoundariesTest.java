package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedSet;
import io.ipcobjects.TestAccess;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.codec.KeyProbe;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live containers at their exact boundaries, read through their headers: the size a table or an
 * element block is given and the moment it grows, a removal at the last entry of a table (whose
 * next entry is the first), what a failed store leaves behind, a clear in a region too full
 * for a fresh table, and every operation on a destroyed or closed container.
 */
class ContainerBoundariesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static long header(Object view) {
        return ((ContainerView) view).offset();
    }

    /** The documented sizing: the smallest power of two, at least 8, that one more entry keeps within 3/4 used. */
    private static long tableCapacityFor(long entries) {
        long capacity = 8;
        while (4 * (entries + 1) > 3 * capacity) {
            capacity *= 2;
        }
        return capacity;
    }

    /** The documented list growth: to 8 from below 8, else by half, and at least what is needed. */
    private static long grownListCapacity(long capacity, long needed) {
        return needed <= capacity ? capacity : Math.max(needed, capacity < 8 ? 8 : capacity + capacity / 2);
    }

    private static long hashOf(Object key) {
        KeyProbe probe = new KeyProbe();
        assertTrue(probe.prepare(key));
        return probe.hash();
    }

    /** {@code count} distinct long keys whose home entry in a table of {@code capacity} is {@code home}. */
    private static List<Long> keysWithHome(long home, long capacity, int count, long from) {
        List<Long> keys = new ArrayList<>();
        for (long k = from; keys.size() < count; k++) {
            if ((hashOf(k) & (capacity - 1)) == home) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * Fills the whole heap with blocks of 0xA5 bytes and frees them again, so that what is
     * allocated next is not zero: a block the containers forget to clear then shows (in
     * {@code verify()}, or as a control word that looks live).
     */
    static void dirtyTheHeap(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            List<Long> blocks = new ArrayList<>();
            for (long size : new long[] {256 << 10, 16 << 10, 1 << 10, 64}) {
                try {
                    while (true) {
                        long block = a.allocate(size);
                        a.block(block).fill((byte) 0xA5);
                        blocks.add(block);
                    }
                } catch (OutOfSharedMemoryException full) {
                    // next, smaller size
                }
            }
            for (long block : blocks) {
                a.free(block);
            }
        }
    }

    // ---- bulk inserts ----

    @Test
    void addAllAtAnIndexReportsWhetherTheListChanged() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedList<Object> list = shm.share(new ArrayList<>(List.of(1L, 2L)));
            assertFalse(list.addAll(1, List.of()), "nothing added");
            assertEquals(List.of(1L, 2L), list);
            assertTrue(list.addAll(1, List.of(7L, 8L)));
            assertEquals(List.of(1L, 7L, 8L, 2L), list);
            assertFalse(list.addAll(List.of()), "nothing appended");
            shm.destroy(list);
        }
    }

    // ---- hash table sizing ----

    @Test
    void aHashTableIsSizedForItsEntriesAndRebuiltExactlyWhenUsedWouldPassThreeQuarters() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            dirtyTheHeap(shm);
            RegionMemory memory = TestAccess.context(shm).memory();
            for (boolean isMap : new boolean[] {true, false}) {
                String kind = isMap ? "map" : "set";
                for (int n = 0; n <= 40; n++) {
                    Map<Object, Object> entries = new HashMap<>();
                    for (long i = 0; i < n; i++) {
                        entries.put(i, "v" + i);
                    }
                    Object view = isMap ? shm.share(entries) : shm.share(new HashSet<>(entries.keySet()));
                    long h = header(view);
                    assertEquals(n == 0 ? 0 : tableCapacityFor(n), memory.getLong(h + HashLayout.CAPACITY_OFFSET), kind + " of " + n);
                    assertEquals(n == 0, memory.getLong(h + HashLayout.TABLE_OFFSET) == 0, kind + " of " + n + ": a table iff entries");
                    assertEquals(n, memory.getLong(h + HashLayout.USED_OFFSET), kind + " of " + n + ": filled without tombstones");
                    assertEquals(isMap ? entries : entries.keySet(), view, kind + " of " + n);
                    shm.destroy(view);
                }

                Map<Object, Object> model = new HashMap<>();
                Object view = isMap ? shm.share(new HashMap<>()) : shm.share(new HashSet<>());
                long h = header(view);
                Random random = new Random(isMap ? 3 : 4);
                int resizes = 0;
                for (int step = 0; step < 700; step++) {
                    long capacity = memory.getLong(h + HashLayout.CAPACITY_OFFSET);
                    long used = memory.getLong(h + HashLayout.USED_OFFSET);
                    long key = random.nextInt(400);
                    String what = kind + " step " + step;
                    if (random.nextInt(10) < 3) {
                        boolean removed = model.remove(key) != null;
                        assertEquals(removed, isMap ? castMap(view).remove(key) != null : castSet(view).remove(key), what);
                        assertEquals(capacity, memory.getLong(h + HashLayout.CAPACITY_OFFSET), what + ": a removal never resizes");
                    } else {
                        boolean added = model.put(key, "v" + key) == null;
                        long expected = added && (used + 1) * 4 > capacity * 3 ? tableCapacityFor(model.size()) : capacity;
                        if (isMap) {
                            castMap(view).put(key, "v" + key);
                        } else {
                            assertEquals(added, castSet(view).add(key), what);
                        }
                        long after = memory.getLong(h + HashLayout.CAPACITY_OFFSET);
                        assertEquals(expected, after, what + ": capacity after putting into " + used + " used of " + capacity);
                        if (after != capacity) {
                            resizes++;
                            assertEquals(model.size(), memory.getLong(h + HashLayout.USED_OFFSET), what + ": a rebuilt table has no tombstones");
                        }
                    }
                    assertEquals(model.size(), memory.getLong(h + HashLayout.SIZE_OFFSET), what);
                    if (step % 100 == 0) {
                        shm.verify();
                    }
                }
                assertTrue(resizes >= 4, kind + " resized " + resizes + " times");
                assertEquals(isMap ? model : model.keySet(), view, kind);
                shm.verify();
                shm.destroy(view);
            }
            shm.verify();
        }
    }

    @SuppressWarnings("unchecked")
    private static SharedMap<Object, Object> castMap(Object view) {
        return (SharedMap<Object, Object>) view;
    }

    @SuppressWarnings("unchecked")
    private static SharedSet<Object> castSet(Object view) {
        return (SharedSet<Object>) view;
    }

    // ---- probing past the end of the table ----

    @Test
    void removingTheLastEntryOfATableLooksAtTheFirstEntryNext() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            dirtyTheHeap(shm);
            RegionMemory memory = TestAccess.context(shm).memory();
            List<Long> last = keysWithHome(7, 8, 3, 0);
            List<Long> first = keysWithHome(0, 8, 1, 0);
            for (boolean isMap : new boolean[] {true, false}) {
                String kind = isMap ? "map" : "set";
                Object view = isMap ? shm.share(new HashMap<>()) : shm.share(new HashSet<>());
                Collection<Object> keys = isMap ? castMap(view).keySet() : castSet(view);
                long h = header(view);
                long entryBytes = isMap ? HashLayout.MAP_ENTRY_BYTES : HashLayout.SET_ENTRY_BYTES;
                Function<Integer, Long> control = index -> memory.getLong(memory.getLong(h + HashLayout.TABLE_OFFSET)
                        + index * entryBytes + HashLayout.CONTROL_OFFSET);
                Function<Object, Boolean> add = key -> isMap ? castMap(view).put(key, "v") == null : castSet(view).add(key);

                // Alone in the last entry: the first entry is empty, so no probe passes through it.
                assertTrue(add.apply(last.get(0)));
                assertEquals(8, memory.getLong(h + HashLayout.CAPACITY_OFFSET), kind);
                assertTrue(HashLayout.isLive(control.apply(7)), kind + ": its home is the last entry");
                assertTrue(keys.remove(last.get(0)));
                assertEquals(HashLayout.EMPTY, control.apply(7), kind + ": emptied, the next (first) entry is empty");
                assertEquals(0, memory.getLong(h + HashLayout.USED_OFFSET), kind);

                // Two keys homed at the last entry: the second wraps to the first entry.
                assertTrue(add.apply(last.get(0)));
                assertTrue(add.apply(last.get(1)));
                assertTrue(HashLayout.isLive(control.apply(0)), kind + ": the second key wrapped to the first entry");
                assertTrue(keys.remove(last.get(0)));
                assertEquals(HashLayout.TOMBSTONE, control.apply(7), kind + ": a probe passes through it to the first entry");
                assertEquals(2, memory.getLong(h + HashLayout.USED_OFFSET), kind);
                assertTrue(keys.contains(last.get(1)), kind + ": found past the tombstone, after the wrap");
                assertFalse(keys.contains(last.get(2)), kind);
                assertFalse(add.apply(last.get(1)), kind + ": not added twice");
                // The tombstone is reused by the next key homed there; the used count does not grow.
                assertTrue(add.apply(last.get(2)));
                assertTrue(HashLayout.isLive(control.apply(7)), kind);
                assertEquals(2, memory.getLong(h + HashLayout.USED_OFFSET), kind + ": a reused tombstone was counted already");
                assertTrue(add.apply(first.get(0)));
                assertTrue(HashLayout.isLive(control.apply(1)), kind + ": the first entry was taken, so the next one");
                assertTrue(keys.remove(last.get(1)));
                assertEquals(HashLayout.TOMBSTONE, control.apply(0), kind + ": the entry after it is live");
                assertTrue(keys.contains(first.get(0)), kind + ": found past the tombstone at its home");
                assertEquals(Set.of(last.get(2), first.get(0)), new HashSet<>(keys), kind);
                shm.verify();
                keys.clear();
                assertEquals(0, memory.getLong(h + HashLayout.USED_OFFSET), kind);
                shm.verify();
                shm.destroy(view);
            }
        }
    }

    // ---- list growth ----

    @Test
    void aListIsSizedForItsElementsAndGrowsToEightThenByHalf() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            dirtyTheHeap(shm);
            RegionMemory memory = TestAccess.context(shm).memory();
            for (int n = 0; n <= 20; n++) {
                List<Object> values = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    values.add(i % 2 == 0 ? i : "s" + i);
                }
                SharedList<Object> list = shm.share(values);
                long h = header(list);
                assertEquals(n, memory.getLong(h + ListLayout.CAPACITY_OFFSET), "list of " + n);
                assertEquals(n == 0, memory.getLong(h + ListLayout.ELEMENTS_OFFSET) == 0, "list of " + n + ": a block iff elements");
                assertEquals(values, list);
                // The next insert grows it (at the front, in the middle or at the end).
                int at = n == 0 ? 0 : n % 3 == 0 ? 0 : n % 3 == 1 ? n / 2 : n;
                list.add(at, "new");
                values.add(at, "new");
                assertEquals(grownListCapacity(n, n + 1), memory.getLong(h + ListLayout.CAPACITY_OFFSET), "list of " + n + " grown");
                assertEquals(values, list, "list of " + n + " grown");
                shm.verify();
                shm.destroy(list);
            }

            SharedList<Object> list = shm.share(new ArrayList<>());
            List<Object> model = new ArrayList<>();
            long h = header(list);
            int grew = 0;
            for (int i = 0; i < 300; i++) {
                long capacity = memory.getLong(h + ListLayout.CAPACITY_OFFSET);
                if (i % 7 == 6) {
                    List<Object> more = List.of((long) i, "x" + i, (long) -i);
                    model.addAll(model.size() / 2, more);
                    list.addAll(list.size() / 2, more);
                    assertEquals(grownListCapacity(capacity, model.size()), memory.getLong(h + ListLayout.CAPACITY_OFFSET), "step " + i);
                } else {
                    model.add((long) i);
                    list.add((long) i);
                    assertEquals(grownListCapacity(capacity, model.size()), memory.getLong(h + ListLayout.CAPACITY_OFFSET), "step " + i);
                }
                if (memory.getLong(h + ListLayout.CAPACITY_OFFSET) != capacity) {
                    grew++;
                    shm.verify();
                }
            }
            assertTrue(grew >= 8, "grew " + grew + " times");
            assertEquals(model, list);
            long capacity = memory.getLong(h + ListLayout.CAPACITY_OFFSET);
            list.subList(10, 200).clear();
            model.subList(10, 200).clear();
            assertEquals(capacity, memory.getLong(h + ListLayout.CAPACITY_OFFSET), "removals never shrink it");
            assertEquals(model, list);
            shm.verify();
        }
    }

    /** A list whose size is larger than what its iterator gives (as a concurrently changed one may be). */
    private static List<Object> overstated(List<Object> values, int extra) {
        return new java.util.AbstractList<>() {
            @Override
            public Object get(int index) {
                return values.get(index);
            }

            @Override
            public Iterator<Object> iterator() {
                return values.iterator();
            }

            @Override
            public int size() {
                return values.size() + extra;
            }
        };
    }

    @Test
    void aListStoredFromACollectionThatOverstatesItsSizeHoldsOnlyWhatWasGiven() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            dirtyTheHeap(shm);
            long baseline = shm.stats().usedBytes();
            List<Object> values = List.of(1L, "two", 3.0);
            try (Access a = shm.acquire()) {
                SharedList<Object> list = a.share(overstated(values, 5));
                assertEquals(values, list);
                a.verify(); // the slots past the size are zero
                list.add("four");
                assertEquals(4, list.size());
                a.verify();
                a.destroy(list);
            }
            assertEquals(baseline, shm.stats().usedBytes());
        }
    }

    // ---- failures leave nothing behind ----

    record Tagged(String tag, long n) {
    }

    @Test
    void aStoreThatFailsLeavesNeitherBlocksNorTypeEntriesBehind() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            HeapStats baseline = a.stats();
            List<String> types = a.registeredTypes();
            // Too large for the region: the header fits, the element block or the table does not.
            List<Object> longs = new ArrayList<>();
            Map<Object, Object> entries = new HashMap<>();
            for (long i = 0; i < 100_000; i++) {
                longs.add(i);
                entries.put(i, i);
            }
            assertThrows(OutOfSharedMemoryException.class, () -> a.share(longs));
            assertEquals(baseline, a.stats(), "list");
            assertThrows(OutOfSharedMemoryException.class, () -> a.share(entries));
            assertEquals(baseline, a.stats(), "map");
            assertThrows(OutOfSharedMemoryException.class, () -> a.share(new HashSet<>(longs)));
            assertEquals(baseline, a.stats(), "set");
            // A record registers its type, then an element that cannot be stored fails the store.
            Object unsupported = new Object();
            assertThrows(UnsupportedTypeException.class, () -> a.share(new ArrayList<>(List.of(new Tagged("a", 1), unsupported))));
            assertEquals(types, a.registeredTypes(), "list: the record's type entry was rolled back");
            Map<Object, Object> map = new java.util.LinkedHashMap<>();
            map.put("record", new Tagged("b", 2));
            map.put("unsupported", unsupported);
            assertThrows(UnsupportedTypeException.class, () -> a.share(map));
            assertEquals(types, a.registeredTypes(), "map: the record's type entry was rolled back");
            Set<Object> set = new java.util.LinkedHashSet<>();
            set.add(new Tagged("c", 3));
            set.add(unsupported);
            assertThrows(UnsupportedTypeException.class, () -> a.share(set));
            assertEquals(types, a.registeredTypes(), "set: the record's type entry was rolled back");
            assertEquals(baseline, a.stats());
            a.verify();
        }
    }

    /** {@code levels} containers of {@code kind}, each holding the next, around a number. */
    private static Object nest(String kind, int levels) {
        Object value = 1L;
        for (int i = 0; i < levels; i++) {
            value = switch (kind) {
                case "list" -> new ArrayList<>(List.of(value));
                case "set" -> new HashSet<>(Set.of(value));
                default -> new HashMap<>(Map.of("k", value));
            };
        }
        return value;
    }

    /**
     * A value nests at most {@code ValueSlots.MAX_DEPTH} levels below the one stored: 257
     * containers in all. That many are stored, read and freed again; one more is refused and
     * leaves nothing behind.
     */
    @Test
    void theDeepestNestingIsStoredAndFreedAndOneLevelMoreIsRefused() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            int deepest = io.ipcobjects.internal.codec.ValueSlots.MAX_DEPTH + 1;
            HeapStats empty = shm.stats();
            for (String kind : List.of("list", "set", "map")) {
                Object shared = shm.share(nest(kind, deepest));
                assertEquals(nest(kind, deepest), shared, kind);
                shm.destroy(shared);
                assertEquals(empty, shm.stats(), kind + ": freed, all levels");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shm.share(nest(kind, deepest + 1)), kind);
                assertTrue(e.getMessage().contains("deeper"), e.getMessage());
                assertEquals(empty, shm.stats(), kind + ": a refused nesting leaves nothing");
            }
            shm.verify();
        }
    }

    /** Allocates raw blocks until the heap is full; returns them. */
    private static List<Long> fillTheHeap(Access a) {
        List<Long> blocks = new ArrayList<>();
        for (long size : new long[] {64 << 10, 4 << 10, 256, 16}) {
            try {
                while (true) {
                    blocks.add(a.allocate(size));
                }
            } catch (OutOfSharedMemoryException full) {
                // next, smaller size
            }
        }
        return blocks;
    }

    @Test
    void anInsertThatCannotGrowItsContainerInAFullRegionChangesNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            HeapStats empty = a.stats();
            List<Object> elements = new ArrayList<>();
            for (long i = 0; i < 300; i++) {
                elements.add(i);
            }
            SharedList<Object> list = a.share(elements); // full: the next insert grows it to 450 slots
            SharedMap<Object, Object> map = a.share(new HashMap<>());
            SharedSet<Object> set = a.share(new HashSet<>());
            Map<Object, Object> model = new HashMap<>();
            for (long i = 0; i < 96; i++) { // 96 of 128 used: the next insert rebuilds the table with 256 entries
                model.put(i, "v" + i);
                map.put(i, "v" + i);
                set.add(i);
            }
            RegionMemory memory = TestAccess.context(shm).memory();
            assertEquals(128, memory.getLong(header(map) + HashLayout.CAPACITY_OFFSET));
            assertEquals(96, memory.getLong(header(map) + HashLayout.USED_OFFSET));
            List<String> types = a.registeredTypes();
            long hole = a.allocate(2048); // room for a new element, key or value, not for the growth
            List<Long> blocks = fillTheHeap(a);
            a.free(hole);
            HeapStats full = a.stats();
            String blob = "a string long enough to need a block of its own in the region";
            List<Runnable> inserts = List.of(
                    () -> list.add(new Tagged("list", 1)),
                    () -> list.add(blob),
                    () -> list.add(0, blob),
                    () -> map.put(new Tagged("key", 1), new Tagged("value", 2)),
                    () -> map.put(blob, blob),
                    () -> set.add(new Tagged("element", 3)),
                    () -> set.add(blob));
            for (int i = 0; i < inserts.size(); i++) {
                assertThrows(OutOfSharedMemoryException.class, inserts.get(i)::run, "insert " + i);
                assertEquals(full, a.stats(), "insert " + i + ": what was encoded was released");
                assertEquals(types, a.registeredTypes(), "insert " + i + ": the record's type entry was rolled back");
            }
            assertEquals(elements, list);
            assertEquals(model, map);
            assertEquals(model.keySet(), set);
            a.verify();
            for (long block : blocks) {
                a.free(block);
            }
            list.add(blob);
            map.put(blob, blob);
            set.add(blob);
            a.destroy(list);
            a.destroy(map);
            a.destroy(set);
            assertEquals(empty.usedBytes(), a.stats().usedBytes());
            a.verify();
        }
    }

    @Test
    void aResizeThatFindsMoreLiveEntriesThanTheSizeSaysFreesItsNewTable() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            Map<Object, Object> twelve = new HashMap<>();
            SharedMap<Object, Object> map = a.share(new HashMap<>());
            for (long i = 0; i < 12; i++) { // 12 of 16 used: the next insert rebuilds the table
                twelve.put(i, i);
                map.put(i, i);
            }
            long h = header(map);
            assertEquals(16, memory.getLong(h + HashLayout.CAPACITY_OFFSET));
            memory.putLong(h + HashLayout.SIZE_OFFSET, 1); // the rebuilt table would be sized for 2
            HeapStats before = a.stats();
            assertThrows(io.ipcobjects.CorruptedRegionException.class, () -> map.put(100L, 100L));
            assertEquals(before, a.stats(), "the new table and the encoded key were freed");
            memory.putLong(h + HashLayout.SIZE_OFFSET, 12);
            assertEquals(twelve, map, "unchanged");
            a.verify();
        }
    }

    // ---- a clear in a region too full for a fresh table ----

    @Test
    void aClearInARegionTooFullForAFreshTableLeavesTheMapWithoutATable() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            HeapStats empty = a.stats();
            for (boolean isMap : new boolean[] {true, false}) {
                Map<Object, Object> entries = new HashMap<>();
                for (long i = 0; i < 100; i++) {
                    entries.put(i % 4 == 1 ? "a key long enough for a block of its own, " + i : i, "value " + i);
                }
                Object view = isMap ? a.share(entries) : a.share(new HashSet<>(entries.keySet()));
                long h = header(view);
                RegionMemory memory = TestAccess.context(shm).memory();
                long table = memory.getLong(h + HashLayout.TABLE_OFFSET);
                long capacity = memory.getLong(h + HashLayout.CAPACITY_OFFSET);
                List<Long> blocks = fillTheHeap(a);
                long freeBefore = a.stats().freeBytes();
                if (isMap) {
                    castMap(view).clear();
                } else {
                    castSet(view).clear();
                }
                // Zeroing the old table in place would log all of it (past the log's end, for a
                // big one): the map goes back to no table, as a new map, and the next put makes one.
                assertEquals(0, memory.getLong(h + HashLayout.TABLE_OFFSET), "no table");
                assertEquals(0, memory.getLong(h + HashLayout.CAPACITY_OFFSET));
                assertEquals(0, memory.getLong(h + HashLayout.USED_OFFSET));
                assertTrue(a.stats().freeBytes() >= freeBefore + capacity * (isMap ? HashLayout.MAP_ENTRY_BYTES
                        : HashLayout.SET_ENTRY_BYTES), "the old table is freed, with the keys and values");
                assertTrue(((Collection<?>) (isMap ? castMap(view).keySet() : castSet(view))).isEmpty());
                a.verify(); // keys and values freed
                if (isMap) {
                    castMap(view).put(1L, "again");
                    assertEquals(Map.of(1L, "again"), view);
                } else {
                    castSet(view).add(1L);
                    assertEquals(Set.of(1L), view);
                }
                for (long block : blocks) {
                    a.free(block);
                }
                // With room, a clear moves to a fresh table and frees the old one.
                if (isMap) {
                    castMap(view).clear();
                } else {
                    castSet(view).clear();
                }
                assertNotEquals(table, memory.getLong(h + HashLayout.TABLE_OFFSET), "a fresh table");
                a.verify();
                a.destroy(view);
                assertEquals(empty.usedBytes(), a.stats().usedBytes());
            }
        }
    }

    /**
     * Whether a clear moves to a fresh table depends on the largest free block: more than the
     * table's bytes and 64 to spare. At that exact boundary the map is left without a table; with
     * less than the table needs a fresh one is not even tried (it would fail); 16 bytes more
     * and it moves.
     */
    @Test
    void aClearMovesToAFreshTableOnlyWithMoreThan64BytesToSpare() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long probe = a.allocate(1024);
            List<Long> calibration = fillTheHeap(a);
            a.free(probe);
            long overhead = a.stats().largestFreeBlock() - 1024; // what a block adds to its payload
            for (long block : calibration) {
                a.free(block);
            }
            for (boolean isMap : new boolean[] {true, false}) {
                long entryBytes = isMap ? HashLayout.MAP_ENTRY_BYTES : HashLayout.SET_ENTRY_BYTES;
                for (long spare : new long[] {-overhead, 64, 64 + 16}) {
                    String what = (isMap ? "map" : "set") + " with " + spare + " bytes to spare";
                    Map<Object, Object> entries = new HashMap<>();
                    for (long i = 0; i < 40; i++) {
                        entries.put(i, -i); // inline keys and values: a clear frees no block of its own
                    }
                    Object view = isMap ? a.share(entries) : a.share(new HashSet<>(entries.keySet()));
                    long h = header(view);
                    long table = memory.getLong(h + HashLayout.TABLE_OFFSET);
                    long tableBytes = memory.getLong(h + HashLayout.CAPACITY_OFFSET) * entryBytes;
                    long hole = a.allocate(tableBytes + spare - overhead);
                    List<Long> blocks = fillTheHeap(a);
                    a.free(hole);
                    assertEquals(tableBytes + spare, a.stats().largestFreeBlock(), what);
                    if (isMap) {
                        castMap(view).clear();
                    } else {
                        castSet(view).clear();
                    }
                    long now = memory.getLong(h + HashLayout.TABLE_OFFSET);
                    if (spare > 64) {
                        assertTrue(now != 0 && now != table, what + ": a fresh table");
                    } else {
                        assertEquals(0, now, what + ": no table");
                    }
                    assertEquals(0, ((Collection<?>) (isMap ? castMap(view).keySet() : castSet(view))).size(), what);
                    a.verify();
                    for (long block : blocks) {
                        a.free(block);
                    }
                    a.destroy(view);
                }
            }
            a.verify();
        }
    }

    // ---- bulk operations, entries and frozen views ----

    @Test
    void bulkOperationsEntriesAndFrozenViewsAnswerAsTheJavaCollectionsDo() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            HeapStats empty = shm.stats();
            List<Object> model = new ArrayList<>(List.of(1L, "two", 3.0));
            SharedList<Object> list = shm.share(new ArrayList<>(model));
            assertEquals(model.addAll(List.of(4L, 5L)), list.addAll(List.of(4L, 5L)));
            assertEquals(model.addAll(List.of()), list.addAll(List.of()));
            assertEquals(model.containsAll(List.of(1L, 5L)), list.containsAll(List.of(1L, 5L)));
            assertEquals(model.containsAll(List.of(1L, 6L)), list.containsAll(List.of(1L, 6L)));
            assertEquals(model.retainAll(List.of(1L, "two", 3.0, 4L, 5L)), list.retainAll(List.of(1L, "two", 3.0, 4L, 5L)));
            assertEquals(model.retainAll(List.of(1L, "two", 5L)), list.retainAll(List.of(1L, "two", 5L)));
            assertEquals(model.removeAll(List.of(9L)), list.removeAll(List.of(9L)));
            assertArrayEquals(model.toArray(), list.toArray());
            assertArrayEquals(model.toArray(new Object[0]), list.toArray(new Object[0]));
            assertArrayEquals(model.toArray(new Object[6]), list.toArray(new Object[6]));
            assertEquals(model.toString(), list.toString());
            assertEquals(model, list);

            Map<Object, Object> mapModel = new HashMap<>(Map.of(1L, "one", 2L, "two"));
            SharedMap<Object, Object> map = shm.share(new HashMap<>(mapModel));
            map.putAll(Map.of(3L, "three", 1L, "uno"));
            mapModel.putAll(Map.of(3L, "three", 1L, "uno"));
            assertEquals(mapModel, map);
            try (Access a = shm.acquire()) {
                map.putAll(Map.of(4L, "four"));
                mapModel.putAll(Map.of(4L, "four"));
            }
            assertEquals(mapModel, map);
            Set<Map.Entry<Object, Object>> entries = map.entrySet();
            assertTrue(entries.contains(Map.entry(1L, "uno")));
            assertFalse(entries.contains(Map.entry(1L, "one")), "the key is there with another value");
            assertFalse(entries.contains(Map.entry(9L, "uno")), "no such key");
            assertFalse(entries.contains("not an entry"));
            for (Map.Entry<Object, Object> e : entries) {
                Map.Entry<Object, Object> expected = Map.entry(e.getKey(), mapModel.get(e.getKey()));
                assertEquals(expected, e);
                assertEquals(e, expected);
                assertNotEquals(e, Map.entry(e.getKey(), "other"));
                assertNotEquals(e, Map.entry(-1L, e.getValue()));
                assertNotEquals(e, "not an entry");
                assertEquals(expected.hashCode(), e.hashCode());
                assertEquals(expected.toString(), e.toString());
            }
            Map.Entry<Object, Object> first = entries.iterator().next();
            Object key = first.getKey();
            assertEquals(mapModel.put(key, "changed"), first.setValue("changed"));
            assertEquals("changed", first.getValue());
            assertEquals("changed", map.get(key));
            map.remove(key);
            assertThrows(IllegalStateException.class, () -> first.setValue("again"), "the entry was removed");
            entries.clear();
            assertTrue(map.isEmpty());

            Set<Object> setModel = new HashSet<>(Set.of(1L, "two"));
            SharedSet<Object> set = shm.share(new HashSet<>(setModel));
            assertEquals(setModel.retainAll(List.of(1L, "two", 3L)), set.retainAll(List.of(1L, "two", 3L)));
            assertEquals(setModel, set);
            assertEquals(setModel.retainAll(List.of(1L)), set.retainAll(List.of(1L)));
            assertEquals(setModel, set);
            assertArrayEquals(setModel.toArray(), set.toArray());
            assertArrayEquals(setModel.toArray(new Object[0]), set.toArray(new Object[0]));
            assertEquals(setModel.toString(), set.toString());

            // A set stored in a list is stored by reference: the list holds the same live set.
            list.add(set);
            @SuppressWarnings("unchecked")
            SharedSet<Object> again = (SharedSet<Object>) list.get(list.size() - 1);
            again.add("through the list");
            assertTrue(set.contains("through the list"));

            Map<String, Object> frozenModel = Map.of("rate", 0.5, "name", "x");
            map.put("frozen map", io.ipcobjects.FrozenMap.of(frozenModel));
            map.put("frozen set", io.ipcobjects.FrozenSet.of(Set.of("a", "b")));
            @SuppressWarnings("unchecked")
            Map<String, Object> frozenMap = (Map<String, Object>) map.get("frozen map");
            @SuppressWarnings("unchecked")
            Set<String> frozenSet = (Set<String>) map.get("frozen set");
            assertTrue(frozenMap.containsKey("rate"));
            assertFalse(frozenMap.containsKey("other"));
            assertEquals(frozenModel.entrySet(), frozenMap.entrySet());
            assertEquals(frozenModel, frozenMap);
            assertTrue(frozenSet.contains("a"));
            assertFalse(frozenSet.contains("c"));

            shm.destroy(list);
            shm.destroy(map);
            shm.destroy(set);
            assertEquals(empty.usedBytes(), shm.stats().usedBytes());
            shm.verify();
        }
    }

    // ---- destroyed and closed containers ----

    private static void assertDestroyed(String what, Runnable operation) {
        assertThrows(ObjectDestroyedException.class, operation::run, what);
    }

    @Test
    void everyOperationOnADestroyedContainerThrowsObjectDestroyed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            HeapStats empty = shm.stats();
            SharedList<Object> list = shm.share(new ArrayList<>(List.of(1L, 2.0, "three")));
            ListIterator<Object> listIterator = list.listIterator();
            listIterator.next();
            List<Object> subList = list.subList(0, 2);
            shm.destroy(list);
            for (boolean inScope : new boolean[] {false, true}) {
                try (Access a = inScope ? shm.acquire() : null) {
                    assertDestroyed("list.size", list::size);
                    assertDestroyed("list.get", () -> list.get(0));
                    assertDestroyed("list.getLong", () -> list.getLong(0));
                    assertDestroyed("list.getDouble", () -> list.getDouble(1));
                    assertDestroyed("list.set", () -> list.set(0, 5L));
                    assertDestroyed("list.setLong", () -> list.setLong(0, 5L));
                    assertDestroyed("list.setDouble", () -> list.setDouble(1, 5.0));
                    assertDestroyed("list.add", () -> list.add(4L));
                    assertDestroyed("list.add(int)", () -> list.add(0, 4L));
                    assertDestroyed("list.remove(int)", () -> list.remove(0));
                    assertDestroyed("list.clear", list::clear);
                    assertDestroyed("list.iterator", list::iterator);
                    assertDestroyed("list.listIterator(int)", () -> list.listIterator(1));
                    assertDestroyed("listIterator.next", listIterator::next);
                    assertDestroyed("listIterator.previous", listIterator::previous);
                    assertDestroyed("listIterator.remove", listIterator::remove);
                    assertDestroyed("listIterator.set", () -> listIterator.set(9L));
                    assertDestroyed("listIterator.add", () -> listIterator.add(9L));
                    assertDestroyed("subList.clear", subList::clear);
                }
            }
            SharedMap<Object, Object> map = shm.share(new HashMap<>(Map.of(1L, "one", 2L, "two")));
            Iterator<Map.Entry<Object, Object>> entries = map.entrySet().iterator();
            entries.next();
            SharedSet<Object> set = shm.share(new HashSet<>(Set.of(1L, 2L)));
            Iterator<Object> elements = set.iterator();
            elements.next();
            shm.destroy(map);
            shm.destroy(set);
            for (boolean inScope : new boolean[] {false, true}) {
                try (Access a = inScope ? shm.acquire() : null) {
                    assertDestroyed("map.size", map::size);
                    assertDestroyed("map.get", () -> map.get(1L));
                    assertDestroyed("map.containsKey", () -> map.containsKey(1L));
                    assertDestroyed("map.put", () -> map.put(3L, "three"));
                    assertDestroyed("map.set", () -> map.set(3L, "three"));
                    assertDestroyed("map.remove", () -> map.remove(1L));
                    assertDestroyed("map.clear", map::clear);
                    assertDestroyed("map.entrySet.iterator", () -> map.entrySet().iterator());
                    assertDestroyed("entries.hasNext", entries::hasNext);
                    assertDestroyed("entries.next", entries::next);
                    assertDestroyed("entries.remove", entries::remove);
                    assertDestroyed("set.size", set::size);
                    assertDestroyed("set.contains", () -> set.contains(1L));
                    assertDestroyed("set.add", () -> set.add(3L));
                    assertDestroyed("set.remove", () -> set.remove(1L));
                    assertDestroyed("set.clear", set::clear);
                    assertDestroyed("set.iterator", set::iterator);
                    assertDestroyed("elements.hasNext", elements::hasNext);
                    assertDestroyed("elements.next", elements::next);
                    assertDestroyed("elements.remove", elements::remove);
                }
            }
            assertEquals(empty.usedBytes(), shm.stats().usedBytes());
            shm.verify();
        }
    }

    /** The block before the header is free when it is destroyed: the header merges into it, its bytes left as they were. */
    @Test
    void aDestroyedContainerWhoseBlockMergedIntoAFreeNeighbourReadsAsDestroyed() {
        for (String kind : List.of("list", "map", "set")) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
                long neighbour = a.allocate(64);
                Object view = switch (kind) {
                    case "list" -> a.share(new ArrayList<>(List.of(1L)));
                    case "map" -> a.share(new HashMap<>(Map.of(1L, 2L)));
                    default -> a.share(new HashSet<>(Set.of(1L)));
                };
                assertTrue(header(view) > neighbour && header(view) - neighbour < 128, kind + ": the header follows the neighbour");
                a.free(neighbour);
                a.destroy(view);
                Collection<?> keys = (Collection<?>) (view instanceof Map<?, ?> m ? m.keySet() : view);
                assertDestroyed(kind + ".size", keys::size);
                assertDestroyed(kind + ".contains", () -> keys.contains(1L));
                a.verify();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationOnAClosedRegionsContainerThrowsRegionClosed() {
        SharedList<Object> list;
        SharedMap<Object, Object> map;
        SharedSet<Object> set;
        Map<Object, Object> frozen;
        Set<Object> frozenSet;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            list = shm.share(new ArrayList<>(List.of(1L, 2.0)));
            map = shm.share(new HashMap<>(Map.of(1L, 2L)));
            set = shm.share(new HashSet<>(Set.of(1L)));
            map.put("frozen", io.ipcobjects.FrozenMap.of(Map.of("k", "v")));
            map.put("frozen set", io.ipcobjects.FrozenSet.of(Set.of("k")));
            frozen = (Map<Object, Object>) map.get("frozen");
            frozenSet = (Set<Object>) map.get("frozen set");
            assertEquals("v", frozen.get("k"));
        }
        assertThrows(RegionClosedException.class, () -> list.getLong(0));
        assertThrows(RegionClosedException.class, () -> list.getDouble(1));
        assertThrows(RegionClosedException.class, () -> list.setLong(0, 1L));
        assertThrows(RegionClosedException.class, () -> list.setDouble(1, 1.0));
        assertThrows(RegionClosedException.class, () -> list.set(0, 1L));
        assertThrows(RegionClosedException.class, () -> list.add(1L));
        assertThrows(RegionClosedException.class, () -> map.containsKey(1L));
        assertThrows(RegionClosedException.class, map::size);
        assertThrows(RegionClosedException.class, () -> map.set(1L, 1L));
        assertThrows(RegionClosedException.class, () -> set.contains(1L));
        assertThrows(RegionClosedException.class, set::size);
        assertThrows(RegionClosedException.class, () -> frozen.get("k"), "a frozen view, even one decoded before");
        assertThrows(RegionClosedException.class, () -> frozenSet.contains("k"));
    }

    // ---- iterator changes after another change ----

    @Test
    void anIteratorsOwnChangesFailFastAfterAnotherChangeAndChangeNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            List<Object> initial = List.of("a", "b", "c", "d");
            Map<String, java.util.function.Consumer<ListIterator<Object>>> changes = new java.util.LinkedHashMap<>();
            changes.put("remove", ListIterator::remove);
            changes.put("set", it -> it.set("x"));
            changes.put("add", it -> it.add("x"));
            changes.put("previous", ListIterator::previous);
            changes.put("next", ListIterator::next);
            for (var change : changes.entrySet()) {
                SharedList<Object> list = shm.share(new ArrayList<>(initial));
                ListIterator<Object> it = list.listIterator();
                it.next();
                it.next();
                list.set(3, "D"); // not structural: the iterator goes on
                assertEquals("c", it.next(), change.getKey());
                it.previous();
                list.add("e");
                assertThrows(ConcurrentModificationException.class, () -> change.getValue().accept(it), change.getKey());
                assertEquals(List.of("a", "b", "c", "D", "e"), list, change.getKey() + " changed nothing");
                shm.destroy(list);
            }
            for (boolean isMap : new boolean[] {true, false}) {
                Object view = isMap ? shm.share(new HashMap<>(Map.of(1L, "one", 2L, "two"))) : shm.share(new HashSet<>(Set.of(1L, 2L)));
                Iterator<?> it = isMap ? castMap(view).entrySet().iterator() : castSet(view).iterator();
                it.next();
                if (isMap) {
                    castMap(view).put(3L, "three");
                } else {
                    castSet(view).add(3L);
                }
                assertThrows(ConcurrentModificationException.class, it::remove, isMap ? "map" : "set");
                assertEquals(3, ((Collection<?>) (isMap ? castMap(view).keySet() : castSet(view))).size(), "nothing removed");
                shm.destroy(view);
            }
            shm.verify();
        }
    }

    // ---- views of one container, each with its own cache ----

    @Test
    void aViewRevalidatesItsCachedTableAfterAnotherViewMovedOrGrewIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            RegionMemory memory = TestAccess.context(shm).memory();
            for (boolean isMap : new boolean[] {true, false}) {
                String kind = isMap ? "map" : "set";
                Object first = shm.put(kind, isMap ? new HashMap<>(Map.of(1L, "one", 2L, "two")) : new HashSet<>(Set.of(1L, 2L)));
                Object second = shm.get(kind);
                Collection<Object> firstKeys = isMap ? castMap(first).keySet() : castSet(first);
                Collection<Object> secondKeys = isMap ? castMap(second).keySet() : castSet(second);
                assertTrue(firstKeys.contains(1L), kind); // caches the table
                long h = header(first);
                long table = memory.getLong(h + HashLayout.TABLE_OFFSET);
                long capacity = memory.getLong(h + HashLayout.CAPACITY_OFFSET);
                secondKeys.clear(); // a fresh table of the same capacity
                assertNotEquals(table, memory.getLong(h + HashLayout.TABLE_OFFSET), kind);
                assertEquals(capacity, memory.getLong(h + HashLayout.CAPACITY_OFFSET), kind);
                Set<Object> model = new HashSet<>();
                for (long k = 10; k < 14; k++) {
                    if (isMap) {
                        castMap(first).put(k, "v" + k);
                    } else {
                        castSet(first).add(k);
                    }
                    model.add(k);
                }
                assertTrue(firstKeys.remove(11L), kind);
                model.remove(11L);
                assertEquals(model, new HashSet<>(secondKeys), kind + ": the first view wrote into the new table");
                shm.verify();
                for (long k = 100; k < 300; k++) { // the second view grows the table
                    if (isMap) {
                        castMap(second).put(k, "v" + k);
                    } else {
                        castSet(second).add(k);
                    }
                    model.add(k);
                }
                for (Object k : model) {
                    assertTrue(firstKeys.contains(k), kind + ": " + k + " found through the first view");
                }
                assertEquals(model, new HashSet<>(firstKeys), kind);
                shm.remove(kind);
            }
            shm.verify();
        }
    }

    // ---- list iterator ends, numbers in and out of a scope ----

    @Test
    void aListIteratorPastEitherEndThrowsNoSuchElement() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedList<Object> list = shm.share(new ArrayList<>(List.of("a", "b")));
            ListIterator<Object> it = list.listIterator();
            assertThrows(java.util.NoSuchElementException.class, it::previous, "before the first");
            assertEquals("a", it.next());
            assertEquals("b", it.next());
            assertThrows(java.util.NoSuchElementException.class, it::next, "after the last");
            assertEquals("b", it.previous());
            assertEquals("a", it.previous());
            assertThrows(java.util.NoSuchElementException.class, it::previous, "before the first again");
            ListIterator<Object> atEnd = list.listIterator(2);
            assertThrows(java.util.NoSuchElementException.class, atEnd::next);
            assertEquals("b", atEnd.previous());
            shm.destroy(list);
        }
    }

    @Test
    void numbersAreReadAndWrittenInPlaceInAndOutOfAScope() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedList<Object> list = shm.share(new ArrayList<>(List.of(1.5, 2.5f, 7L, "s")));
            for (boolean inScope : new boolean[] {false, true}) {
                try (Access a = inScope ? shm.acquire() : null) {
                    String what = inScope ? "in a scope" : "outside";
                    list.set(0, 1.5);
                    list.set(2, 7L);
                    assertEquals(1.5, list.getDouble(0), what);
                    assertEquals(2.5, list.getDouble(1), what + ": a float");
                    assertEquals(7L, list.getLong(2), what);
                    assertThrows(ClassCastException.class, () -> list.getDouble(3), what);
                    assertThrows(ClassCastException.class, () -> list.getLong(3), what);
                    list.setDouble(0, inScope ? -4.25 : 4.25);
                    list.setLong(2, inScope ? -9L : 9L);
                    assertEquals(inScope ? -4.25 : 4.25, list.getDouble(0), what);
                    assertEquals(inScope ? -9L : 9L, list.getLong(2), what);
                    assertEquals(inScope ? -4.25 : 4.25, list.get(0), what);
                    assertEquals(inScope ? -9L : 9L, list.get(2), what);
                }
            }
            shm.destroy(list);
            shm.verify();
        }
    }

    // ---- removing containers from a slot ----

    @Test
    @SuppressWarnings("unchecked")
    void aRemovedContainerComesBackLiveIfHeldElsewhereElseAsACopyThatSharesWhatItShared() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            HeapStats empty = shm.stats();
            SharedMap<Object, Object> holder = shm.share(new HashMap<>());
            holder.put("frozen map", io.ipcobjects.FrozenMap.of(Map.of("k", "v")));
            holder.put("frozen set", io.ipcobjects.FrozenSet.of(Set.of("e")));
            Object frozenMap = holder.remove("frozen map");
            assertInstanceOf(io.ipcobjects.FrozenMap.class, frozenMap);
            assertEquals(Map.of("k", "v"), frozenMap);
            Object frozenSet = holder.remove("frozen set");
            assertInstanceOf(io.ipcobjects.FrozenSet.class, frozenSet);
            assertEquals(Set.of("e"), frozenSet);

            // Held by two slots: the removal hands back the live list.
            holder.put("a", List.of(1L, 2L));
            SharedList<Object> live = (SharedList<Object>) holder.get("a");
            holder.put("b", live);
            Object removed = holder.remove("a");
            assertInstanceOf(SharedList.class, removed);
            ((SharedList<Object>) removed).add(3L);
            assertEquals(List.of(1L, 2L, 3L), holder.get("b"), "the same live list");

            // The last reference: a copy, in which a list reached twice is copied once.
            SharedList<Object> outer = (SharedList<Object>) holder.put("outer", new ArrayList<>());
            outer = (SharedList<Object>) holder.get("outer");
            outer.add(holder.get("b"));
            outer.add(holder.get("b"));
            holder.remove("b");
            Object copy = holder.remove("outer");
            assertInstanceOf(ArrayList.class, copy);
            List<Object> copied = (List<Object>) copy;
            assertEquals(List.of(List.of(1L, 2L, 3L), List.of(1L, 2L, 3L)), copied);
            assertInstanceOf(ArrayList.class, copied.get(0));
            assertSame(copied.get(0), copied.get(1), "the list both slots held is copied once");

            // Sets, maps and snapshots inside the copy are Java values too, readable after the free.
            List<Object> mixed = new ArrayList<>();
            mixed.add(new HashSet<>(Set.of("s")));
            mixed.add(new HashMap<>(Map.of("m", 1L)));
            mixed.add(io.ipcobjects.FrozenMap.of(Map.of("f", 2L)));
            mixed.add(io.ipcobjects.FrozenSet.of(Set.of("g")));
            holder.put("mixed", mixed);
            List<Object> mixedCopy = (List<Object>) holder.remove("mixed");
            assertFalse(mixedCopy.get(0) instanceof SharedSet<?>, "a copy, not a view of the freed set");
            assertFalse(mixedCopy.get(1) instanceof SharedMap<?, ?>, "a copy, not a view of the freed map");
            assertEquals(mixed, mixedCopy);

            // A container that holds itself below the removed one cannot be copied.
            holder.put("top", new ArrayList<>(List.of(new ArrayList<>())));
            SharedList<Object> top = (SharedList<Object>) holder.get("top");
            SharedList<Object> inner = (SharedList<Object>) top.get(0);
            inner.add(inner);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> holder.remove("top"));
            assertTrue(e.getMessage().contains("holds itself"), e.getMessage());
            assertTrue(holder.containsKey("top"), "the failed removal removed nothing");
            inner.remove(0);
            assertEquals(List.of(List.of()), holder.remove("top"));

            shm.destroy(holder);
            assertEquals(empty.usedBytes(), shm.stats().usedBytes());
            shm.verify();
        }
    }

    @Test
    void storingADestroyedViewIsRefused() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedMap<Object, Object> holder = shm.share(new HashMap<>());
            SharedList<Object> list = shm.share(new ArrayList<>(List.of(1L)));
            SharedSet<Object> set = shm.share(new HashSet<>(Set.of(1L)));
            shm.destroy(list);
            shm.destroy(set);
            HeapStats before = shm.stats();
            assertDestroyed("a list into a map", () -> holder.put("list", list));
            assertDestroyed("a set into a map", () -> holder.put("set", set));
            assertDestroyed("a list under a name", () -> shm.put("list", list));
            assertEquals(before, shm.stats());
            assertTrue(holder.isEmpty());
            // The destroyed list's header block now holds another list: the stale view still refers to nothing.
            SharedList<Object> other = shm.share(new ArrayList<>(List.of(2L)));
            assertEquals(header(list), header(other), "the block was reused");
            assertDestroyed("a stale view of a reused block", () -> holder.put("stale", list));
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) other), "no reference added to the other list");
            assertTrue(holder.isEmpty());
            shm.destroy(other);
            shm.destroy(holder);
            shm.verify();
        }
    }

    @Test
    void aReferenceCountAtTheLimitIsRefused() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedList<Object> list = a.share(new ArrayList<>(List.of(1L)));
            long references = header(list) + ContainerLayout.REFERENCES_OFFSET;
            memory.putLong(references, Containers.MAX_REFERENCES);
            assertThrows(io.ipcobjects.CorruptedRegionException.class, () -> a.put("again", list));
            assertEquals(Containers.MAX_REFERENCES, memory.getLong(references));
            memory.putLong(references, Containers.MAX_REFERENCES - 2);
            a.put("again", list);
            assertEquals(Containers.MAX_REFERENCES - 1, Containers.references(TestAccess.context(shm), (ContainerView) list));
            memory.putLong(references, 2);
            a.remove("again");
            a.verify();
        }
    }

    // ---- writes stay inside the container's own blocks ----

    @Test
    void aClearWritesNothingBeforeTheHeaderOfItsContainer() {
        for (boolean isMap : new boolean[] {true, false}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
                long guard = a.allocate(64);
                a.block(guard).fill((byte) 0x5A);
                Object view = isMap ? a.share(new HashMap<>(Map.of(1L, 2L, 3L, 4L))) : a.share(new HashSet<>(Set.of(1L, 3L)));
                long h = header(view);
                assertTrue(h > guard && h - guard < 128, "the header follows the guard block: " + guard + ", " + h);
                if (isMap) {
                    castMap(view).clear();
                } else {
                    castSet(view).clear();
                }
                byte[] bytes = a.block(guard).asSlice(0, 64).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                for (byte b : bytes) {
                    assertEquals((byte) 0x5A, b, "the guard block before the header is intact");
                }
                a.destroy(view);
                a.free(guard);
                a.verify();
            }
        }
    }

    // ---- a destruction too big for one undo log ----

    @Test
    void destroyingAContainerTooBigForTheUndoLogCommitsStepsAndNeverSpills() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            var undo = TestAccess.context(shm).memory().undoLog();
            HeapStats empty = a.stats();
            for (String kind : List.of("list", "map", "set")) {
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < 8000; i++) {
                    values.add("an element stored in a block of its own, number " + i);
                }
                Object view = switch (kind) {
                    case "list" -> a.share(values);
                    case "map" -> {
                        Map<Object, Object> m = new HashMap<>();
                        values.forEach(v -> m.put(v, (long) v.hashCode()));
                        yield a.share(m);
                    }
                    default -> a.share(new HashSet<>(values));
                };
                a.destroy(view);
                assertFalse(undo.holdsSpilledEntries(), kind + ": the destruction committed steps as it went");
                assertEquals(empty.usedBytes(), a.stats().usedBytes(), kind);
            }
            a.verify();
        }
    }

    @Test
    void aListEmptiedByRemovalsIsFreedWithItsElementBlock() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            HeapStats before = a.verify();
            // Destroyed directly, and released as the element of a list that is cleared.
            SharedList<Object> emptied = a.share(new ArrayList<>(List.of(1L, "a string in a blob of its own", 3L)));
            List<Object> values = new ArrayList<>();
            values.add(new ArrayList<>(List.of(4L, 5L)));
            SharedList<Object> holder = a.share(values);
            @SuppressWarnings("unchecked")
            SharedList<Object> inner = (SharedList<Object>) holder.get(0);
            for (SharedList<Object> list : List.of(emptied, inner)) {
                while (!list.isEmpty()) {
                    list.remove(0);
                }
                long header = ((ContainerView) list).offset();
                assertEquals(0, memory.getLong(header + ListLayout.SIZE_OFFSET));
                assertNotEquals(0, memory.getLong(header + ListLayout.ELEMENTS_OFFSET), "removals keep the element block");
            }
            a.destroy(emptied);
            holder.clear(); // its slot held the inner list's only reference
            a.destroy(holder);
            HeapStats after = a.verify();
            assertEquals(before.usedBytes(), after.usedBytes(), "every block freed");
            assertEquals(before.usedBlocks(), after.usedBlocks());
        }
    }
}
