package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A handle's {@link DecodeBudget} bounds one operation, not the handle's life: every container
 * operation that reads as one (a whole-container read, a key probe, a snapshot's first decode)
 * begins and ends its operation, so reading a value that is a large part of the heap again and
 * again, far more bytes in all than the heap holds, is never refused.
 */
class ReadBudgetTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** A key decoded to be compared (not a string, which is compared in place). */
    record Key(String text) {
    }

    private static final int REPEATS = 40;

    @Test
    void readsOfAValueAFifthOfTheHeapAreEachTheirOwnOperation() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            long heap = TestAccess.context(shm).budget().maxBytes();
            String big = "x".repeat((int) (heap / 5));
            SharedList<Object> list;
            SharedMap<Object, Object> map;
            try (Access a = shm.acquire()) {
                list = a.share(new ArrayList<>(List.of(big)));
                map = a.share(new HashMap<>(Map.of(new Key(big), 1L)));
                a.put("snapshot", FrozenMap.of(Map.of("k", big)));
            }
            for (int i = 0; i < REPEATS; i++) { // 40 reads of a fifth of the heap: 8 heaps' worth
                assertEquals(1, list.toArray().length, "toArray, read " + i);
                assertEquals(big.length() + 2, list.toString().length(), "toString, read " + i);
                assertEquals(0, list.indexOf(big), "indexOf, read " + i);
            }
            for (int i = 0; i < REPEATS; i++) {
                assertTrue(map.containsKey(new Key(big)), "a probe that decodes the stored key, read " + i);
            }
            for (int i = 0; i < REPEATS; i++) {
                FrozenMap<String, Object> snapshot = shm.get("snapshot");
                assertEquals(big, snapshot.get("k"), "a snapshot's first decode, read " + i);
            }
            shm.verify();
        }
    }
}
