package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Live containers between real processes: changes are seen, iterators notice, nesting holds. */
class CrossProcessContainersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The children read the parent's records: they allow those classes. */
    private static final SharedMemoryOptions READER = SharedMemoryOptions.defaults()
            .withAllowedClasses(SomeSharedObject.class, CompanyInfo.class, Employee.class);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The original's example, as records: what process A shares and process B changes. */
    public record Employee(String name, int age, List<String> skills) {
    }

    public record CompanyInfo(String name, List<Double> metrics, List<String> employeeNames, Map<String, Object> departments,
                              Employee ceo) {
    }

    public record SomeSharedObject(int someInt, String someStr, Map<Object, Object> someDict, CompanyInfo companyInfo) {
    }

    static SomeSharedObject example() {
        Map<Object, Object> dict = new HashMap<>();
        dict.put("key1", 1);
        dict.put("key2", "two");
        dict.put(List.of("tuple", 1), 3.0);
        Map<String, Object> departments = new HashMap<>();
        departments.put("research", new ArrayList<>(List.of("ann", "bob")));
        departments.put("budget", 1_000_000L);
        CompanyInfo company = new CompanyInfo("ACME", new ArrayList<>(List.of(1.5, 2.5, 3.5)), new ArrayList<>(List.of("ann", "bob")),
                departments, new Employee("carol", 52, new ArrayList<>(List.of("strategy"))));
        return new SomeSharedObject(42, "shared", dict, company);
    }

    /** Process B: takes the object and changes one nested field per step, waiting for A to look each time. */
    public static final class ChangingChild {
        public static void main(String[] args) {
            Path dir = Path.of(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, READER)) {
                SomeSharedObject object;
                try (Access a = shm.acquire()) {
                    object = TestRoot.read(a);
                }
                System.out.println("someInt=" + object.someInt());
                List<Runnable> steps = List.of(
                        () -> object.someDict().put("key1", 100),
                        () -> object.someDict().put(List.of("tuple", 1), "replaced"),
                        () -> object.someDict().put(List.of("tuple", 2), List.of("new", "list")),
                        () -> object.companyInfo().metrics().set(0, 9.75),
                        () -> object.companyInfo().employeeNames().add("dave"),
                        () -> ((List<String>) object.companyInfo().departments().get("research")).remove("bob"),
                        () -> object.companyInfo().departments().put("ceo", new Employee("erin", 40, List.of("x"))),
                        () -> object.companyInfo().ceo().skills().add("turnarounds"));
                for (int i = 0; i < steps.size(); i++) {
                    steps.get(i).run(); // each view call takes the lock for itself
                    ReadySignal.signal(dir.resolve("step-" + i));
                    ReadySignal.await(dir.resolve("seen-" + i), TIMEOUT);
                }
                System.out.println("steps=" + steps.size());
            }
        }
    }

    @Test
    void processBChangesNestedFieldsAndProcessASeesEachChange() throws Exception {
        String name = regions.newName();
        Path dir = regions.newPath("values-steps");
        java.nio.file.Files.createDirectories(dir);
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            SomeSharedObject mine;
            try (Access a = shm.acquire()) {
                TestRoot.publish(a, example());
                mine = TestRoot.read(a);
            }
            assertInstanceOf(SharedMap.class, mine.someDict());
            try (ChildJvm child = ChildJvm.start(ChangingChild.class, name, dir.toString())) {
                List<Runnable> checks = List.of(
                        () -> assertEquals(100, mine.someDict().get("key1")),
                        () -> assertEquals("replaced", mine.someDict().get(List.of("tuple", 1))),
                        () -> assertEquals(List.of("new", "list"), mine.someDict().get(new ArrayList<>(List.of("tuple", 2)))),
                        () -> assertEquals(List.of(9.75, 2.5, 3.5), mine.companyInfo().metrics()),
                        () -> assertEquals(List.of("ann", "bob", "dave"), mine.companyInfo().employeeNames()),
                        () -> assertEquals(List.of("ann"), mine.companyInfo().departments().get("research")),
                        () -> assertEquals(new Employee("erin", 40, List.of("x")), mine.companyInfo().departments().get("ceo")),
                        () -> assertEquals(List.of("strategy", "turnarounds"), mine.companyInfo().ceo().skills()));
                for (int i = 0; i < checks.size(); i++) {
                    ReadySignal.await(dir.resolve("step-" + i), TIMEOUT, child);
                    checks.get(i).run();
                    ReadySignal.signal(dir.resolve("seen-" + i));
                }
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals("42", result.value("someInt"));
                assertEquals("8", result.value("steps"));
            }
            try (Access a = shm.acquire()) {
                SomeSharedObject fresh = TestRoot.read(a);
                assertEquals(mine, fresh);
                assertEquals(42, fresh.someInt());
                a.verify();
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Path p : files.toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Adds one element to the shared list and one entry to the shared map, then exits. */
    public static final class StructuralChangeChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, READER); Access a = shm.acquire()) {
                Map<String, Object> root = TestRoot.read(a);
                ((List<Object>) root.get("list")).add("from child");
                ((Map<String, Object>) root.get("map")).put("child", 1);
                System.out.println("changed=yes");
            }
        }
    }

    @Test
    void iteratorsFailFastWhenAnotherProcessChangesTheContainer() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            SharedList<Object> list;
            SharedMap<String, Object> map;
            try (Access a = shm.acquire()) {
                TestRoot.publish(a, new HashMap<>(Map.of("list", List.of(1, 2, 3), "map", Map.of("a", 1, "b", 2))));
                Map<String, Object> root = TestRoot.read(a);
                list = (SharedList<Object>) root.get("list");
                map = (SharedMap<String, Object>) root.get("map");
            }
            Iterator<Object> listIterator = list.iterator();
            assertEquals(1, listIterator.next());
            Iterator<Map.Entry<String, Object>> mapIterator = map.entrySet().iterator();
            mapIterator.next();
            try (ChildJvm child = ChildJvm.start(StructuralChangeChild.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
            }
            assertThrows(ConcurrentModificationException.class, listIterator::next);
            assertThrows(ConcurrentModificationException.class, mapIterator::next);
            assertEquals(List.of(1, 2, 3, "from child"), list);
            assertEquals(Map.of("a", 1, "b", 2, "child", 1), map);
        }
    }

    /** Grows a list far past its capacity while the parent holds a view with a cached element block. */
    public static final class GrowingChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, READER); Access a = shm.acquire()) {
                List<Object> list = (List<Object>) TestRoot.<Map<String, Object>>read(a).get("list");
                for (int i = 0; i < 10_000; i++) {
                    list.add((long) i);
                }
                System.out.println("size=" + list.size());
            }
        }
    }

    @Test
    void aViewRevalidatesItsCachedBlockAfterAnotherProcessGrewTheList() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            SharedList<Object> list;
            try (Access a = shm.acquire()) {
                TestRoot.publish(a, new HashMap<>(Map.of("list", List.of(-1L))));
                list = (SharedList<Object>) TestRoot.<Map<String, Object>>read(a).get("list");
                assertEquals(-1L, list.get(0)); // caches the one-slot element block
            }
            try (ChildJvm child = ChildJvm.start(GrowingChild.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals("10001", result.value("size"));
            }
            try (Access a = shm.acquire()) {
                assertEquals(10_001, list.size());
                for (int i = 0; i < 10_000; i++) {
                    assertEquals(i, list.getLong(i + 1));
                }
                a.verify();
            }
        }
    }
}
