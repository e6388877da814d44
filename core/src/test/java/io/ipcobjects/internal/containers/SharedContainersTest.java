package io.ipcobjects.internal.containers;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.HeapStats;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedSet;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The java.util contracts of the views, in one process (other processes: {@link CrossProcessContainersTest}). */
class SharedContainersTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void listBehavesLikeArrayList() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedList<Object> shared = shm.share(new ArrayList<>());
            List<Object> plain = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Object v = i % 3 == 0 ? "s" + i : i % 3 == 1 ? (Object) (long) i : null;
                shared.add(v);
                plain.add(v);
            }
            shared.add(5, "inserted");
            plain.add(5, "inserted");
            assertEquals(plain.remove(7), shared.remove(7));
            assertEquals(plain.set(9, 9.5), shared.set(9, 9.5));
            assertTrue(shared.remove("s3"));
            plain.remove("s3");
            assertEquals(plain, shared);
            assertEquals(shared, plain);
            assertEquals(plain.hashCode(), shared.hashCode());
            assertEquals(plain.toString(), shared.toString());
            assertEquals(plain.indexOf(null), shared.indexOf(null));
            assertEquals(plain.lastIndexOf(null), shared.lastIndexOf(null));
            assertTrue(shared.contains("s99"));
            assertArrayEquals(plain.toArray(), shared.toArray());

            for (Iterator<Object> it = shared.iterator(); it.hasNext(); ) {
                if (it.next() == null) {
                    it.remove();
                }
            }
            plain.removeIf(v -> v == null);
            assertEquals(plain, shared);

            ListIterator<Object> li = shared.listIterator(2);
            li.next();
            li.set("set-by-iterator");
            li.add("added-by-iterator");
            assertEquals("added-by-iterator", li.previous());
            ListIterator<Object> pi = plain.listIterator(2);
            pi.next();
            pi.set("set-by-iterator");
            pi.add("added-by-iterator");
            assertEquals(plain, shared);

            List<Object> sub = shared.subList(3, 10);
            assertEquals(plain.subList(3, 10), sub);
            sub.clear();
            plain.subList(3, 10).clear();
            assertEquals(plain, shared);
            assertThrows(IndexOutOfBoundsException.class, () -> shared.get(shared.size()));
            assertThrows(IndexOutOfBoundsException.class, () -> shared.add(-1, 1));

            shared.setLong(0, 77);
            assertEquals(77L, shared.get(0));
            assertEquals(77, shared.getLong(0));
            shared.setDouble(1, -0.0);
            assertEquals(-0.0, shared.getDouble(1));
            assertThrows(ClassCastException.class, () -> shared.getLong(1));

            Iterator<Object> stale = shared.iterator();
            shared.add("structural change");
            assertThrows(ConcurrentModificationException.class, stale::next);
            shared.clear();
            assertTrue(shared.isEmpty());
            assertEquals(List.of(), shared);
            shm.verify();
        }
    }

    @Test
    void mapBehavesLikeHashMap() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            SharedMap<Object, Object> shared = shm.share(new HashMap<>());
            Map<Object, Object> plain = new HashMap<>();
            for (int i = 0; i < 2000; i++) {
                Object key = i % 4 == 0 ? "key" + i : i % 4 == 1 ? (Object) i : i % 4 == 2 ? List.of("t", i) : (long) i;
                assertEquals(plain.put(key, i * 2), shared.put(key, i * 2));
            }
            assertEquals(plain.put(null, "null key"), shared.put(null, "null key"));
            assertEquals(plain.put("null value", null), shared.put("null value", null));
            assertTrue(shared.containsKey("null value"));
            assertTrue(shared.containsKey(null));
            for (int i = 0; i < 2000; i += 3) {
                Object key = i % 4 == 0 ? "key" + i : i % 4 == 1 ? (Object) i : i % 4 == 2 ? List.of("t", i) : (long) i;
                assertEquals(plain.remove(key), shared.remove(key));
            }
            assertEquals(plain.size(), shared.size());
            assertEquals(plain, shared);
            assertEquals(shared, plain);
            assertEquals(plain.hashCode(), shared.hashCode());
            assertEquals(new HashMap<>(plain).keySet(), shared.keySet());
            assertTrue(shared.containsValue(4));
            assertTrue(shared.entrySet().contains(Map.entry("key4", 8)));

            for (Map.Entry<Object, Object> e : shared.entrySet()) {
                if (e.getValue() instanceof Integer v && v % 5 == 0) {
                    e.setValue(-v);
                }
            }
            plain.replaceAll((k, v) -> v instanceof Integer i && i % 5 == 0 ? -i : v);
            assertEquals(plain, shared);
            shared.keySet().removeIf(k -> k instanceof Long);
            plain.keySet().removeIf(k -> k instanceof Long);
            assertEquals(plain, shared);
            shared.values().removeIf(v -> v == null);
            plain.values().removeIf(v -> v == null);
            assertEquals(plain, shared);

            Map<String, Object> small = shm.share(new LinkedHashMap<>(Map.of("a", 1)));
            assertEquals("{a=1}", small.toString());

            Iterator<Map.Entry<Object, Object>> stale = shared.entrySet().iterator();
            shared.put("brand new", 1);
            assertThrows(ConcurrentModificationException.class, stale::next);
            shared.clear();
            assertTrue(shared.isEmpty());
            shm.verify();
        }
    }

    @Test
    void setBehavesLikeHashSet() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedSet<Object> shared = shm.share(new HashSet<>());
            Set<Object> plain = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                Object e = i % 2 == 0 ? "e" + i : (Object) i;
                assertEquals(plain.add(e), shared.add(e));
                assertEquals(plain.add(e), shared.add(e));
            }
            assertEquals(plain.add(null), shared.add(null));
            assertTrue(shared.contains(null));
            assertEquals(plain.remove("e4"), shared.remove("e4"));
            assertEquals(plain.remove("absent"), shared.remove("absent"));
            assertEquals(plain, shared);
            assertEquals(shared, plain);
            assertEquals(plain.hashCode(), shared.hashCode());
            shared.removeIf(e -> e instanceof Integer i && i % 3 == 0);
            plain.removeIf(e -> e instanceof Integer i && i % 3 == 0);
            assertEquals(plain, shared);
            assertTrue(shared.retainAll(new HashSet<>(List.of("e2", 1, 5))));
            plain.retainAll(new HashSet<>(List.of("e2", 1, 5)));
            assertEquals(plain, shared);
            shm.verify();
        }
    }

    @Test
    void nestedContainersAreLiveViewsAndViewsOfThisRegionAreStoredByReference() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            Map<String, Object> plain = new HashMap<>();
            plain.put("lists", List.of(new HashMap<>(Map.of("x", new ArrayList<>(List.of(1, 2))))));
            SharedMap<String, Object> map = a.share(plain);
            SharedList<Object> lists = (SharedList<Object>) map.get("lists");
            SharedMap<String, Object> inner = (SharedMap<String, Object>) lists.get(0);
            SharedList<Object> xs = (SharedList<Object>) inner.get("x");
            xs.add(3);
            assertEquals(List.of(1, 2, 3), ((Map<?, ?>) ((List<?>) map.get("lists")).get(0)).get("x"));

            map.put("same x", xs); // a reference, not a copy
            ((List<Object>) map.get("same x")).add(4);
            assertEquals(List.of(1, 2, 3, 4), xs);
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) xs));
            inner.remove("x"); // one reference left: it lives on under "same x"
            assertEquals(List.of(1, 2, 3, 4), map.get("same x"));

            try (SharedMemory other = SharedMemory.create(regions.newName(), 1 << 20)) {
                SharedList<Object> foreign = other.share(new ArrayList<>(List.of("from", "elsewhere")));
                map.put("copied", foreign); // another region's view: copied
                foreign.add("later");
                assertEquals(List.of("from", "elsewhere"), map.get("copied"));
            }
        }
    }

    @Test
    void removedContainersComeBackAsCopiesAndDestroyedViewsFail() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            HeapStats empty = shm.stats();
            SharedMap<String, Object> map = shm.share(new HashMap<>(Map.of("l", List.of(1, Map.of("k", "v")))));
            SharedList<?> live = (SharedList<?>) map.get("l");
            Object removed = map.remove("l");
            assertEquals(ArrayList.class, removed.getClass());
            assertEquals(List.of(1, Map.of("k", "v")), removed);
            assertThrows(IllegalStateException.class, live::size, "the removed list was freed");
            shm.destroy(map);
            assertThrows(IllegalStateException.class, () -> map.get("x"));
            assertThrows(IllegalStateException.class, () -> shm.destroy(map));
            assertEquals(empty.usedBytes(), shm.stats().usedBytes());
        }
    }

    @Test
    void snapshotsAreReadOnlyCopiesReadWithoutTheLock() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            HeapStats empty = shm.stats();
            Map<String, Object> config = new HashMap<>(Map.of("rate", 0.5, "names", List.of("a", "b"), "nested", Map.of("k", 1)));
            SharedMap<String, Object> holder = shm.share(new HashMap<>());
            holder.put("config", FrozenMap.of(config));
            holder.put("tags", FrozenSet.of(Set.of("x", "y")));
            FrozenMap<String, Object> frozen = (FrozenMap<String, Object>) holder.get("config");
            assertEquals(config, frozen);
            assertEquals(0.5, frozen.get("rate"));
            assertThrows(UnsupportedOperationException.class, () -> frozen.put("rate", 1.0));
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) frozen.get("names")).add("c"));
            FrozenSet<String> tags = (FrozenSet<String>) holder.get("tags");
            assertEquals(Set.of("x", "y"), tags);
            assertThrows(UnsupportedOperationException.class, () -> tags.add("z"));
            assertEquals(Arrays.asList(0.5), List.of(frozen.get("rate")));
            shm.destroy(holder);
            assertThrows(IllegalStateException.class, () -> frozen.get("rate"));
            assertEquals(empty.usedBytes(), shm.stats().usedBytes());
        }
    }

    @Test
    void viewsOfAClosedRegionThrowRegionClosed() {
        SharedList<Object> list;
        SharedMap<Object, Object> map;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            list = shm.share(new ArrayList<>(List.of(1)));
            map = shm.share(new HashMap<>(Map.of(1, 2)));
        }
        assertThrows(RegionClosedException.class, () -> list.get(0));
        assertThrows(RegionClosedException.class, list::size);
        assertThrows(RegionClosedException.class, () -> map.get(1));
        assertThrows(RegionClosedException.class, () -> map.put(1, 1));
    }

    @Test
    void destroyingANestedObject100kTimesReturnsEveryByte() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            HeapStats before = a.stats();
            for (int i = 0; i < 100_000; i++) {
                Map<String, Object> object = new HashMap<>();
                object.put("id", i);
                object.put("name", "object " + i);
                object.put("list", List.of(1L, "two", List.of(3.0, Map.of("four", 4))));
                object.put(List.of("tuple", i).toString(), new Object[] {i, "x"});
                SharedMap<String, Object> shared = a.share(object);
                a.destroy(shared);
            }
            assertEquals(before.usedBytes(), a.stats().usedBytes());
            assertEquals(before.usedBlocks(), a.stats().usedBlocks());
            a.verify();
        }
    }
}
