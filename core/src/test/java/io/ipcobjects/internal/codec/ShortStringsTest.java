package io.ipcobjects.internal.codec;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedSet;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Strings of at most 8 Latin-1 chars live in the slot; all others in a blob; both read, hash and compare alike. */
class ShortStringsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static final List<String> INLINE = List.of("", "a", "key1", "Tokyo", "12345678", "café", "\u00ff\u0000\u00e9",
            "\0\0\0\0\0\0\0\0");
    private static final List<String> IN_A_BLOB = List.of("123456789", "management", "Ω", "naïve ☃", "\uD83D\uDE00",
            "a much longer string than eight chars");

    @Test
    void shortLatin1StringsAreInlineAndAllocateNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(TestAccess.context(shm), slot, null);
            long used = a.stats().usedBytes();
            for (String s : INLINE) {
                ValueSlots.write(TestAccess.context(shm), slot, s);
                assertEquals(SlotKinds.SHORT_STRING, TestAccess.context(shm).memory().getInt(slot + SlotLayout.KIND_OFFSET), s);
                assertEquals(used, a.stats().usedBytes(), "no block for " + s);
                assertEquals(s, ValueSlots.read(TestAccess.context(shm), slot));
            }
            for (String s : IN_A_BLOB) {
                ValueSlots.write(TestAccess.context(shm), slot, s);
                assertEquals(SlotKinds.STRING, TestAccess.context(shm).memory().getInt(slot + SlotLayout.KIND_OFFSET), s);
                assertTrue(a.stats().usedBytes() > used, "a block for " + s);
                assertEquals(s, ValueSlots.read(TestAccess.context(shm), slot));
            }
            ValueSlots.write(TestAccess.context(shm), slot, "back");
            assertEquals(used, a.stats().usedBytes(), "overwriting the last blob freed it");
            a.verify();
        }
    }

    @Test
    void bothFormsWorkAsKeysElementsAndValues() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            List<String> all = new ArrayList<>(INLINE);
            all.addAll(IN_A_BLOB);
            Map<String, Object> expected = new HashMap<>();
            SharedMap<String, Object> map = a.share(new HashMap<>());
            for (int i = 0; i < all.size(); i++) {
                map.put(all.get(i), all.get(all.size() - 1 - i));
                expected.put(all.get(i), all.get(all.size() - 1 - i));
            }
            assertEquals(expected, map);
            assertEquals(expected.hashCode(), map.hashCode());
            for (String s : all) {
                assertTrue(map.containsKey(s), s);
                assertTrue(map.containsKey(new String(s.toCharArray())), "an equal, distinct instance of " + s);
                assertFalse(map.containsKey(s + "x"), s + "x");
            }
            assertEquals(INLINE.get(0), map.remove(IN_A_BLOB.getLast()));
            assertFalse(map.containsKey(IN_A_BLOB.getLast()));

            SharedSet<String> set = a.share(new HashSet<>(all));
            assertEquals(new HashSet<>(all), set);
            assertTrue(set.contains("12345678") && set.contains("123456789") && !set.contains("1234567"));

            SharedList<Object> list = a.share(new ArrayList<>(all));
            assertEquals(all, list);
            assertEquals(all.indexOf("Tokyo"), list.indexOf("Tokyo"));

            a.putMessage("hi"); // a short string goes to the queue's inline head, like a Long
            assertEquals("hi", a.takeMessage());
            a.destroy(map);
            a.destroy(set);
            a.destroy(list);
            a.verify();
        }
    }
}
