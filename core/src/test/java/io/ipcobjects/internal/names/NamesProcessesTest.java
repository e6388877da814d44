package io.ipcobjects.internal.names;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Named objects put in one process are found, replaced and removed in others. */
class NamesProcessesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void namesAreVisibleAcrossProcesses() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            try (ChildJvm publisher = ChildJvm.start(Publisher.class, name)) {
                ChildJvm.Result r = publisher.awaitSuccess(Duration.ofSeconds(60));
            }
            try (Access a = shm.acquire()) {
                assertEquals(Set.of("train-images", "epoch", "nothing", "名前"), a.names());
                assertEquals("images in shared memory", a.get("train-images"));
                assertEquals(3L, (Long) a.get("epoch"));
                assertTrue(a.contains("nothing"));
                assertNull(a.get("nothing"));
                assertEquals("unicode", a.get("名前"));
                a.put("epoch", 4L);
                assertTrue(a.remove("nothing"));
            }
            try (ChildJvm reader = ChildJvm.start(Reader.class, name)) {
                ChildJvm.Result r = reader.awaitSuccess(Duration.ofSeconds(60));
                assertEquals("[epoch, train-images, 名前]", r.value("names"), r.describe());
                assertEquals("4", r.value("epoch"), r.describe());
                assertEquals("false", r.value("nothing"), r.describe());
            }
            assertEquals(Set.of("train-images", "名前"), shm.names(), "the reader removed epoch");
            shm.verify();
        }
    }

    public static final class Publisher {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60)); Access a = shm.acquire()) {
                a.put("train-images", "images in shared memory");
                a.put("epoch", 3L);
                a.put("nothing", null);
                a.put("名前", "unicode");
            }
        }
    }

    public static final class Reader {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60))) {
                System.out.println("names=" + new TreeSet<>(shm.names()));
                System.out.println("epoch=" + shm.get("epoch"));
                System.out.println("nothing=" + shm.contains("nothing"));
                System.out.println("removed=" + shm.remove("epoch"));
            }
        }
    }
}
