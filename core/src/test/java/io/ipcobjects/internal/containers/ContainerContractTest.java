package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedSet;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live containers against the {@code java.util} collections they stand for: the same random
 * sequence of operations (fixed seeds) on a shared list, map or set and on an {@code ArrayList},
 * {@code HashMap} or {@code HashSet}; every return value and, after each step, the contents must
 * agree. Growing past several resizes, removing into tombstones and clearing are all in the mix.
 * At the end the container is destroyed and the heap must be back where it was before it was
 * shared, so a removal or a clear that forgets to free what it removed shows. The heap is filled
 * with non-zero bytes and freed first, and verified every 50 steps, so a slot or an entry left
 * unzeroed shows too. Each operation is run outside a scope (the view takes the lock) or inside
 * one, at random.
 */
class ContainerContractTest {

    private static final int STEPS = 3000;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Keys and elements of every storage class: inline numbers, short strings, strings in blocks, tuple keys. */
    private static Object randomValue(Random random) {
        int n = random.nextInt(40);
        return switch (random.nextInt(5)) {
            case 0 -> (long) n;
            case 1 -> "k" + n;
            case 2 -> "a key long enough to be stored in a block of its own, number " + n;
            case 3 -> List.of("tuple", (long) n);
            default -> n % 7 == 0 ? null : (Integer) n;
        };
    }

    private static <T> T maybeInScope(SharedMemory shm, Random random, java.util.function.Supplier<T> operation) {
        if (random.nextBoolean()) {
            return operation.get();
        }
        try (Access a = shm.acquire()) {
            return operation.get();
        }
    }

