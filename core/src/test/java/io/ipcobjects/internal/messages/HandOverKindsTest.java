package io.ipcobjects.internal.messages;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedSet;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.testing.TestRegions;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hand-over of every kind of message value: put, taken, and everything the taker got
 * destroyed by the taker; the region's used bytes then come back to where they were before the
 * put (plus the type registry's entry for a class stored for the first time), the heap checks,
 * and named objects (one of them also inside messages) are still there and intact.
 */
class HandOverKindsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public enum Colour { RED, GREEN }

    public record Point(long x, long y, String label) {
    }

    public record WithContainers(String name, List<Object> items, Map<String, Object> attributes, Set<Object> tags) {
    }

    public record WithTuple(String name, Object tuple) {
    }

    public record WithFrozen(String name, Object frozen) {
    }

    public record Outer(Point point, WithContainers inner, Object anything) {
    }

    public record WithTensor(String name, Object array) {
    }

    /** A user class (not a record): stored field by field, needs a no-arg constructor. */
    public static final class Settings {
        public String name;
        public long steps;
        public List<Object> history;

        public Settings() {
        }

        Settings(String name, long steps, List<Object> history) {
            this.name = name;
            this.steps = steps;
            this.history = history;
        }
    }

    /** The kinds whose tuple stays allocated after the take (documented), in the order of {@link #kinds}. */
    private static final List<String> KEPT_WRAPPERS = List.of("tuple holding a user object", "tuple holding a frozen set",
            "tuple holding a tensor");

    /** What a message is, and what its taker must destroy to own nothing any more. */
    private record Kind(String description, Object value, BiConsumer<Access, Object> release) {
    }

    private static final BiConsumer<Access, Object> NOTHING = (a, taken) -> { };

    private static ArrayList<Object> list(Object... elements) {
        return new ArrayList<>(Arrays.asList(elements));
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static void destroyAll(Access a, Object... views) {
        for (Object view : views) {
            a.destroy(view);
        }
    }

    private static List<Kind> kinds(SharedList<Object> named) {
        String text = "a string too long for a slot, stored in a block of its own";
        List<Kind> kinds = new ArrayList<>();
        // copies: nothing to destroy
        kinds.add(new Kind("Long", 42L, NOTHING));
        kinds.add(new Kind("short string", "key1", NOTHING));
        kinds.add(new Kind("string", text, NOTHING));
        kinds.add(new Kind("UTF-16 string", "grüße, 東京 " + text, NOTHING));
        kinds.add(new Kind("byte[] blob", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, NOTHING));
        kinds.add(new Kind("char[]", "characters".toCharArray(), NOTHING));
        kinds.add(new Kind("BigInteger", BigInteger.TWO.pow(200), NOTHING));
        kinds.add(new Kind("BigDecimal", new BigDecimal("1.500"), NOTHING));
        kinds.add(new Kind("UUID", new UUID(1, 2), NOTHING));
        kinds.add(new Kind("ZonedDateTime", ZonedDateTime.of(2024, 1, 2, 3, 4, 5, 6, ZoneId.of("Europe/Paris")), NOTHING));
        kinds.add(new Kind("LocalDate", LocalDate.of(2024, 2, 29), NOTHING));
        kinds.add(new Kind("Duration", Duration.ofSeconds(5, 7), NOTHING));
        kinds.add(new Kind("enum", Colour.GREEN, NOTHING));
        kinds.add(new Kind("null", null, NOTHING));
        // tuples
        kinds.add(new Kind("tuple of copies", new Object[] {"t", 1L, text, new BigDecimal("2.5")}, NOTHING));
        kinds.add(new Kind("nested tuples", new Object[] {new Object[] {"x", new Object[] {text}}, 2L}, NOTHING));
        kinds.add(new Kind("tuple holding live containers", new Object[] {"t", list(1L, text), map("k", text)},
                (a, taken) -> destroyAll(a, ((Object[]) taken)[1], ((Object[]) taken)[2])));
        kinds.add(new Kind("tuple holding a named list", new Object[] {named, text}, NOTHING));
        kinds.add(new Kind("tuple holding a record", new Object[] {new Point(1, 2, text), "t"}, NOTHING));
        kinds.add(new Kind("tuple holding a user object", new Object[] {new Settings(text, 3, list("step", text)), "t"},
                (a, taken) -> a.destroy(((Settings) ((Object[]) taken)[0]).history)));
        // records and user objects
        kinds.add(new Kind("record of copies", new Point(3, 4, text), NOTHING));
        kinds.add(new Kind("record holding containers", new WithContainers(text, list("a", list(text)), map("k", 1L),
                new HashSet<>(Set.of("x", text))), (a, taken) -> {
                    WithContainers w = (WithContainers) taken;
                    destroyAll(a, w.items(), w.attributes(), w.tags());
                }));
        kinds.add(new Kind("record holding a tuple", new WithTuple("with tuple", new Object[] {text, 5L}), NOTHING));
        kinds.add(new Kind("record holding a tuple with a container", new WithTuple("with tuple", new Object[] {text, list(5L)}),
                (a, taken) -> a.destroy(((Object[]) ((WithTuple) taken).tuple())[1])));
        kinds.add(new Kind("nested records", new Outer(new Point(5, 6, "p"), new WithContainers("in", list(1L), map(), new HashSet<>()),
                new Point(7, 8, text)), (a, taken) -> {
                    WithContainers w = ((Outer) taken).inner();
                    destroyAll(a, w.items(), w.attributes(), w.tags());
                }));
        kinds.add(new Kind("record holding a named list", new Outer(null, null, named), NOTHING));
        kinds.add(new Kind("user object", new Settings(text, 9, list("step", 1L)),
                (a, taken) -> a.destroy(((Settings) taken).history)));
        // frozen collections
        kinds.add(new Kind("frozen map", FrozenMap.of(map("k", text, "list", List.of(1L, text), "n", 2L)), (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("frozen set", FrozenSet.of(Set.of("a", text, 3L)), (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("record holding a frozen map", new WithFrozen("frozen", FrozenMap.of(map("k", text))),
                (a, taken) -> a.destroy(((WithFrozen) taken).frozen())));
        kinds.add(new Kind("tuple holding a frozen set", new Object[] {FrozenSet.of(Set.of(text)), "t"},
                (a, taken) -> a.destroy(((Object[]) taken)[0])));
        // live containers
        kinds.add(new Kind("list", list(1L, text, null), (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("map with a tuple key", new HashMap<>(Map.of(List.of(1L, 2L), text)), (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("set", new HashSet<>(Set.of(1L, text)), (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("nested containers", map("lists", list(list(map("deep", text)), map("n", 1L)), "set", new HashSet<>(Set.of(text))),
                (a, taken) -> a.destroy(taken)));
        kinds.add(new Kind("the named list itself", named, NOTHING));
        // tensors
        kinds.add(new Kind("tensor", new float[] {1, 2, 3}, (a, taken) -> a.freeTensor((SharedTensor) taken)));
        kinds.add(new Kind("record holding a tensor", new WithTensor(text, new int[] {1, 2, 3}),
                (a, taken) -> a.freeTensor((SharedTensor) ((WithTensor) taken).array())));
        kinds.add(new Kind("tuple holding a tensor", new Object[] {new long[] {4, 5}, text},
                (a, taken) -> a.freeTensor((SharedTensor) ((Object[]) taken)[0])));
        return kinds;
    }

    @Test
    void everyKindOfMessageTakenAndDestroyedByItsTakerLeavesTheHeapAsItWas() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            SharedMap<String, Object> keep = a.put("keep", map("nested", list("x", map("y", 1L)), "n", 5L));
            SharedList<Object> named = a.put("named", list("shared", 1L));
            Object keepBefore = Map.of("nested", List.of("x", Map.of("y", 1L)), "n", 5L);
            a.putMessage("a message in a node"); // the node stays as a spare for the next put: part of the baseline
            a.takeMessage();
            List<String> leaks = new ArrayList<>();
            int messagesHoldingNamed = 0;
            for (Kind kind : kinds(named)) {
                long baseline = a.stats().usedBytes();
                long typesBefore = TestAccess.types(shm).bytes();
                Object put = a.putMessage(kind.value());
                Object taken = a.takeMessage();
                assertDeepEquals(put, taken, kind.description());
                kind.release().accept(a, taken);
                // The heap check, not the whole-region walk: the documented wrappers (KEPT_WRAPPERS) stay
                // allocated pointing at what their taker destroyed, and the walk reports that from then on.
                TestAccess.context(shm).allocator().verify();
                long typeEntry = TestAccess.types(shm).bytes() - typesBefore;
                long used = a.stats().usedBytes() - typeEntry;
                if (used != baseline) {
                    leaks.add(kind.description() + ": " + (used - baseline) + " bytes");
                }
                assertEquals(List.of("shared", 1L), named, kind.description() + ": the named list");
                assertEquals(keepBefore, keep, kind.description() + ": the named map");
                if (kind.description().contains("named list")) {
                    messagesHoldingNamed++;
                }
                assertEquals(1 + messagesHoldingNamed, Containers.references(TestAccess.context(shm), (ContainerView) named),
                        kind.description() + ": the named list's references (the name's, and one passed to the taker of each message that held it)");
            }
            // Documented (docs/messages.md, HandOver): a tuple around a tensor or a snapshot is
            // kept whole, since the codec would free what the taker's view shows with it; so is a
            // tuple around a user object, which the walk does not look into.
            assertEquals(KEPT_WRAPPERS, leaks.stream().map(l -> l.substring(0, l.indexOf(':'))).toList(),
                    "messages whose hand-over left bytes behind: " + leaks);
            assertFalse(a.hasMessages());
            assertEquals(Set.of("keep", "named"), a.names());
        }
    }

    /**
     * Frozen lists and maps ({@code FROZEN_LIST}, {@code FROZEN_MAP} slots) are written only
     * inside keys and snapshots, never as the parts of a message; a region written by someone
     * else may hold them there all the same, with live containers inside. The hand-over walks
     * them like tuples: the container passes to the taker with its reference, the frozen
     * wrappers are freed. The message is made here by retagging the nested tuples of a message
     * (same block layout) in the queue's node.
     */
    @Test
    void frozenCollectionsHoldingContainersInsideAMessageAreWalked() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            var memory = TestAccess.context(shm).memory();
            a.putMessage("a message in a node");
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            String text = "a string too long for a slot, stored in a block of its own";
            a.putMessage(new Object[] {new Object[] {list(1L, text), text}, new Object[] {"key", map("k", text)}, "t"});
            long tuple = memory.getLong(memory.getLong(MessageQueueLayout.HEAD_OFFSET) + MessageQueueLayout.VALUE_SLOT_OFFSET
                    + SlotLayout.BITS_OFFSET);
            memory.putInt(TupleLayout.slotOffset(tuple, 0) + SlotLayout.KIND_OFFSET, SlotKinds.FROZEN_LIST);
            memory.putInt(TupleLayout.slotOffset(tuple, 1) + SlotLayout.KIND_OFFSET, SlotKinds.FROZEN_MAP);
            Object[] taken = a.takeMessage();
            List<?> frozenList = assertInstanceOf(List.class, taken[0]);
            Map<?, ?> frozenMap = assertInstanceOf(Map.class, taken[1]);
            SharedList<?> inList = assertInstanceOf(SharedList.class, frozenList.get(0));
            SharedMap<?, ?> inMap = assertInstanceOf(SharedMap.class, frozenMap.get("key"));
            assertEquals(List.of(1L, text), inList);
            assertEquals(Map.of("k", text), inMap);
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) inList), "passed to the taker");
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) inMap), "passed to the taker");
            destroyAll(a, inList, inMap);
            assertEquals(baseline, a.stats().usedBytes(), "the tuples, frozen or not, and their strings were freed");
            a.verify();
        }
    }

    /** Equality of what was put and what was taken, arrays by content. */
    private static void assertDeepEquals(Object expected, Object actual, String what) {
        if (expected instanceof Object[] e && actual instanceof Object[] t) {
            assertEquals(e.length, t.length, what);
            for (int i = 0; i < e.length; i++) {
                assertDeepEquals(e[i], t[i], what + "[" + i + "]");
            }
        } else if (expected instanceof SharedTensor e && actual instanceof SharedTensor t) {
            assertEquals(e.blockOffset(), t.blockOffset(), what);
        } else if (expected != null && expected.getClass().isArray()) {
            assertTrue(Objects.deepEquals(expected, actual), what);
        } else if (expected instanceof Settings e && actual instanceof Settings t) {
            assertEquals(e.name, t.name, what);
            assertEquals(e.steps, t.steps, what);
            assertEquals(e.history, t.history, what);
        } else if (!(expected instanceof WithTensor) && !(expected instanceof WithTuple) && !(expected instanceof WithFrozen)) {
            assertEquals(expected, actual, what);
        }
    }
}
