package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.DeferredDestroys;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A nest of live containers deeper than any single store allows, built one level at a time
 * through the API (each store shallow), is destroyed whole: the destruction defers what lies
 * past {@link DeferredDestroys#FROM_DEPTH} to a shallower level instead of recursing
 * ({@link DeferredDestroys}), so neither the depth guard of a hostile region nor the stack stops
 * it half-way. Before, dropping the top of a 300-level nest threw {@code CorruptedRegionException}
 * after freeing the outer levels, and {@code verify()} then reported every inner level as
 * destroyed yet referred to.
 */
class DeepNestTest {

    private static final int LEVELS = 3 * ValueSlots.MAX_DEPTH;
    /** Deeper than a thread's stack could recurse through (some 5 frames a level). */
    private static final int STACK_BREAKING_LEVELS = 50_000;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** A list holding a list holding ... {@code levels} deep, each level also holding its number; returns the innermost. */
    @SuppressWarnings("unchecked")
    private static SharedList<Object> nest(SharedList<Object> top, int levels) {
        SharedList<Object> inner = top;
        for (int i = 0; i < levels; i++) {
            inner.add((long) i);
            inner.add(new ArrayList<>());
            inner = (SharedList<Object>) inner.get(1);
        }
        return inner;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNestBuiltLevelByLevelDeeperThanAnyStoreIsFreedWholeWhenItsTopIsRemoved() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64 << 20)) {
            shm.put("keep", List.of("other", "values"));
            shm.put("top", 0L); // the name's entry exists before the baseline
            HeapStats baseline = shm.verify();
            try (Access a = shm.acquire()) {
                nest((SharedList<Object>) a.put("top", new ArrayList<>()), STACK_BREAKING_LEVELS);
            }
            assertTrue(shm.verify().usedBytes() > baseline.usedBytes() + STACK_BREAKING_LEVELS * 32L);
            shm.remove("top");
            shm.verify(); // throws if any level is left referred to, or leaked
            shm.put("top", 0L); // the name's entry back, as in the baseline
            HeapStats after = shm.verify();
            assertEquals(baseline.usedBytes(), after.usedBytes(), "every level freed");
            assertEquals(baseline.usedBlocks(), after.usedBlocks());
            assertEquals(List.of("other", "values"), shm.get("keep"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeepNestOfMapsAndListsIsFreedWholeWhenItsNameIsOverwritten() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 128 << 20)) {
            shm.put("top", 0L); // the name's entry exists before the baseline
            HeapStats baseline = shm.verify();
            SharedList<Object> innermost;
            try (Access a = shm.acquire()) {
                SharedMap<String, Object> map = (SharedMap<String, Object>) a.put("top", new HashMap<>());
                for (int i = 0; i < STACK_BREAKING_LEVELS / 2; i++) {
                    map.put("level", (long) i);
                    map.put("next", new HashMap<>());
                    map = (SharedMap<String, Object>) map.get("next");
                }
                map.put("list", new ArrayList<>());
                innermost = nest((SharedList<Object>) map.get("list"), LEVELS / 2);
                innermost.add("bottom of the nest");
                innermost.add(new ArrayList<>(List.of(1L, 2L)));
                innermost.add(innermost.get(innermost.size() - 1)); // the same list twice: two references
            }
            shm.put("top", 1L); // drops the nest through a slot write
            assertEquals(baseline.usedBytes(), shm.verify().usedBytes(), "every level freed, the list held twice once");
            assertEquals(baseline.usedBlocks(), shm.verify().usedBlocks());
            assertThrows(ObjectDestroyedException.class, innermost::size, "a view of a freed level says so");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aDeepNestDestroyedThroughAViewIsFreedWhole() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            HeapStats baseline = shm.verify();
            try (Access a = shm.acquire()) {
                SharedList<Object> top = a.share(new ArrayList<>());
                nest(top, LEVELS);
                a.destroy(top);
            }
            assertEquals(baseline.usedBytes(), shm.verify().usedBytes());
        }
    }

    /** A tuple nested {@code levels} deep around a string kept in a block. */
    private static Object tuple(int levels) {
        Object value = "a string long enough for a block";
        for (int i = 0; i < levels; i++) {
            value = new Object[] {value, (long) i};
        }
        return value;
    }

    /**
     * A store bounds a value's nesting from the slot it is stored in, so a tuple as deep as a
     * store allows may sit in a list nested hundreds of levels down by reference. Its
     * destruction must count its depth the same way: before, a destruction counted from where it
     * began and refused such a tuple as corrupt half-way (the region then failed {@code verify()}
     * with 318 problems).
     */
    @Test
    @SuppressWarnings("unchecked")
    void tuplesAsDeepAsAStoreAllowsInsideADeepNestAreFreedWhole() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 32 << 20)) {
            shm.put("top", 0L); // the name's entry exists before the baseline
            HeapStats baseline = shm.verify();
            assertThrows(IllegalArgumentException.class, () -> shm.put("refused", tuple(ValueSlots.MAX_DEPTH + 1)),
                    "one level past what a store allows");
            List<Integer> tupleLevels = List.of(1, 2, DeferredDestroys.FROM_DEPTH - 1, DeferredDestroys.FROM_DEPTH,
                    DeferredDestroys.FROM_DEPTH + 1, DeferredDestroys.FROM_DEPTH + 2, ValueSlots.MAX_DEPTH, LEVELS - 1);
            try (Access a = shm.acquire()) {
                SharedList<Object> inner = (SharedList<Object>) a.put("top", new ArrayList<>());
                for (int level = 0; level < LEVELS; level++) {
                    inner.add(new ArrayList<>());
                    if (tupleLevels.contains(level)) {
                        inner.add(tuple(ValueSlots.MAX_DEPTH));
                    }
                    inner = (SharedList<Object>) inner.get(0);
                }
                inner.add(tuple(ValueSlots.MAX_DEPTH));
            }
            shm.verify();
            shm.remove("top");
            shm.put("top", 0L);
            HeapStats after = shm.verify(); // throws if a level or a tuple is left referred to, or leaked
            assertEquals(baseline.usedBytes(), after.usedBytes(), "every level and every tuple freed");
            assertEquals(baseline.usedBlocks(), after.usedBlocks());
        }
    }

    /**
     * A removal hands back a Java copy of a nest it holds the last reference to, however deep:
     * the copy's walk keeps its path off the thread's stack. Before, a nest deeper than
     * {@link ValueSlots#MAX_DEPTH} was refused with {@code IllegalArgumentException}.
     */
    @Test
    @SuppressWarnings("unchecked")
    void removingTheLastReferenceToADeepNestHandsBackAJavaCopyOfEveryLevel() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64 << 20)) {
            shm.put("holder", 0L);
            HeapStats baseline = shm.verify();
            SharedList<Object> holder;
            try (Access a = shm.acquire()) {
                holder = (SharedList<Object>) a.put("holder", new ArrayList<>());
                holder.add(new ArrayList<>());
                nest((SharedList<Object>) holder.get(0), STACK_BREAKING_LEVELS).add("bottom");
                SharedMap<String, Object> map = (SharedMap<String, Object>) holder.get(holder.add(new HashMap<>()) ? 1 : -1);
                for (int i = 0; i < LEVELS; i++) {
                    map.put("level", (long) i);
                    map.put("next", new HashMap<>());
                    map = (SharedMap<String, Object>) map.get("next");
                }
            }
            Object lists = holder.remove(0);
            Object maps = holder.remove(0);
            Object level = lists;
            for (int i = 0; i < STACK_BREAKING_LEVELS; i++) {
                List<Object> copy = assertInstanceOf(ArrayList.class, level, "level " + i);
                assertEquals(2, copy.size(), "level " + i);
                assertEquals((long) i, copy.get(0));
                level = copy.get(1);
            }
            assertEquals(List.of("bottom"), level);
            level = maps;
            for (int i = 0; i < LEVELS; i++) {
                Map<String, Object> copy = assertInstanceOf(java.util.LinkedHashMap.class, level, "level " + i);
                assertEquals((long) i, copy.get("level"));
                level = copy.get("next");
            }
            assertEquals(Map.of(), level);
            shm.put("holder", 0L);
            HeapStats after = shm.verify();
            assertEquals(baseline.usedBytes(), after.usedBytes(), "every level freed");
        }
    }

    /**
     * A destruction that meets a corrupted slot half-way throws, and the work it had deferred
     * (the levels past {@link DeferredDestroys#FROM_DEPTH}) is dropped with it: the next
     * destruction, of something unrelated, frees exactly what it destroys. Kept, that work
     * would be done by whatever destruction came next, which would meet the failed one's
     * corruption and throw in its place.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDestructionThatFailsHalfWayLeavesNoDeferredWorkToTheNextOne() {
        int levels = DeferredDestroys.FROM_DEPTH + 8;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            RegionMemory memory = TestAccess.context(shm).memory();
            shm.put("other", 0L);
            try (Access a = shm.acquire()) {
                SharedList<Object> level = (SharedList<Object>) a.put("top", new ArrayList<>());
                nest(level, levels);
                for (int i = 0; i < levels; i++) {
                    SharedList<Object> next = (SharedList<Object>) level.get(1);
                    if (i >= DeferredDestroys.FROM_DEPTH - 4) {
                        // The level's number (element 0, released after its inner level) gets a
                        // slot kind no value has.
                        long elements = memory.getLong(((ContainerView) level).offset() + ListLayout.ELEMENTS_OFFSET);
                        memory.putInt(ListLayout.slotOffset(elements, 0) + SlotLayout.KIND_OFFSET, 0x5EED);
                    }
                    level = next;
                }
            }
            assertThrows(CorruptedRegionException.class, () -> shm.remove("top"));
            long used = shm.stats().usedBytes();
            shm.put("other", new ArrayList<>(List.of("a list", "of two strings in blocks")));
            assertTrue(shm.stats().usedBytes() > used);
            shm.put("other", 0L); // destroys the list: nothing of the failed destruction runs with it
            assertEquals(used, shm.stats().usedBytes(), "the list freed, and nothing else");
        }
    }
}
