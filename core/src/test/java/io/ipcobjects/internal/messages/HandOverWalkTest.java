package io.ipcobjects.internal.messages;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.containers.ContainerLayout;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The general path of the hand-over ({@code HandOver.collect}), taken when a message holds a
 * tuple or a frozen collection: what it keeps when part of the message is something the taker's
 * view still shows (a snapshot), what it refuses when a container's reference count is bad, and
 * that it frees a message nested as deep as the codec stores.
 *
 * <p>A taker is a second handle of the region (in this JVM: its own process-table slot and lock
 * token, as another process would have), so what it reads comes from the region, not from a
 * cache of the putting handle.
 */
class HandOverWalkTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static final String TEXT = "a string too long for a slot, stored in a block of its own";

    public record WithFrozen(String name, Object frozen) {
    }

    public record Wrapper(Object inner) {
    }

    /** Whether {@link Flaky#tags()} throws: off while the message is put, on while it is taken. */
    static volatile boolean accessorsFail;

    /** A record whose accessor throws on the taker's side (a user's record may, for its own reasons). */
    public record Flaky(List<String> tags) {
        @Override
        public List<String> tags() {
            if (accessorsFail) {
                throw new IllegalStateException("this accessor fails on purpose");
            }
            return tags;
        }
    }

    /** The taker's handle: a second handle of the same region. */
    private static SharedMemory attach(String name) {
        return SharedMemory.attach(name, Duration.ofSeconds(10));
    }

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

    /** Puts and takes one message in a node, so the node stays as a spare: part of every baseline. */
    private static void spareNode(SharedMemory shm) {
        shm.putMessage("a message in a node");
        shm.takeMessage();
    }

    /** The tuple the head message's slot points at. */
    private static long headTuple(SharedMemory shm) {
        RegionMemory memory = TestAccess.context(shm).memory();
        long slot = memory.getLong(MessageQueueLayout.HEAD_OFFSET) + MessageQueueLayout.VALUE_SLOT_OFFSET;
        assertEquals(SlotKinds.OBJECT_ARRAY, memory.getInt(slot + SlotLayout.KIND_OFFSET));
        return memory.getLong(slot + SlotLayout.BITS_OFFSET);
    }

    // ---- a record the walk cannot read: the whole message is kept ----

    /**
     * A record inside a tuple whose accessor throws when the walk reads it: the walk cannot tell
     * which containers the record holds, so it lets the slot go without freeing or dropping
     * anything. The taker gets the message, and the live list inside the record still works
     * (had the slot been destroyed, the list's only reference would have gone with it).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aRecordWhoseAccessorThrowsOnTheTakersSideKeepsTheWholeMessage() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20); SharedMemory other = attach(name)) {
            spareNode(shm);
            shm.putMessage(new Object[] {new Flaky(List.of("a", TEXT)), TEXT});
            long beforeTake = shm.stats().usedBytes();
            Object[] taken;
            accessorsFail = true;
            try {
                taken = other.takeMessage();
            } finally {
                accessorsFail = false;
            }
            assertFalse(shm.hasMessages(), "the message was taken");
            assertEquals(beforeTake, other.stats().usedBytes(), "nothing freed by the take");
            assertEquals(TEXT, taken[1]);
            SharedList<String> tags = assertInstanceOf(SharedList.class, ((Flaky) taken[0]).tags());
            assertEquals(List.of("a", TEXT), tags, "the record's list lives on");
            tags.add("and grows");
            assertEquals(3, tags.size());
            try (Access a = shm.acquire()) {
                TestAccess.context(shm).allocator().verify();
            }
        }
    }

    // ---- a snapshot the walk cannot pass on: the whole message is kept ----

    /**
     * A snapshot inside a record, inside a frozen list and inside a frozen map (each part of a
     * tuple, so the walk runs): the snapshot is the taker's (its view shows the frozen tuple),
     * and the codec would free it with the message, so the walk lets the whole slot go without
     * freeing anything. The taker reads the snapshot intact after the take, and destroying it
     * frees exactly its own bytes; the wrappers around it stay allocated (documented in
     * {@code HandOver} and docs/messages.md) and the heap checks.
     *
     * <p>Frozen lists and maps are written only inside keys and snapshots, never as parts of a
     * message; a region written elsewhere may hold them there. They are made here by retagging a
     * nested tuple of the message in the queue's node (same block layout).
     */
    @Test
    void aSnapshotInsideARecordAFrozenListOrAFrozenMapKeepsTheWholeMessage() {
        for (String where : List.of("record", "frozen list", "frozen map")) {
            String name = regions.newName();
            try (SharedMemory shm = SharedMemory.create(name, 1 << 20); SharedMemory other = attach(name)) {
                spareNode(shm);
                FrozenMap<String, Object> snapshot = FrozenMap.of(map("k", TEXT, "n", 7L));
                Object[] message = switch (where) {
                    case "record" -> new Object[] {new WithFrozen(TEXT, snapshot), TEXT};
                    case "frozen list" -> new Object[] {new Object[] {snapshot, TEXT}, TEXT};
                    default -> new Object[] {new Object[] {"key", snapshot}, TEXT};
                };
                shm.putMessage(message);
                if (!where.equals("record")) {
                    RegionMemory memory = TestAccess.context(shm).memory();
                    memory.putInt(TupleLayout.slotOffset(headTuple(shm), 0) + SlotLayout.KIND_OFFSET,
                            where.equals("frozen list") ? SlotKinds.FROZEN_LIST : SlotKinds.FROZEN_MAP);
                }
                long beforeTake = shm.stats().usedBytes();
                Object[] taken = other.takeMessage();
                assertEquals(beforeTake, other.stats().usedBytes(), where + ": nothing freed by the take");
                assertEquals(TEXT, taken[1], where);
                Object inside = switch (where) {
                    case "record" -> ((WithFrozen) taken[0]).frozen();
                    case "frozen list" -> assertInstanceOf(List.class, taken[0]).get(0);
                    default -> assertInstanceOf(Map.class, taken[0]).get("key");
                };
                FrozenMap<?, ?> seen = assertInstanceOf(FrozenMap.class, inside, where);
                assertEquals(Map.of("k", TEXT, "n", 7L), seen, where + ": the taker's snapshot is intact");
                other.destroy(seen);
                assertTrue(other.stats().usedBytes() < beforeTake, where + ": destroying the snapshot freed it");
                try (Access a = shm.acquire()) {
                    // The heap check, not the region walk: the kept wrappers still point at the destroyed snapshot.
                    TestAccess.context(shm).allocator().verify();
                }
                assertFalse(shm.hasMessages());
            }
        }
    }

    /**
     * A snapshot inside a live list and a live map of a tuple: the walk passes the containers on
     * (it does not look inside them), so the tuple is freed and the snapshots stay with their
     * containers. The taker reads them intact; destroying the two containers brings the heap
     * back to its baseline.
     */
    @Test
    void aSnapshotInsideALiveListOrMapGoesWithItsContainer() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20); SharedMemory other = attach(name)) {
            spareNode(shm);
            long baseline = shm.stats().usedBytes();
            shm.putMessage(new Object[] {list(FrozenSet.of(Set.of(TEXT, 1L))), map("k", FrozenMap.of(map("x", TEXT))), TEXT});
            Object[] taken = other.takeMessage();
            SharedList<?> inList = assertInstanceOf(SharedList.class, taken[0]);
            SharedMap<?, ?> inMap = assertInstanceOf(SharedMap.class, taken[1]);
            assertEquals(Set.of(TEXT, 1L), assertInstanceOf(FrozenSet.class, inList.get(0)));
            assertEquals(Map.of("x", TEXT), assertInstanceOf(FrozenMap.class, inMap.get("k")));
            assertEquals(1, Containers.references(TestAccess.context(other), (ContainerView) inList), "passed to the taker");
            assertEquals(1, Containers.references(TestAccess.context(other), (ContainerView) inMap), "passed to the taker");
            other.destroy(inList);
            other.destroy(inMap);
            assertEquals(baseline, other.stats().usedBytes(), "the tuple was freed, the snapshots with their containers");
            other.verify();
        }
    }

    // ---- a crafted reference count: refused before anything changes ----

    /**
     * A tuple holding two live lists, the second with a reference count of 0 or -1 (only a
     * corrupted region has one): the take refuses with {@link CorruptedRegionException} before
     * it changes anything. The first list's count is not raised for a hand-over that did not
     * happen, nothing is freed, and the message stays queued; with the count repaired the same
     * message is taken and everything comes back to the baseline.
     */
    @Test
    void aNonPositiveReferenceCountInAMessageIsRefusedAndNothingChanges() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage("a message in a node"); // kept as a spare node: part of the baseline
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            Object[] put = a.putMessage(new Object[] {list(1L, TEXT), list(2L, TEXT)});
            long first = ((ContainerView) put[0]).offset() + ContainerLayout.REFERENCES_OFFSET;
            long second = ((ContainerView) put[1]).offset() + ContainerLayout.REFERENCES_OFFSET;
            assertEquals(1, memory.getLong(first), "the message's reference");
            long used = a.stats().usedBytes();
            for (long bad : new long[] {0, -1}) {
                memory.putLong(second, bad);
                CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::takeMessage, "count " + bad);
                assertTrue(e.getMessage().contains("references"), e.getMessage());
                assertEquals(1, memory.getLong(first), "count " + bad + ": the first list's count is unchanged");
                assertEquals(bad, memory.getLong(second), "count " + bad + ": the bad count is unchanged");
                assertEquals(used, a.stats().usedBytes(), "count " + bad + ": nothing freed");
                assertEquals(1, a.messageCount(), "count " + bad + ": the message stays queued");
            }
            memory.putLong(second, 1);
            Object[] taken = a.takeMessage();
            assertEquals(List.of(1L, TEXT), taken[0]);
            assertEquals(List.of(2L, TEXT), taken[1]);
            a.destroy(taken[0]);
            a.destroy(taken[1]);
            assertEquals(baseline, a.stats().usedBytes());
            a.verify();
        }
    }

    // ---- depth: as deep as the codec stores ----

    /**
     * {@code levels} tuples, each inside the one around it with a string (in a block) beside it;
     * the innermost holds a number (inline: at the deepest level only inline values fit).
     */
    private static Object[] nestedTuples(int levels) {
        Object[] value = new Object[] {7L};
        for (int i = 1; i < levels; i++) {
            value = new Object[] {value, TEXT};
        }
        return value;
    }

    /** {@code levels} values alternating record and tuple, a live list at the bottom. */
    private static Object nestedRecordsAndTuples(int levels, List<Object> bottom) {
        Object value = bottom;
        for (int i = 0; i < levels; i++) {
            value = i % 2 == 0 ? new Wrapper(value) : new Object[] {value, TEXT};
        }
        return value;
    }

    /**
     * Messages of nested tuples 40 and 200 levels deep, and of the deepest nesting the codec
     * stores ({@link ValueSlots#MAX_DEPTH} + 1 tuples): taken by another handle, read intact,
     * and freed to the byte. Records and tuples alternating 200 levels with a live list at the
     * bottom: the list passes to the taker (one reference), everything around it is freed. One
     * tuple more than the codec stores is refused by the put with nothing left.
     */
    @Test
    void aMessageNestedAsDeepAsTheCodecStoresIsFreedOnTake() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20); SharedMemory other = attach(name)) {
            spareNode(shm);
            long baseline = shm.stats().usedBytes();
            for (int levels : new int[] {40, 200, ValueSlots.MAX_DEPTH + 1}) {
                shm.putMessage(nestedTuples(levels));
                Object taken = other.takeMessage();
                for (int i = 1; i < levels; i++) {
                    Object[] tuple = (Object[]) taken;
                    assertEquals(2, tuple.length, levels + " levels, level " + i);
                    assertEquals(TEXT, tuple[1]);
                    taken = tuple[0];
                }
                assertArrayEquals(new Object[] {7L}, (Object[]) taken, levels + " levels: the innermost tuple");
                assertEquals(baseline, other.stats().usedBytes(), levels + " levels: every tuple and string freed");
            }
            long typeBytes = 0;
            for (int levels : new int[] {40, 200}) {
                shm.putMessage(nestedRecordsAndTuples(levels, list(1L, TEXT)));
                Object taken = other.takeMessage();
                for (int i = levels - 1; i >= 0; i--) {
                    taken = i % 2 == 0 ? ((Wrapper) taken).inner() : ((Object[]) taken)[0];
                }
                SharedList<?> bottom = assertInstanceOf(SharedList.class, taken, levels + " levels");
                assertEquals(List.of(1L, TEXT), bottom);
                assertEquals(1, Containers.references(TestAccess.context(other), (ContainerView) bottom), "passed to the taker");
                other.destroy(bottom);
                typeBytes = TestAccess.types(shm).bytes();
                assertEquals(baseline + typeBytes, other.stats().usedBytes(),
                        levels + " levels: every record and tuple freed (the record's type entry stays)");
            }
            assertThrows(IllegalArgumentException.class, () -> shm.putMessage(nestedTuples(ValueSlots.MAX_DEPTH + 2)));
            assertEquals(baseline + typeBytes, shm.stats().usedBytes(), "a refused put leaves nothing");
            assertFalse(shm.hasMessages());
            shm.verify();
        }
    }
}
