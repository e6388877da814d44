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
            List<Integer> storedInMap = new ArrayList<>();
            List<Integer> storedInList = new ArrayList<>();
            List<Integer> refused = new ArrayList<>();
            int failures = 0;
            for (int i = 0; failures < 50 && i < 1_000_000; i++) {
                HeapStats before = a.stats();
                try {
                    switch (i % 3) {
                        case 0 -> map.put("key-" + i, "value-" + i);
                        case 1 -> list.add(List.of("element", i, Map.of("n", (long) i)));
                        default -> map.put("nested-" + i, Map.of("list", List.of(i, "x".repeat(i % 200))));
                    }
                    (i % 3 == 1 ? storedInList : storedInMap).add(i);
                } catch (OutOfSharedMemoryException e) {
                    failures++;
                    refused.add(i);
                    assertEquals(before, a.stats(), "a failed store changed the heap at step " + i);
                }
            }
            assertTrue(failures > 0, "the region never filled");
            assertTrue(storedInMap.size() + storedInList.size() > 100, "too few stored: " + storedInMap.size() + storedInList.size());
            // Every store that succeeded is there, intact; none that failed left anything behind.
            assertEquals(storedInMap.size(), map.size(), "map entries");
            for (int i : storedInMap) {
                if (i % 3 == 0) {
                    assertEquals("value-" + i, map.get("key-" + i), "entry of step " + i);
                } else {
                    assertEquals(Map.of("list", List.of(i, "x".repeat(i % 200))), map.get("nested-" + i), "entry of step " + i);
                }
            }
            assertEquals(storedInList.size(), list.size(), "list elements");
            for (int j = 0; j < list.size(); j++) {
                int i = storedInList.get(j);
                assertEquals(List.of("element", i, Map.of("n", (long) i)), list.get(j), "element of step " + i);
            }
            for (int i : refused) {
                assertFalse(map.containsKey("key-" + i) || map.containsKey("nested-" + i), "a refused store of step " + i + " is in the map");
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