    @Test
    void aSharedMapDoesWhatAHashMapDoes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            ContainerBoundariesTest.dirtyTheHeap(shm); // what a container forgets to zero shows in verify()
            long baseline = shm.stats().usedBytes();
            SharedMap<Object, Object> shared = shm.share(new HashMap<>());
            Map<Object, Object> model = new HashMap<>();
            Random random = new Random(14);
            for (int step = 0; step < STEPS; step++) {
                Object key = randomValue(random);
                Object value = randomValue(random);
                String what = "step " + step;
                switch (random.nextInt(12)) {
                    case 0, 1, 2 -> assertEquals(model.put(key, value), maybeInScope(shm, random, () -> shared.put(key, value)), what + " put");
                    case 3 -> assertEquals(model.remove(key), maybeInScope(shm, random, () -> shared.remove(key)), what + " remove");
                    case 4 -> assertEquals(model.get(key), maybeInScope(shm, random, () -> shared.get(key)), what + " get");
                    case 5 -> assertEquals(model.containsKey(key), maybeInScope(shm, random, () -> shared.containsKey(key)), what + " containsKey");
                    case 6 -> assertEquals(model.containsValue(value), shared.containsValue(value), what + " containsValue");
                    case 7 -> {
                        shared.set(key, value);
                        model.put(key, value);
                    }
                    case 8 -> assertEquals(model.remove(key, value), shared.remove(key, value), what + " remove(key, value)");
                    case 9 -> assertEquals(model.keySet().removeIf(k -> k instanceof Long l && l % 3 == 0),
                            shared.keySet().removeIf(k -> k instanceof Long l && l % 3 == 0), what + " removeIf");
                    case 10 -> {
                        Iterator<Map.Entry<Object, Object>> it = shared.entrySet().iterator();
                        while (it.hasNext()) {
                            Map.Entry<Object, Object> e = it.next();
                            if (e.getKey() instanceof String s && s.length() > 30) {
                                assertEquals(model.put(e.getKey(), "replaced"), e.setValue("replaced"), what + " setValue");
                            }
                        }
                    }
                    default -> {
                        if (random.nextInt(20) == 0) {
                            shared.clear();
                            model.clear();
                        } else {
                            assertEquals(model.getOrDefault(key, "none"), shared.getOrDefault(key, "none"), what + " getOrDefault");
                        }
                    }
                }
                assertEquals(model.size(), shared.size(), what + " size");
                if (step % 50 == 0) {
                    assertEquals(model, shared, what);
                    assertEquals(shared, model, what);
                    assertEquals(model.hashCode(), shared.hashCode(), what);
                    assertEquals(model.keySet(), shared.keySet(), what);
                    assertEquals(model.entrySet(), shared.entrySet(), what);
                    assertNotEquals(shared, Map.of("not", "equal"), what);
                    shm.verify();
                }
            }
            shm.destroy(shared);
            assertEquals(baseline, shm.stats().usedBytes(), "every key and value removed, replaced or cleared was freed");
            shm.verify();
        }
    }

    @Test
    void aSharedSetDoesWhatAHashSetDoes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            ContainerBoundariesTest.dirtyTheHeap(shm); // what a container forgets to zero shows in verify()
            long baseline = shm.stats().usedBytes();
            SharedSet<Object> shared = shm.share(new HashSet<>());
            Set<Object> model = new HashSet<>();
            Random random = new Random(1414);
            for (int step = 0; step < STEPS; step++) {
                Object element = randomValue(random);
                String what = "step " + step;
                switch (random.nextInt(9)) {
                    case 0, 1, 2 -> assertEquals(model.add(element), maybeInScope(shm, random, () -> shared.add(element)), what + " add");
                    case 3 -> assertEquals(model.remove(element), maybeInScope(shm, random, () -> shared.remove(element)), what + " remove");
                    case 4, 5 -> assertEquals(model.contains(element), maybeInScope(shm, random, () -> shared.contains(element)), what + " contains");
                    case 6 -> assertEquals(model.removeIf(e -> e instanceof String s && s.length() > 30),
                            shared.removeIf(e -> e instanceof String s && s.length() > 30), what + " removeIf");
                    case 7 -> {
                        List<Object> some = Arrays.asList(randomValue(random), randomValue(random));
                        assertEquals(model.removeAll(some), shared.removeAll(some), what + " removeAll");
                        List<Object> more = new ArrayList<>(Arrays.asList(randomValue(random), randomValue(random)));
                        assertEquals(model.addAll(more), shared.addAll(more), what + " addAll");
                    }
                    default -> {
                        if (random.nextInt(20) == 0) {
                            shared.clear();
                            model.clear();
                        } else {
                            assertEquals(model.containsAll(Arrays.asList(element)), shared.containsAll(Arrays.asList(element)), what);
                        }
                    }
                }
                assertEquals(model.size(), shared.size(), what + " size");
                if (step % 50 == 0) {
                    assertEquals(model, shared, what);
                    assertEquals(shared, model, what);
                    assertEquals(model.hashCode(), shared.hashCode(), what);
                    assertEquals(model, new HashSet<>(shared), what + " (iteration)");
                    assertNotEquals(shared, Set.of("not equal"), what);
                    shm.verify();
                }
            }
            List<Object> keep = Arrays.asList(randomValue(random), randomValue(random), "k1");
            assertEquals(model.retainAll(keep), shared.retainAll(keep));
            assertEquals(model, shared);
            shm.destroy(shared);
            assertEquals(baseline, shm.stats().usedBytes(), "every element removed or cleared was freed");
            shm.verify();
        }
    }

    @Test
    void aSharedListDoesWhatAnArrayListDoes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            ContainerBoundariesTest.dirtyTheHeap(shm); // what a container forgets to zero shows in verify()
            long baseline = shm.stats().usedBytes();
            SharedList<Object> shared = shm.share(new ArrayList<>());
            List<Object> model = new ArrayList<>();
            Random random = new Random(141414);
            for (int step = 0; step < STEPS; step++) {
                Object element = randomValue(random);
                String what = "step " + step;
                int size = model.size();
                int index = size == 0 ? 0 : random.nextInt(size);
                switch (random.nextInt(16)) {
                    case 0, 1, 2 -> assertEquals(model.add(element), maybeInScope(shm, random, () -> shared.add(element)), what + " add");
                    case 3 -> {
                        model.add(index, element);
                        shared.add(index, element);
                    }
                    case 4 -> {
                        if (size > 0) {
                            assertEquals(model.set(index, element), maybeInScope(shm, random, () -> shared.set(index, element)), what + " set");
                        }
                    }
                    case 5 -> {
                        if (size > 0) {
                            assertEquals(model.remove(index), maybeInScope(shm, random, () -> shared.remove(index)), what + " remove(int)");
                        }
                    }
                    case 6 -> assertEquals(model.remove(element), shared.remove(element), what + " remove(Object)");
                    case 7 -> {
                        if (size > 0) {
                            assertEquals(model.get(index), maybeInScope(shm, random, () -> shared.get(index)), what + " get");
                        }
                    }
                    case 8 -> assertEquals(model.indexOf(element), shared.indexOf(element), what + " indexOf");
                    case 9 -> assertEquals(model.lastIndexOf(element), shared.lastIndexOf(element), what + " lastIndexOf");
                    case 10 -> assertEquals(model.contains(element), shared.contains(element), what + " contains");
                    case 11 -> assertEquals(model.removeIf(e -> e instanceof Long l && l % 5 == 0),
                            shared.removeIf(e -> e instanceof Long l && l % 5 == 0), what + " removeIf");
                    case 12 -> {
                        List<Object> more = Arrays.asList(randomValue(random), randomValue(random));
                        assertEquals(model.addAll(index, more), shared.addAll(index, more), what + " addAll(int)");
                        assertEquals(model.addAll(List.of()), shared.addAll(List.of()), what + " addAll(empty)");
                        assertEquals(model.containsAll(more), shared.containsAll(more), what + " containsAll");
                    }
                    case 13 -> {
                        ListIterator<Object> expected = model.listIterator(index);
                        ListIterator<Object> actual = shared.listIterator(index);
                        while (expected.hasNext()) {
                            assertTrue(actual.hasNext(), what);
                            assertEquals(expected.nextIndex(), actual.nextIndex(), what);
                            Object e = expected.next();
                            assertEquals(e, actual.next(), what + " listIterator.next");
                            if (e instanceof String && random.nextInt(4) == 0) {
                                expected.set("set by the iterator");
                                actual.set("set by the iterator");
                            } else if (e == null || e instanceof List<?> && random.nextInt(4) == 0) {
                                expected.remove();
                                actual.remove();
                            } else if (e instanceof Long l && l > 0 && random.nextInt(8) == 0) {
                                expected.add(-l);
                                actual.add(-l);
                            }
                        }
                        assertFalse(actual.hasNext(), what);
                        while (expected.hasPrevious()) {
                            assertEquals(expected.previousIndex(), actual.previousIndex(), what);
                            assertEquals(expected.previous(), actual.previous(), what + " listIterator.previous");
                        }
                        assertFalse(actual.hasPrevious(), what);
                    }
                    case 14 -> {
                        if (size > 2) {
                            int to = index + random.nextInt(size - index);
                            assertEquals(model.subList(index, to), shared.subList(index, to), what + " subList");
                            if (random.nextInt(4) == 0) {
                                model.subList(index, to).clear();
                                shared.subList(index, to).clear();
                            }
                        }
                    }
                    default -> {
                        if (random.nextInt(25) == 0) {
                            shared.clear();
                            model.clear();
                        } else {
                            List<Object> some = Arrays.asList(randomValue(random));
                            assertEquals(model.removeAll(some), shared.removeAll(some), what + " removeAll");
                        }
                    }
                }
                assertEquals(model.size(), shared.size(), what + " size");
                if (step % 50 == 0) {
                    assertEquals(model, shared, what);
                    assertEquals(shared, model, what);
                    assertEquals(model.hashCode(), shared.hashCode(), what);
                    assertEquals(model, new ArrayList<>(shared), what + " (iteration)");
                    assertNotEquals(shared, List.of("not equal"), what);
                    shm.verify();
                }
            }
            assertEquals(model.retainAll(List.of("k1", 1L)), shared.retainAll(List.of("k1", 1L)));
            assertEquals(model, shared);
            shm.destroy(shared);
            assertEquals(baseline, shm.stats().usedBytes(), "every element removed, replaced or cleared was freed");
            shm.verify();
        }
    }
}
