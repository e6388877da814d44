package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fail-fast iterators of live lists, maps (key set, values, entry set) and sets after
 * removals: {@code remove}, {@code clear}, {@code removeIf}, {@code removeAll}, {@code retainAll}
 * count as structural changes, made through another view of the same object, in this process
 * or in another one between {@code hasNext()} and {@code next()}; the iterator's own
 * {@code remove()} does not make it fail.
 */
class IteratorFailFastTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** One way to change a container (given as its view) and which iterator of it must notice. */
    record Case(String description, String kind, Function<Object, Iterator<?>> iterator, Consumer<Object> change) {
        Object initial() {
            return switch (kind) {
                case "list" -> new ArrayList<>(List.of("a", "b", "c", "d"));
                case "map" -> new LinkedHashMap<>(Map.of("a", 1L, "b", 2L, "c", 3L, "d", 4L));
                default -> new HashSet<>(Set.of("a", "b", "c", "d"));
            };
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object view) {
        return (List<Object>) view;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object view) {
        return (Map<Object, Object>) view;
    }

    @SuppressWarnings("unchecked")
    private static Collection<Object> collection(Object view) {
        return (Collection<Object>) view;
    }

    /** Every removal of every container, each with each of the container's iterators. */
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Map<String, Function<Object, Iterator<?>>> listIterators = Map.of(
                "iterator", v -> list(v).iterator(), "listIterator", v -> list(v).listIterator());
        Map<String, Consumer<Object>> listChanges = new LinkedHashMap<>();
        listChanges.put("remove(Object)", v -> assertTrue(list(v).remove("d")));
        listChanges.put("remove(int)", v -> assertEquals("d", list(v).remove(3)));
        listChanges.put("clear", v -> list(v).clear());
        listChanges.put("removeIf", v -> assertTrue(list(v).removeIf("d"::equals)));
        listChanges.put("removeAll", v -> assertTrue(list(v).removeAll(List.of("d"))));
        listChanges.put("retainAll", v -> assertTrue(list(v).retainAll(List.of("a", "b"))));
        listChanges.put("subList.clear", v -> list(v).subList(2, 4).clear());
        listIterators.forEach((iteratorName, iterator) -> listChanges.forEach((changeName, change) ->
                cases.add(new Case("list." + iteratorName + " after " + changeName, "list", iterator, change))));

        Map<String, Function<Object, Iterator<?>>> mapIterators = Map.of(
                "keySet", v -> map(v).keySet().iterator(),
                "values", v -> map(v).values().iterator(),
                "entrySet", v -> map(v).entrySet().iterator());
        Map<String, Consumer<Object>> mapChanges = new LinkedHashMap<>();
        mapChanges.put("remove(key)", v -> assertEquals(4L, map(v).remove("d")));
        mapChanges.put("remove(key, value)", v -> assertTrue(map(v).remove("d", 4L)));
        mapChanges.put("clear", v -> map(v).clear());
        mapChanges.put("keySet.remove", v -> assertTrue(map(v).keySet().remove("d")));
        mapChanges.put("keySet.removeIf", v -> assertTrue(map(v).keySet().removeIf("d"::equals)));
        mapChanges.put("values.removeIf", v -> assertTrue(map(v).values().removeIf(x -> x.equals(4L))));
        mapChanges.put("entrySet.removeIf", v -> assertTrue(map(v).entrySet().removeIf(e -> e.getKey().equals("d"))));
        mapChanges.put("keySet.retainAll", v -> assertTrue(map(v).keySet().retainAll(Set.of("a"))));
        mapIterators.forEach((iteratorName, iterator) -> mapChanges.forEach((changeName, change) ->
                cases.add(new Case("map." + iteratorName + " after " + changeName, "map", iterator, change))));

        Map<String, Consumer<Object>> setChanges = new LinkedHashMap<>();
        setChanges.put("remove", v -> assertTrue(collection(v).remove("d")));
        setChanges.put("clear", v -> collection(v).clear());
        setChanges.put("removeIf", v -> assertTrue(collection(v).removeIf("d"::equals)));
        setChanges.put("removeAll", v -> assertTrue(collection(v).removeAll(List.of("d"))));
        setChanges.put("retainAll", v -> assertTrue(collection(v).retainAll(List.of("a"))));
        setChanges.forEach((changeName, change) ->
                cases.add(new Case("set.iterator after " + changeName, "set", v -> collection(v).iterator(), change)));
        return cases;
    }

    @Test
    void everyRemovalThroughAnotherViewFailsTheIteratorInThisProcess() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            List<Case> cases = cases();
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String name = "case-" + i;
                Object iterated = shm.put(name, c.initial());
                Object other = shm.get(name); // a second view of the same shared object
                assertNotSame(iterated, other);
                Iterator<?> it = c.iterator().apply(iterated);
                assertTrue(it.hasNext(), c.description());
                it.next();
                c.change().accept(other);
                assertThrows(ConcurrentModificationException.class, it::next, c.description());
                shm.remove(name);
            }
            shm.verify();
        }
    }

    @Test
    void aRemovalThroughTheSameViewFailsItsOtherIterators() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            for (Case c : cases()) {
                Object view = a.share(c.initial());
                Iterator<?> it = c.iterator().apply(view);
                it.next();
                c.change().accept(view);
                assertThrows(ConcurrentModificationException.class, it::next, c.description());
                a.destroy(view);
            }
            a.verify();
        }
    }

    @Test
    void theIteratorsOwnRemoveDoesNotFailItButAnotherIteratorsDoes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Map<String, Function<Object, Iterator<?>>> iterators = new LinkedHashMap<>();
            iterators.put("list", v -> list(v).iterator());
            iterators.put("list.listIterator", v -> list(v).listIterator());
            iterators.put("map.keySet", v -> map(v).keySet().iterator());
            iterators.put("map.values", v -> map(v).values().iterator());
            iterators.put("map.entrySet", v -> map(v).entrySet().iterator());
            iterators.put("set", v -> collection(v).iterator());
            iterators.forEach((description, iterator) -> {
                String kind = description.substring(0, description.indexOf('.') < 0 ? description.length() : description.indexOf('.'));
                Object view = shm.share(new Case(description, kind, iterator, v -> { }).initial());
                Iterator<?> other = iterator.apply(view);
                other.next();
                Iterator<?> it = iterator.apply(view);
                int seen = 0;
                while (it.hasNext()) {
                    it.next();
                    seen++;
                    if (seen % 2 == 0) {
                        it.remove(); // no ConcurrentModificationException for its own removal
                    }
                }
                assertEquals(4, seen, description + ": the iteration went on to the end");
                assertEquals(2, ((Collection<?>) (view instanceof Map<?, ?> m ? m.keySet() : view)).size(), description);
                assertThrows(ConcurrentModificationException.class, other::next, description + ": the other iterator noticed");
                shm.destroy(view);
            });
            shm.verify();
        }
    }

    // ---- another process changes the container between hasNext() and next() ----

    /**
     * args: region name, signal directory. For each case i in turn: waits for {@code go-i},
     * applies its change to the named object {@code case-i}, signals {@code done-i}.
     */
    public static final class Changer {
        public static void main(String[] args) {
            Path dir = Path.of(args[1]);
            List<Case> cases = cases();
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                for (int i = 0; i < cases.size(); i++) {
                    ReadySignal.await(dir.resolve("go-" + i), TIMEOUT);
                    cases.get(i).change().accept(shm.get("case-" + i));
                    ReadySignal.signal(dir.resolve("done-" + i));
                }
            }
            System.out.println("changed=" + cases.size());
        }
    }

    @Test
    void everyRemovalByAnotherProcessBetweenHasNextAndNextFailsTheIterator() throws Exception {
        String name = regions.newName();
        Path dir = regions.newPath("fail-fast");
        Files.createDirectories(dir);
        List<Case> cases = cases();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20);
             ChildJvm child = ChildJvm.start(Changer.class, name, dir.toString())) {
            List<Iterator<?>> iterators = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                iterators.add(cases.get(i).iterator().apply(shm.put("case-" + i, cases.get(i).initial())));
            }
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                Iterator<?> it = iterators.get(i);
                it.next();
                assertTrue(it.hasNext(), c.description());
                ReadySignal.signal(dir.resolve("go-" + i));
                ReadySignal.await(dir.resolve("done-" + i), TIMEOUT, child);
                assertThrows(ConcurrentModificationException.class, it::next, c.description());
            }
            ChildJvm.Result r = child.awaitSuccess(TIMEOUT);
            assertEquals(Integer.toString(cases.size()), r.value("changed"), r.describe());
            shm.verify();
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
