package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Filling a region until it is full: every failed store leaves the region exactly as it was. */
class FullRegionTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void fillingUntilOutOfMemoryKeepsEverythingStoredBefore() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 512 << 10); Access a = shm.acquire()) {
            SharedMap<String, Object> map = a.share(new HashMap<>());
            SharedList<Object> list = a.share(new ArrayList<>());
            int stored = 0;
            int failures = 0;
            for (int i = 0; failures < 50 && i < 1_000_000; i++) {
                HeapStats before = a.stats();
                try {
                    switch (i % 3) {
                        case 0 -> map.put("key-" + i, "value-" + i);
                        case 1 -> list.add(List.of("element", i, Map.of("n", (long) i)));
                        default -> map.put("nested-" + i, Map.of("list", List.of(i, "x".repeat(i % 200))));
                    }
                    stored = i + 1;
                } catch (OutOfSharedMemoryException e) {
                    failures++;
                    assertEquals(before, a.stats(), "a failed store changed the heap at step " + i);
                }
            }
            assertTrue(failures > 0, "the region never filled");
            assertTrue(stored > 100, "too few stored: " + stored);
            for (int i = 0; i < stored; i++) {
                switch (i % 3) {
                    case 0 -> {
                        if (map.containsKey("key-" + i)) {
                            assertEquals("value-" + i, map.get("key-" + i));
                        }
                    }
                    case 1 -> { }
                    default -> {
                        if (map.containsKey("nested-" + i)) {
                            assertEquals(Map.of("list", List.of(i, "x".repeat(i % 200))), map.get("nested-" + i));
                        }
                    }
                }
            }
            for (int j = 0; j < list.size(); j++) {
                List<?> element = (List<?>) list.get(j);
                assertEquals("element", element.get(0));
                assertEquals(Map.of("n", ((Integer) element.get(1)).longValue()), element.get(2));
            }
            a.verify();
            HeapStats full = a.stats();
            assertThrows(OutOfSharedMemoryException.class, () -> map.put("huge", "y".repeat(1 << 20)));
            assertEquals(full, a.stats());
            a.destroy(map);
            a.destroy(list);
            a.verify();
        }
    }
}
