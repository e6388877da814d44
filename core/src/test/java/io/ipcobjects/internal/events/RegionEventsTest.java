package io.ipcobjects.internal.events;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.lock.LockHandOffTest;
import io.ipcobjects.testing.Children;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.CapturedLog;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What happens behind the users' backs is told: each event gives one line on the
 * {@code io.ipcobjects} {@link System.Logger} (captured here through {@code java.util.logging},
 * the JDK's default backend) and, for the lock and the heap, a Flight Recorder event with its
 * fields. The dead processes are real child JVMs killed with {@code -9}.
 */
class RegionEventsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @RegisterExtension
    final CapturedLog log = new CapturedLog();

    /** The one captured line at {@code level} that contains {@code text}; fails listing all lines otherwise. */
    private String line(Level level, String text) {
        List<LogRecord> records = log.records();
        List<String> matching = records.stream().filter(r -> r.getLevel().equals(level))
                .map(LogRecord::getMessage).filter(m -> m.contains(text)).toList();
        assertEquals(1, matching.size(), "one " + level + " line containing '" + text + "' among "
                + records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
        return matching.getFirst();
    }

    private static List<RecordedEvent> events(Recording recording, String name) throws IOException {
        Path file = Files.createTempFile("ipcobjects-events", ".jfr");
        try {
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** args: region name, signal file. Allocates a block inside a scope (logged), signals, and holds the lock until killed. */
    public static final class AllocateAndHold {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Access a = shm.acquire();
            a.allocate(4096);
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
            a.close();
        }
    }

    @Test
    void aTakeoverFromAKilledProcessIsLoggedWithWhatItRolledBackAndRecordedWithTheWait() throws Exception {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        SharedMemoryOptions quickCheck = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, quickCheck);
             Recording recording = new Recording()) {
            long usedBefore = shm.stats().usedBytes();
            recording.enable("io.ipcobjects.LockTakeover");
            recording.enable("io.ipcobjects.LockWait").withThreshold(Duration.ZERO);
            recording.start();
            long childPid;
            try (ChildJvm holder = ChildJvm.start(AllocateAndHold.class, name, holding.toString())) {
                ReadySignal.await(holding, TIMEOUT, holder);
                childPid = holder.pid();
                holder.kill9();
            }
            try (Access a = shm.acquire()) {
                assertEquals(usedBefore, a.stats().usedBytes(), "the dead holder's allocation was rolled back");
            }
            assertEquals(1, shm.processStats().lockTakeovers());
            recording.stop();

            String takeover = line(Level.WARNING, "took the lock over");
            assertTrue(takeover.contains("process " + childPid + " that died holding it"), takeover);
            assertTrue(takeover.contains("rolled its open scope back ("), takeover);
            assertTrue(takeover.contains(shm.path().toString()), takeover);
            String reclaimed = line(Level.INFO, "is reclaimed");
            assertTrue(reclaimed.contains("process " + childPid + " is gone"), reclaimed);

            List<RecordedEvent> takeovers = events(recording, "io.ipcobjects.LockTakeover");
            assertEquals(1, takeovers.size(), "one takeover event: " + takeovers);
            RecordedEvent event = takeovers.getFirst();
            assertEquals(childPid, event.getLong("deadPid"));
            assertFalse(event.getBoolean("threadOfThisProcess"));
            assertTrue(event.getLong("rolledBackBytes") > 0, "rolled back bytes: " + event);
            assertEquals(shm.path().toString(), event.getString("region"));
            List<RecordedEvent> waits = events(recording, "io.ipcobjects.LockWait");
            assertTrue(waits.stream().anyMatch(w -> "TAKEN_OVER".equals(w.getString("outcome"))),
                    "the wait that ended in the takeover was recorded: " + waits);
        }
    }

    @Test
    void aThreadThatEndsHoldingTheLockIsNamedAsSuchInTheTakeoverLine() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Thread dying = new Thread(() -> shm.acquire()); // never closed: the thread ends holding the lock
            dying.start();
            dying.join();
            try (Access a = shm.acquire()) {
                a.free(a.allocate(16)); // the lock is usable again
            }
            String takeover = line(Level.WARNING, "took the lock over");
            assertTrue(takeover.contains("from a thread of this process that died holding it"), takeover);
            assertTrue(takeover.contains("nothing to roll back"), takeover);
        }
    }

    @Test
    void anAllocationThatDoesNotFitIsRecordedAndLoggedAtDebugLevel() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20);
             Recording recording = new Recording()) {
            recording.enable("io.ipcobjects.AllocationFailure");
            recording.start();
            try (Access a = shm.acquire()) {
                assertThrows(OutOfSharedMemoryException.class, () -> a.allocate(4 << 20));
            }
            recording.stop();
            String line = line(Level.FINE, "allocation of " + (4 << 20) + " bytes failed");
            assertTrue(line.contains("bytes free, largest free block"), line);
            List<RecordedEvent> failures = events(recording, "io.ipcobjects.AllocationFailure");
            assertEquals(1, failures.size(), failures.toString());
            assertEquals(4 << 20, failures.getFirst().getLong("requestedBytes"));
            assertTrue(failures.getFirst().getLong("freeBytes") > 0);
        }
    }

    @Test
    void aFileThatIsNotARegionIsRefusedWithALogLine() throws IOException {
        Path path = regions.newPath("not-a-region");
        byte[] text = new byte[8192];
        java.util.Arrays.fill(text, (byte) 'x');
        Files.write(path, text);
        Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.attach(path, Duration.ofMillis(200), SharedMemoryOptions.defaults()).close());
        String refused = line(Level.WARNING, "refused region " + path);
        assertTrue(refused.contains("not an ipc-objects region"), refused);
    }

    @Test
    void aReplacedStaleRegionIsLoggedWithItsCreator() throws Exception {
        String name = regions.newName();
        Path created = regions.newPath("created");
        long childPid;
        try (ChildJvm creator = ChildJvm.start(Children.CreateAndHang.class, name, created.toString())) {
            ReadySignal.await(created, TIMEOUT, creator);
            childPid = creator.pid();
            creator.kill9();
        }
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            String replaced = line(Level.INFO, "replaced a stale region");
            assertTrue(replaced.contains("(created by process " + childPid + ")"), replaced);
            assertTrue(replaced.contains(shm.path().toString()), replaced);
        }
    }

    @Test
    void aRegionMarkedDamagedIsLoggedOnceAsAnError() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        SharedMemoryOptions quickCheck = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, quickCheck)) {
            try (ChildJvm holder = ChildJvm.start(LockHandOffTest.BreakTheHeapAndHold.class, name, holding.toString())) {
                ReadySignal.await(holding, TIMEOUT, holder);
                holder.kill9();
            }
            assertThrows(CorruptedRegionException.class, shm::acquire);
            assertThrows(CorruptedRegionException.class, shm::acquire);
            String damaged = line(Level.SEVERE, "is marked damaged");
            assertTrue(damaged.contains(shm.path().toString()) && damaged.contains("recreate it"), damaged);
        }
    }
}
