package io.ipcobjects.internal.codec;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.testing.TestRegions;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The type sweep: every supported type round-trips exactly, alone, inside containers and as keys. */
class ValueTypesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    enum Color { RED, GREEN { @Override public String toString() { return "green!"; } } }

    record Point(int x, int y) {
    }

    record Labelled(String label, List<Object> items, Map<String, Object> attributes, Point at) {
    }

    static final class Account {
        private String owner;
        private long balance;
        private final List<String> tags;
        private Point home;

        private Account() {
            tags = null;
        }

        Account(String owner, long balance, List<String> tags, Point home) {
            this.owner = owner;
            this.balance = balance;
            this.tags = tags;
            this.home = home;
        }
    }

    static List<Object> everyType() {
        char[] chars = {'a', '\uD83D', '\uDE00', 'z'};
        return Arrays.asList(null, true, false, (byte) -128, (short) 32767, Integer.MIN_VALUE, Long.MIN_VALUE, 'q',
                '\uDBFF', Float.NaN, -0.0f, Double.NaN, -0.0, 1e300, 1e-300,
                new BigInteger("-123456789012345678901234567890"), BigInteger.ZERO, new BigDecimal("1.500"),
                new BigDecimal("-0.000000000001"), new BigDecimal("1E+10"), "", "ascii", "\u00e9t\u00e9",
                "emoji \uD83D\uDE00 \u4e2d\u6587", new byte[] {1, -2, 3}, new byte[0], chars,
                Instant.ofEpochSecond(-1_000_000_000L, 999_999_999), Instant.MAX, LocalDate.of(-9999, 1, 31),
                LocalTime.of(23, 59, 59, 1), LocalDateTime.of(2025, 3, 30, 2, 30, 0, 5),
                OffsetDateTime.of(2024, 2, 29, 12, 0, 0, 7, ZoneOffset.ofHoursMinutes(-9, -30)),
                ZonedDateTime.of(2025, 10, 26, 2, 30, 0, 0, ZoneId.of("Europe/Paris")).withLaterOffsetAtOverlap(),
                ZonedDateTime.of(2025, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), Duration.ofSeconds(-5, 3), Period.of(1, -2, 30),
                ZoneOffset.ofHours(14), ZoneId.of("America/New_York"), ZoneId.of("UTC"), new UUID(0x1234_5678_9abc_def0L, -42L), Color.RED,
                Color.GREEN, new Object[] {1, "two", null, new Object[] {3L}}, new Point(3, -4),
                new Labelled("l", List.of(1, "x"), Map.of("k", 2.5), new Point(0, 0)));
    }

    private static void assertSameValue(Object expected, Object actual, String where) {
        if (expected == null) {
            assertNull(actual, where);
            return;
        }
        assertNotNull(actual, where);
        if (expected instanceof byte[] b) {
            assertArrayEquals(b, (byte[]) actual, where);
        } else if (expected instanceof char[] c) {
            assertArrayEquals(c, (char[]) actual, where);
        } else if (expected instanceof Object[] a) {
            assertEquals(Object[].class, actual.getClass(), where);
            assertTrue(Arrays.deepEquals(a, (Object[]) actual), where + ": " + Arrays.deepToString((Object[]) actual));
        } else if (expected instanceof Double d) {
            assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) actual), where);
        } else if (expected instanceof Float f) {
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits((Float) actual), where);
        } else {
            assertEquals(expected, actual, where);
        }
        if (expected instanceof Enum<?> e) {
            assertSame(e, actual, where);
        } else if (!(expected instanceof Labelled)) {
            assertEquals(expected.getClass(), actual.getClass(), where);
        }
        if (expected instanceof BigDecimal d) {
            assertEquals(d.scale(), ((BigDecimal) actual).scale(), where);
        }
        if (expected instanceof ZonedDateTime z) {
            assertEquals(z.getZone(), ((ZonedDateTime) actual).getZone(), where);
            assertEquals(z.getOffset(), ((ZonedDateTime) actual).getOffset(), where);
        }
    }

    @Test
    void everyTypeRoundTripsInASlotAListAndAMapThenFreesEverything() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(TestAccess.context(shm), slot, null);
            HeapStats before = a.stats();
            for (Object value : everyType()) {
                ValueSlots.write(TestAccess.context(shm), slot, value);
                assertSameValue(value, ValueSlots.read(TestAccess.context(shm), slot), "slot " + value);
            }
            ValueSlots.destroy(TestAccess.context(shm), slot);

            SharedList<Object> list = a.share(everyType());
            SharedMap<String, Object> map = a.share(new HashMap<>());
            List<Object> expected = everyType();
            for (int i = 0; i < expected.size(); i++) {
                map.put("k" + i, expected.get(i));
            }
            for (int i = 0; i < expected.size(); i++) {
                assertSameValue(expected.get(i), list.get(i), "list element " + i);
                assertSameValue(expected.get(i), map.get("k" + i), "map value " + i);
            }
            Labelled labelled = (Labelled) list.get(list.size() - 1);
            assertInstanceOf(SharedList.class, labelled.items(), "a record's list field comes back live");
            assertInstanceOf(SharedMap.class, labelled.attributes());
            a.destroy(list);
            a.destroy(map);
            assertEquals(Set.of(Point.class.getName(), Labelled.class.getName()), Set.copyOf(a.registeredTypes()),
                    "one type entry per record class, however often stored");
            assertEquals(2, a.registeredTypes().size());
            assertEquals(before.usedBytes() + TestAccess.types(shm).bytes(), a.stats().usedBytes(),
                    "everything but the record class's type entry was freed");
            a.verify();
        }
    }

    @Test
    void keysOfEveryHashableTypeAreFoundWithEqualButDistinctInstances() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            SharedMap<Object, Integer> map = a.share(new HashMap<>());
            List<Object> keys = new ArrayList<>(everyType());
            keys.removeIf(k -> k instanceof Labelled); // its map/list fields are frozen as a key: tested below
            keys.add(List.of(1, "a", List.of(2L)));
            keys.add(Map.of("x", 1));
            keys.add(java.util.Set.of(1, 2, 3));
            for (int i = 0; i < keys.size(); i++) {
                map.put(keys.get(i), i);
            }
            assertEquals(keys.size(), map.size());
            List<Object> copies = new ArrayList<>(everyType()); // new instances, equal content
            copies.removeIf(k -> k instanceof Labelled);
            for (int i = 0; i < copies.size(); i++) {
                Object probe = copies.get(i);
                assertEquals(i, map.get(probe), "key " + probe);
            }
            assertEquals(keys.size() - 3, map.get(new ArrayList<>(List.of(1, "a", new LinkedList<>(List.of(2L))))));
            assertEquals(keys.size() - 2, map.get(new HashMap<>(Map.of("x", 1))));
            assertEquals(keys.size() - 1, map.get(new java.util.TreeSet<>(List.of(3, 2, 1))));

            // Integer 1, Long 1, Short 1 and Double 1.0 are four different keys, as in HashMap
            map.put(1, 10);
            map.put(1L, 11);
            map.put((short) 1, 12);
            map.put(1.0, 13);
            assertEquals(10, map.get(1));
            assertEquals(11, map.get(1L));
            assertEquals(12, map.get((short) 1));
            assertEquals(13, map.get(1.0));
            assertNull(map.get((byte) 1));
            assertNull(map.get(new BigDecimal("1.50")), "BigDecimal keys keep their scale");
            assertNull(map.get(new StringBuilder("x")), "an unstorable key is simply absent");

            Object listKey = map.keySet().stream().filter(k -> k instanceof List<?> l && l.size() == 3).findFirst().orElseThrow();
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) listKey).add(1),
                    "a List key comes back unmodifiable");
            a.verify();
        }
    }

    @Test
    void userClassesAreCopiedFieldByField() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>());
            list.add(new Account("ann", 42, List.of("a", "b"), new Point(1, 2)));
            Account back = (Account) list.get(0);
            assertEquals("ann", back.owner);
            assertEquals(42, back.balance);
            assertEquals(List.of("a", "b"), back.tags);
            assertInstanceOf(SharedList.class, back.tags);
            assertEquals(new Point(1, 2), back.home);
            assertNotSame(back, list.get(0), "copy mode: a new instance on every read");
        }
    }

    static final class NoDefaultConstructor {
        final int x;

        NoDefaultConstructor(int x) {
            this.x = x;
        }
    }

    record WithConcreteField(ArrayList<String> names) {
    }

    @Test
    void unsupportedValuesAnywhereLeaveTheRegionUnchanged() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>(List.of("kept", 1)));
            SharedMap<Object, Object> map = a.share(new HashMap<>(Map.of("kept", List.of(1, 2))));
            HeapStats before = a.stats();
            List<Object> bad = List.of(new StringBuilder("sb"), new Thread(), Optional.of(1),
                    new String[] {"s"}, new ArrayBlockingQueue<>(1), new NoDefaultConstructor(1),
                    new WithConcreteField(new ArrayList<>()), (Runnable) () -> { });
            for (Object value : bad) {
                List<Object> nested = new ArrayList<>(List.of("a", "b", Map.of("x", List.of("deep", "er"))));
                nested.add(value);
                UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> list.add(nested));
                assertTrue(e.getMessage().contains(value.getClass().getName()), e.getMessage());
                assertThrows(UnsupportedTypeException.class, () -> map.put("new", Map.of("k", nested)));
                assertThrows(UnsupportedTypeException.class, () -> map.put("kept", value));
                assertThrows(UnsupportedTypeException.class, () -> list.set(0, new Object[] {"x", value}));
                assertEquals(before, a.stats(), "after " + value.getClass());
            }
            assertThrows(UnsupportedTypeException.class, () -> map.put(new Account("a", 1, List.of(), null), 1),
                    "a user class is no key");
            assertEquals(List.of("kept", 1), list);
            assertEquals(Map.of("kept", List.of(1, 2)), map);
            assertEquals(before, a.stats());
            a.verify();
        }
    }

    @Test
    void deepNestingAndNullsInsideContainers() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            Object nested = "leaf";
            for (int i = 0; i < 100; i++) {
                Map<String, Object> level = new HashMap<>();
                level.put("down", i % 2 == 0 ? Arrays.asList(null, nested) : nested);
                level.put(null, null);
                nested = level;
            }
            SharedList<Object> root = a.share(new ArrayList<>(Arrays.asList(null, nested, null)));
            assertEquals(Arrays.asList(null, nested, null), root);
            assertEquals(root, Arrays.asList(null, nested, null));
            assertEquals(Arrays.asList(null, nested, null).hashCode(), root.hashCode());
            Object cursor = root.get(1);
            for (int i = 99; i >= 0; i--) {
                SharedMap<?, ?> level = (SharedMap<?, ?>) cursor;
                assertTrue(level.containsKey(null));
                assertNull(level.get(null));
                cursor = level.get("down");
                if (i % 2 == 0) {
                    cursor = ((SharedList<?>) cursor).get(1);
                }
            }
            assertEquals("leaf", cursor);
            List<Object> cycle = new ArrayList<>();
            cycle.add(cycle);
            HeapStats before = a.stats();
            assertThrows(IllegalArgumentException.class, () -> root.add(cycle));
            assertEquals(before, a.stats());
        }
    }
}
