package io.ipcobjects.internal.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedSet;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.containers.ContainerLayout;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.HashLayout;
import io.ipcobjects.internal.containers.ListLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.testing.TestRegions;

import java.io.ObjectInputFilter;
import java.lang.foreign.ValueLayout;
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
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * verify() walks the whole region: clean on everything the public API builds, and it finds a
 * slot whose block was freed, a map whose count disagrees with its entries, a leaked block, a
 * reference count below the slots that hold it and a block with two owners.
 */
class RegionVerifierTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public record Address(String city, int zip) {
    }

    public record Person(String name, Address address, List<String> nicknames, Map<String, Object> extra, Object data) {
    }

    public enum Level {
        LOW, HIGH
    }

    /** A user class (copy mode): fields, a no-argument constructor. */
    static final class Settings {
        private String label;
        private long limit;
        private List<Object> items;

        private Settings() {
        }

        Settings(String label, long limit, List<Object> items) {
            this.label = label;
            this.limit = limit;
            this.items = items;
        }
    }

    private static Map<String, Object> everyPlainValue() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("null", null);
        values.put("boolean", true);
        values.put("byte", (byte) 7);
        values.put("short", (short) -3);
        values.put("int", 42);
        values.put("long", 1L << 40);
        values.put("char", 'q');
        values.put("float", 1.5f);
        values.put("double", Math.PI);
        values.put("instant", Instant.ofEpochSecond(1_700_000_000L, 123));
        values.put("localDate", LocalDate.of(2024, 2, 29));
        values.put("localTime", LocalTime.of(13, 14, 15));
        values.put("localDateTime", LocalDateTime.of(2024, 1, 2, 3, 4, 5));
        values.put("duration", Duration.ofMillis(1234));
        values.put("period", Period.of(1, 2, 3));
        values.put("zoneOffset", ZoneOffset.ofHours(2));
        values.put("shortString", "short");
        values.put("latin1", "a Latin-1 string longer than eight chars");
        values.put("utf16", "ünïcödé and \u4e2d\u6587 text");
        values.put("bytes", new byte[] {1, 2, 3});
        values.put("chars", new char[] {'x', 'y'});
        values.put("bigInteger", new BigInteger("123456789012345678901234567890"));
        values.put("bigDecimal", new BigDecimal("3.14159265358979323846"));
        values.put("offsetDateTime", OffsetDateTime.of(2024, 5, 6, 7, 8, 9, 10, ZoneOffset.ofHours(-3)));
        values.put("zonedDateTime", ZonedDateTime.of(2024, 5, 6, 7, 8, 9, 10, ZoneId.of("Europe/Paris")));
        values.put("zoneId", ZoneId.of("America/New_York"));
        values.put("uuid", UUID.randomUUID());
        values.put("enum", Level.HIGH);
        values.put("tuple", new Object[] {1L, "two", new Object[] {3.0, List.of("four")}});
        values.put("floats", new float[] {1, 2, 3});
        values.put("longs", new long[] {4, 5});
        return values;
    }

    @Test
    void aRegionBuiltByEveryPublicOperationVerifiesClean() {
        String name = regions.newName();
        ObjectInputFilter filter = ObjectInputFilter.Config.createFilter("java.util.BitSet;!*");
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20);
             SharedMemory serializing = SharedMemory.attach(name, Duration.ofSeconds(5),
                     SharedMemoryOptions.defaults().withSerialization(filter))) {
            try (Access a = shm.acquire()) {
                // Names: every plain value, replaced and removed.
                for (Map.Entry<String, Object> e : everyPlainValue().entrySet()) {
                    a.put(e.getKey(), e.getValue());
                }
                a.put("latin1", "replaced by another string of some length");
                a.put("tuple", 5L);
                a.remove("bytes");
                a.verify();

                // Live containers: shared, stored in several places, nested, holding themselves.
                SharedList<Object> list = a.share(new ArrayList<>(List.of(1L, "a list string longer than eight")));
                SharedMap<String, Object> map = a.share(new HashMap<>(Map.of("k", "v")));
                SharedSet<Object> set = a.share(new HashSet<>(Set.of("s", 2L, List.of("tuple", "key"))));
                a.put("list", list);
                a.put("list again", list);
                map.put("list", list);
                map.put("set", set);
                list.add(map);
                list.add(list); // a list holding itself
                for (int i = 0; i < 200; i++) {
                    map.put("key " + i, "value number " + i); // growth, rebuilds
                    list.add(new Object[] {"element", (long) i});
                }
                for (int i = 0; i < 200; i += 3) {
                    map.remove("key " + i); // tombstones
                    list.remove(list.size() - 1);
                }
                list.set(0, "replaced first element");
                Iterator<Object> it = set.iterator();
                it.next();
                it.remove();
                set.add(new Person("key person", new Address("Oslo", 1), List.of(), Map.of(), null));
                SharedMap<Object, Object> keyed = a.share(new HashMap<>());
                keyed.put(List.of(1L, "two"), "tuple key");
                keyed.put(new Address("Rome", 2), "record key");
                keyed.put(1.5, "double key");
                keyed.put("a string key longer than eight", "string key");
                keyed.clear();
                keyed.put("after clear", 1L);
                a.put("keyed", keyed);
                SharedList<Object> temporary = a.share(new ArrayList<>(List.of("to be destroyed")));
                a.destroy(temporary);
                a.verify();

                // Snapshots, held and stored; records, user objects, enums, tensors.
                FrozenMap<String, Object> frozen = a.share(FrozenMap.of(Map.of("x", 1L, "nested", List.of("a", "b"))));
                a.share(FrozenSet.of(Set.of("held", "only", "by", "this", "view")));
                a.put("frozen copy", frozen);
                FrozenSet<Object> gone = a.share(FrozenSet.of(Set.of("gone")));
                a.destroy(gone);
                a.put("person", new Person("Ada", new Address("London", 12345), new ArrayList<>(List.of("countess")),
                        new HashMap<>(Map.of("born", 1815L)), new int[] {1, 2, 3}));
                a.put("settings", new Settings("user class", 99, new ArrayList<>(List.of("x", 2L))));
                SharedTensor tensor = a.newTensor(DType.FLOAT32, 4, 4);
                a.put("tensor", tensor);
                a.put("tensor row", tensor.row(1));
                a.put("tensor again", tensor);
                SharedTensor held = a.copyToTensor(new double[] {1, 2, 3});
                SharedTensor freed = a.newTensor(DType.INT64, 8);
                a.freeTensor(freed);
                a.verify();

                // Messages: inline head, nodes, hand-overs of containers and records, spares.
                a.putMessage(7L);
                a.putMessage("a message long enough for a node");
                a.putMessage(new HashMap<>(Map.of("m", 1L)));
                a.putMessage(new Person("Bob", new Address("Paris", 75), new ArrayList<>(), new HashMap<>(), null));
                a.putMessage(new Object[] {new ArrayList<>(List.of("in a tuple"))});
                a.putMessage(list);
                assertEquals(7L, (Long) a.takeMessage());
                a.takeMessage();
                SharedMap<String, Object> handed = a.takeMessage();
                Person bob = a.takeMessage();
                a.takeMessage();
                a.readMessage();
                a.putMessage(Level.LOW);
                a.putMessage(held);
                bob.nicknames().add("taken");
                handed.put("taken", true);
                a.verify();

                // Raw blocks and the user root.
                long raw = a.allocate(64);
                a.block(raw).set(ValueLayout.JAVA_LONG, 0, 123);
                a.setUserRoot(raw);
                a.allocate(100); // the application's, reachable only by its own means
                a.remove("list again");
                a.remove("person");
            }
            serializing.put("serialized", new BitSet(100));
            HeapStats stats = shm.verify();
            assertEquals(stats, serializing.verify());
        }
    }

    @Test
    void aListSlotWhoseBlockWasFreedIsFound() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedList<Object> list = a.put("list", new ArrayList<>(List.of("first string, in a blob", "second string, in a blob")));
            long elements = memory.getLong(((ContainerView) list).offset() + ListLayout.ELEMENTS_OFFSET);
            long blob = memory.getLong(ListLayout.slotOffset(elements, 1) + SlotLayout.BITS_OFFSET);
            TestAccess.context(shm).allocator().free(blob);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertTrue(e.getMessage().contains("offset " + blob) && e.getMessage().contains("is not a used block"),
                    e.getMessage());
        }
    }

    @Test
    void aMapWhoseCountDisagreesWithItsEntriesIsFound() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedMap<String, Object> map = a.put("map", new HashMap<>(Map.of("a", 1L, "b", 2L)));
            long size = ((ContainerView) map).offset() + HashLayout.SIZE_OFFSET;
            memory.putLong(size, 3);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertTrue(e.getMessage().contains("counts 3 entries but holds 2"), e.getMessage());
            assertEquals(size, e.offset());
            memory.putLong(size, 2);
            a.verify();
        }
    }

    @Test
    void aLeakedBlockIsFound() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("something", "a stored string of some length");
            long leaked = TestAccess.context(shm).allocator().allocate(40, BlockTypes.VALUE_BLOB);
            TestAccess.context(shm).memory().putLong(leaked, 0);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertTrue(e.getMessage().contains("leaked blob"), e.getMessage());
            assertEquals(leaked, e.offset());
        }
    }

    @Test
    void aDestructionRecordedAsPendingOutsideAnyOperationIsFound() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.verify();
            TestAccess.context(shm).memory().putLong(io.ipcobjects.internal.memory.RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET, 4096);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertTrue(e.getMessage().contains("recorded as being destroyed"), e.getMessage());
            assertEquals(io.ipcobjects.internal.memory.RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET, e.offset());
        }
    }

    @Test
    void aReferenceCountBelowTheSlotsThatHoldTheContainerIsFound() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>(List.of(1L)));
            a.put("one", list);
            a.put("two", list);
            long references = ((ContainerView) list).offset() + ContainerLayout.REFERENCES_OFFSET;
            assertEquals(3, TestAccess.context(shm).memory().getLong(references));
            TestAccess.context(shm).memory().putLong(references, 1);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::verify);
            assertTrue(e.getMessage().contains("counts 1 references but 2 slots refer to it"), e.getMessage());
        }
    }

    @Test
    void aBlockWithTwoOwnersIsFoundAndSharedOrCyclicTuplesAreWalkedOnce() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            try (Access a = shm.acquire()) {
                RegionMemory memory = TestAccess.context(shm).memory();
                // A chain of 41 Object[2] whose second slots share the first's child: 2^41 paths, 41 tuples.
                Object[] chain = {"leaf", null};
                for (int i = 1; i < 41; i++) {
                    chain = new Object[] {chain, null};
                }
                a.putMessage("a message long enough for a node");
                a.putMessage(chain);
                a.takeMessage();
                long slot = memory.getLong(MessageQueueLayout.HEAD_OFFSET) + MessageQueueLayout.VALUE_SLOT_OFFSET;
                for (int i = 0; i < 41; i++) {
                    long tuple = memory.getLong(slot + SlotLayout.BITS_OFFSET);
                    long first = TupleLayout.slotOffset(tuple, 0);
                    memory.putLong(TupleLayout.slotOffset(tuple, 1), memory.getLong(first));
                    memory.putLong(TupleLayout.slotOffset(tuple, 1) + 8, memory.getLong(first + 8));
                    slot = first;
                }
            }
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class,
                    () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> shm.verify()));
            assertTrue(e.getMessage().contains("referred to a second time"), e.getMessage());
            assertTrue(e.getMessage().contains("40 problems"), e.getMessage());
        }
    }
}
