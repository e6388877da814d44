package io.ipcobjects.internal.names;

import io.ipcobjects.TestAccess;
import static io.ipcobjects.internal.names.NameDirectoryLayout.*;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The name directory in one process: lookups, replacement, removal, growth, bad input, corruption. */
class NameDirectoryTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void putGetRemoveAndNames() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            assertNull(a.get("missing"));
            assertFalse(a.contains("missing"));
            assertFalse(a.remove("missing"));
            assertEquals(Set.of(), a.names());

            assertEquals("images", a.put("train-images", "images"));
            a.put("step", 12L);
            a.put("nothing", null);
            a.put("ünïcødé 名前 \uD83D\uDE00", 3.5);
            assertEquals("images", a.get("train-images"));
            assertEquals(12L, (Long) a.get("step"));
            assertNull(a.get("nothing"));
            assertTrue(a.contains("nothing"), "a stored null is a name");
            assertEquals(3.5, (Double) a.get("ünïcødé 名前 \uD83D\uDE00"));
            assertEquals(Set.of("train-images", "step", "nothing", "ünïcødé 名前 \uD83D\uDE00"), a.names());

            Set<String> copy = a.names();
            copy.add("not stored");
            assertFalse(a.contains("not stored"), "names() is a copy");

            assertTrue(a.remove("step"));
            assertFalse(a.remove("step"));
            assertNull(a.get("step"));
            assertEquals(Set.of("train-images", "nothing", "ünïcødé 名前 \uD83D\uDE00"), a.names());
            a.verify();
        }
    }

    @Test
    void replacingDestroysTheOldValueAndRemovingFreesEverything() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            shm.put("warm-up", 1L);
            shm.remove("warm-up"); // the directory block itself stays
            long baseline = shm.stats().usedBytes();
            for (int i = 0; i < 200; i++) {
                shm.put("config", "version " + i + " " + "z".repeat(i));
                assertEquals("version " + i + " " + "z".repeat(i), shm.get("config"));
            }
            shm.put("config", 5L); // a string replaced by an inline value
            assertEquals(5L, (Long) shm.get("config"));
            assertTrue(shm.remove("config"));
            assertEquals(baseline, shm.stats().usedBytes(), "replaced and removed values were freed");
            shm.verify();
        }
    }

    @Test
    void namedContainersAreLiveAndLetGoOnReplaceAndRemove() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("warm-up", 1L);
            long baseline = a.stats().usedBytes();
            SharedMap<String, Object> state = a.put("state", new HashMap<>(Map.of("step", 0L)));
            SharedMap<String, Object> again = a.get("state");
            again.put("step", 5L);
            assertEquals(5L, state.get("step"));
            a.put("state", again); // put(name, get(name)) keeps the object
            assertEquals(5L, state.get("step"));
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) state));
            a.put("state", "replaced"); // the last reference goes: the map is freed
            assertThrows(IllegalStateException.class, () -> state.get("step"));
            assertTrue(a.remove("state"));
            assertEquals(baseline, a.stats().usedBytes());
            a.verify();
        }
    }

    @Test
    void puttingTheSameValueAgainKeepsIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("n", 9L);
            long used = a.stats().usedBytes();
            a.put("n", 9L);
            assertEquals(used, a.stats().usedBytes());
            assertEquals(9L, (Long) a.get("n"));
            assertEquals(Set.of("n"), a.names());
        }
    }

    @Test
    void manyNamesGrowTheTable() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20); Access a = shm.acquire()) {
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < 5000; i++) {
                a.put("name-" + i, (long) i);
                expected.add("name-" + i);
            }
            RegionMemory memory = TestAccess.context(shm).memory();
            long directory = memory.getLong(ROOT_NAME_DIRECTORY_OFFSET);
            assertTrue(memory.getLong(directory + BUCKET_COUNT_OFFSET) >= 5000 * 4 / 3, "table grew");
            for (int i = 0; i < 5000; i++) {
                assertEquals((long) i, (Long) a.get("name-" + i));
            }
            assertEquals(expected, a.names());
            for (int i = 0; i < 5000; i += 2) {
                assertTrue(a.remove("name-" + i));
                expected.remove("name-" + i);
            }
            assertEquals(expected, a.names());
            a.verify();
        }
    }

    @Test
    void badNamesAreRejectedAndChangeNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("kept", "value");
            long used = a.stats().usedBytes();
            assertThrows(NullPointerException.class, () -> a.put(null, 1L));
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> a.put("", 1L));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> a.put("é".repeat(MAX_NAME_BYTES / 2 + 1), 1L));
            assertTrue(tooLong.getMessage().contains("4098 UTF-8 bytes"), tooLong.getMessage());
            IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class, () -> a.put("bad\uD800", 1L));
            assertTrue(surrogate.getMessage().contains("surrogate"), surrogate.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.get(""));
            a.put("é".repeat(MAX_NAME_BYTES / 2), 2L); // exactly at the limit
            assertTrue(a.remove("é".repeat(MAX_NAME_BYTES / 2)));
            assertEquals(used, a.stats().usedBytes());
            assertEquals(Set.of("kept"), a.names());
        }
    }

    @Test
    void unsupportedValueKeepsWhatTheNameHeld() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long empty = a.stats().usedBytes();
            assertThrows(UnsupportedTypeException.class, () -> a.put("first", new Object()));
            assertEquals(empty, a.stats().usedBytes(), "the directory created for the failed put was freed");
            assertEquals(0, TestAccess.context(shm).memory().getLong(ROOT_NAME_DIRECTORY_OFFSET));

            a.put("config", "v1");
            long used = a.stats().usedBytes();
            assertThrows(UnsupportedTypeException.class, () -> a.put("config", new StringBuilder("v2")));
            assertEquals("v1", a.get("config"));
            assertEquals(used, a.stats().usedBytes());
            a.verify();
        }
    }

    @Test
    void fullRegionKeepsEveryName() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64 << 10); Access a = shm.acquire()) {
            int stored = 0;
            try {
                for (;; stored++) {
                    a.put("n" + stored, "value " + stored + " " + "q".repeat(200));
                }
            } catch (OutOfSharedMemoryException expected) {
                // the region is full
            }
            assertTrue(stored > 50, "stored " + stored);
            a.remove("n0"); // room for a small value again, whatever the last failed put left over
            a.put("n0", "short");
            assertThrows(OutOfSharedMemoryException.class, () -> a.put("n1", "w".repeat(100_000)));
            assertEquals("value 1 " + "q".repeat(200), a.get("n1"), "the old value survives a failed replace");
            for (int i = 1; i < stored; i++) {
                assertEquals("value " + i + " " + "q".repeat(200), a.get("n" + i));
            }
            assertEquals(stored, a.names().size());
            a.verify();
        }
    }

    @Test
    void hashIsDefinedOnUtf8Bytes() {
        // FNV-1a of "a" is 0xE40C292C; the finalizer then mixes it. Same bytes, same hash, any JVM.
        byte[] bytes = "a".getBytes(StandardCharsets.UTF_8);
        int h = 0xE40C292C;
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        h ^= h >>> 16;
        assertEquals(h, NameKey.hash(bytes));
        assertEquals(NameKey.hash("train-images".getBytes(StandardCharsets.UTF_8)), NameKey.of("train-images").hash);
        assertNotEquals(NameKey.of("ab").hash, NameKey.of("ba").hash);
    }

    // ---- corruption ----

    @Test
    void corruptedChainsAreFoundNotFollowedForever() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("only", 1L);
            RegionMemory memory = TestAccess.context(shm).memory();
            long directory = memory.getLong(ROOT_NAME_DIRECTORY_OFFSET);
            long bucket = directory + bucketOffset(NameKey.of("only").hash & (INITIAL_BUCKETS - 1));
            long entry = memory.getLong(bucket);

            memory.putLong(entry + NEXT_OFFSET, entry); // a cycle
            assertThrows(CorruptedRegionException.class, a::names);
            memory.putLong(entry + NEXT_OFFSET, 999_999); // not a block
            assertThrows(CorruptedRegionException.class, a::names);
            memory.putLong(entry + NEXT_OFFSET, 0);

            memory.putInt(entry + NAME_LENGTH_OFFSET, 1 << 20); // name longer than its block
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> a.get("only"));
            assertTrue(e.getMessage().contains("name length"), e.getMessage());
            memory.putInt(entry + NAME_LENGTH_OFFSET, 4);

            memory.putLong(directory + BUCKET_COUNT_OFFSET, 3); // not a power of two
            assertThrows(CorruptedRegionException.class, () -> a.get("only"));
            memory.putLong(directory + BUCKET_COUNT_OFFSET, INITIAL_BUCKETS);
            assertEquals(1L, (Long) a.get("only"), "repaired, readable again");

            memory.putLong(ROOT_NAME_DIRECTORY_OFFSET, directory + 8); // not a block payload
            assertThrows(CorruptedRegionException.class, () -> a.put("x", 1L));
            memory.putLong(ROOT_NAME_DIRECTORY_OFFSET, directory);
        }
    }

    /** Any name in a chain that loops must still be found missing, not looped on; needs the cycle in its bucket. */
    @Test
    void cycleInTheSearchedBucketIsBounded() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.put("only", 1L);
            String sameBucket = null;
            int bucketOfOnly = NameKey.of("only").hash & (int) (INITIAL_BUCKETS - 1);
            for (int i = 0; sameBucket == null; i++) {
                if ((NameKey.of("k" + i).hash & (int) (INITIAL_BUCKETS - 1)) == bucketOfOnly) {
                    sameBucket = "k" + i;
                }
            }
            RegionMemory memory = TestAccess.context(shm).memory();
            long directory = memory.getLong(ROOT_NAME_DIRECTORY_OFFSET);
            long entry = memory.getLong(directory + bucketOffset(bucketOfOnly));
            memory.putLong(entry + NEXT_OFFSET, entry);
            String probe = sameBucket;
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> a.get(probe));
            assertTrue(e.getMessage().contains("longer than the entry count"), e.getMessage());
            memory.putLong(entry + NEXT_OFFSET, 0);
        }
    }
}
