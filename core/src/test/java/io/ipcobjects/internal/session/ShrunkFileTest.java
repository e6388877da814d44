package io.ipcobjects.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.testing.TestRegions;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A region file that shrinks under its mapping (someone truncates it): the memory fault the JVM
 * reports as an {@link InternalError} reaches the caller as {@link CorruptedRegionException},
 * and the region is marked damaged for every process.
 */
class ShrunkFileTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aFaultAfterTheFileShrankIsACorruptedRegionAndTheRegionIsMarkedDamaged() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20)) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                values.add("value-" + i + "-".repeat(i % 100)); // spread over the heap
            }
            shm.put("big", values);
            Path file = TestAccess.handle(shm).path();
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(64 * 1024); // header and the start of the heap stay; the rest is gone
            }
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> {
                try (Access a = shm.acquire()) {
                    @SuppressWarnings("unchecked")
                    List<String> big = (List<String>) a.get("big");
                    for (String s : big) {
                        assertTrue(s.startsWith("value-"));
                    }
                }
            });
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
            assertEquals(RegionHeaderLayout.DAMAGE_MEMORY_FAULT,
                    TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET));
            CorruptedRegionException again = assertThrows(CorruptedRegionException.class, () -> shm.get("big"));
            assertTrue(again.getMessage().contains("damaged"), again.getMessage());
        }
    }
}
