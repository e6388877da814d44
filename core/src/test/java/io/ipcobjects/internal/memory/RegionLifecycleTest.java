package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.RegionNotFoundException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.Children;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegionLifecycleTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static void newCounter(SharedMemory shm, long value) {
        try (Access a = shm.acquire()) {
            long counter = a.allocate(8);
            a.block(counter).set(ValueLayout.JAVA_LONG, 0, value);
            a.setUserRoot(counter);
        }
    }

    private static long counter(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            return a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Test
    void consumerInAnotherProcessSeesAndChangesTheRegion() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm, 41);
            try (ChildJvm child = ChildJvm.start(Children.AttachAndRead.class, name, "30000")) {
                ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
                assertEquals("41", result.value("counter"), result.describe());
            }
            assertEquals(42, counter(shm));
            assertEquals(0, shm.consumerCount(), "the child's close freed its process slot");
            shm.verify();
        }
    }

    @Test
    void consumerThatAttachesBeforeTheCreatorExistsWaitsForIt() {
        String name = regions.newName();
        Path attaching = regions.newPath("signal");
        try (ChildJvm child = ChildJvm.start(Children.AttachAndRead.class, name, "60000", attaching.toString())) {
            ReadySignal.await(attaching, CHILD_TIMEOUT, child);
            assertFalse(Files.exists(SharedMemory.defaultPath(name)), "the region must not exist yet");
            try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
                newCounter(shm, 7);
                ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
                assertEquals("7", result.value("counter"), result.describe());
                assertEquals(8, counter(shm));
            }
        }
    }

    @Test
    void attachingToARegionNobodyCreatesTimesOutClearly() {
        String name = regions.newName();
        RegionNotFoundException e = assertThrows(RegionNotFoundException.class,
                () -> SharedMemory.attach(name, Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("no region at"), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void consumerAfterTheCreatorClosedGetsRegionClosed() {
        String name = regions.newName();
        Path attached = regions.newPath("attached");
        Path go = regions.newPath("go");
        SharedMemoryOptions quickClose = SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofMillis(300));
        SharedMemory shm = SharedMemory.create(name, 1 << 20, quickClose);
        newCounter(shm, 1);
        try (ChildJvm child = ChildJvm.start(Children.AttachWaitThenUse.class, name, attached.toString(), go.toString())) {
            ReadySignal.await(attached, CHILD_TIMEOUT, child);
            assertEquals(1, shm.consumerCount());
            shm.close(); // waits up to 300 ms for the consumer, then wipes and unlinks anyway
            assertFalse(Files.exists(shm.path()), "the creator's close removes the file");
            ReadySignal.signal(go);
            ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
            assertEquals("RegionClosedException", result.value("error"), result.describe());
        }
        // A consumer arriving after the close finds nothing.
        assertThrows(RegionNotFoundException.class, () -> SharedMemory.attach(name, Duration.ofMillis(100)));
        // And the creator's own handle refuses use.
        assertThrows(RegionClosedException.class, shm::acquire);
    }

    @Test
    void creatorCloseWaitsForConsumersToDetach() {
        String name = regions.newName();
        SharedMemory shm = SharedMemory.create(name, 1 << 20,
                SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofSeconds(60)));
        newCounter(shm, 0);
        Path attached = regions.newPath("attached");
        Path go = regions.newPath("go");
        try (ChildJvm child = ChildJvm.start(Children.AttachWaitThenUse.class, name, attached.toString(), go.toString())) {
            ReadySignal.await(attached, CHILD_TIMEOUT, child);
            Thread.ofPlatform().start(() -> {
                // Let the child go only once the creator is closing: it can still finish its work.
                while (!shm.isClosing()) {
                    Thread.onSpinWait();
                }
                ReadySignal.signal(go);
            });
            shm.close(); // returns only after the child detached
            ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
            assertEquals("0", result.value("counter"), "the child used the region before close finished: " + result.describe());
        }
    }

    @Test
    void manyConsumersAttachAtOnce() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm, 0);
            SharedMemory[] consumers = new SharedMemory[70];
            for (int i = 0; i < 64 - 1; i++) {
                consumers[i] = SharedMemory.attach(name, Duration.ofSeconds(5));
            }
            assertEquals(63, shm.consumerCount());
            var e = assertThrows(io.ipcobjects.IpcObjectsException.class, () -> SharedMemory.attach(name, Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains("process table is full"), e.getMessage());
            for (int i = 0; i < 63; i++) {
                consumers[i].close();
            }
            assertEquals(0, shm.consumerCount());
        }
    }

    @Test
    void createRefusesALiveRegionAndReplacesADeadCreatorsRegion() throws IOException {
        String name = regions.newName();
        Path created = regions.newPath("created");
        try (ChildJvm child = ChildJvm.start(Children.CreateAndHang.class, name, created.toString())) {
            ReadySignal.await(created, CHILD_TIMEOUT, child);
            RegionExistsException e = assertThrows(RegionExistsException.class, () -> SharedMemory.create(name, 1 << 20));
            assertTrue(e.getMessage().contains("is alive"), e.getMessage());
            child.kill9();
        }
        assertTrue(Files.exists(SharedMemory.defaultPath(name)), "a killed creator leaves its file");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            assertTrue(shm.isCreator());
            shm.verify();
        }
    }

    @Test
    void regionFilesAreOwnerOnlyByDefaultAndWiderOnRequest() throws IOException {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(shm.path())));
        }
        String shared = regions.newName();
        var options = SharedMemoryOptions.defaults().withPermissions(PosixFilePermissions.fromString("rw-rw-r--"));
        try (SharedMemory shm = SharedMemory.create(shared, 1 << 20, options)) {
            assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(shm.path())));
        }
    }

    @Test
    void regionInAnyDirectoryByPath() throws IOException {
        Path dir = Files.createTempDirectory("ipcobjects-test");
        Path file = dir.resolve("region");
        try (SharedMemory shm = SharedMemory.create(file, 1 << 20, SharedMemoryOptions.defaults());
             SharedMemory consumer = SharedMemory.attach(file, Duration.ofSeconds(5), SharedMemoryOptions.defaults())) {
            newCounter(shm, 5);
            assertEquals(5, counter(consumer));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void closedHandleAndClosedAccessRefuseUse() {
        String name = regions.newName();
        SharedMemory shm = SharedMemory.create(name, 1 << 20);
        Access a = shm.acquire();
        a.close();
        assertThrows(IllegalStateException.class, () -> a.allocate(16));
        a.close(); // idempotent
        shm.close();
        shm.close(); // idempotent
        assertThrows(RegionClosedException.class, shm::acquire);
        assertThrows(RegionClosedException.class, shm::stats);
    }

    @Test
    void awaitConsumersTimesOutWithACount() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class,
                    () -> shm.awaitConsumers(1, Duration.ofMillis(50)));
            assertTrue(e.getMessage().contains("0 attached"), e.getMessage());
        }
    }

    @Test
    void awaitConsumersSeesChildProcesses() {
        String name = regions.newName();
        Path go = regions.newPath("go");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm, 0);
            Path a1 = regions.newPath("a1");
            Path a2 = regions.newPath("a2");
            try (ChildJvm c1 = ChildJvm.start(Children.AttachWaitThenUse.class, name, a1.toString(), go.toString());
                 ChildJvm c2 = ChildJvm.start(Children.AttachWaitThenUse.class, name, a2.toString(), go.toString())) {
                ChildJvm.awaitCondition(() -> shm.consumerCount() >= 2, CHILD_TIMEOUT, "two consumers", c1, c2);
                assertEquals(2, shm.consumerCount());
                ReadySignal.signal(go);
                assertEquals("0", c1.awaitSuccess(CHILD_TIMEOUT).value("counter"));
                assertEquals("0", c2.awaitSuccess(CHILD_TIMEOUT).value("counter"));
            }
        }
    }

    @Test
    void regionsLargerThanTwoGigabytesWork() {
        Path file = regions.newPath("big");
        long size = 3L << 30;
        try (SharedMemory shm = SharedMemory.create(file, size, SharedMemoryOptions.defaults())) {
            assertEquals(size, shm.size());
            long high;
            try (Access a = shm.acquire()) {
                long big = a.allocate(5L << 29); // 2.5 GiB: only its header page is touched
                high = a.allocate(64);
                assertTrue(high > (2L << 30) + 1, "the second block lies beyond 2 GiB: " + high);
                a.block(high).set(ValueLayout.JAVA_LONG, 0, 0x1234_5678_9ABCL);
                assertTrue(a.block(big).byteSize() >= 5L << 29);
                a.verify();
            }
            try (ChildJvm child = ChildJvm.start(Children.ReadHighOffset.class, file.toString(), Long.toString(high))) {
                ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
                assertEquals(Long.toString(0x1234_5678_9ABCL), result.value("value"), result.describe());
                assertEquals(Long.toString(size), result.value("size"), result.describe());
            }
            try (Access a = shm.acquire()) {
                assertEquals(42L, a.block(high).get(ValueLayout.JAVA_LONG, 0));
            }
        }
    }
}
