package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.Children;
import io.ipcobjects.testing.Namespaces;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whether a process lives is the kernel's word (its file locks), not {@code /proc}'s: a process
 * in another pid namespace, as in a container sharing {@code /dev/shm}, is live although its pid
 * means nothing here, and a second handle in the same JVM is as live as another process. Every
 * handle checks owners every 10 ms, so a wrong "dead" verdict would show at once.
 */
class KernelLivenessTest {

    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);
    static final SharedMemoryOptions QUICK_CHECKS = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private Path signals;

    @BeforeEach
    void signalDirectory() throws IOException {
        signals = Files.createTempDirectory("ipcobjects-liveness");
    }

    @AfterEach
    void removeSignals() throws IOException {
        try (Stream<Path> files = Files.list(signals)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(signals);
    }

    // ---- the lock across pid namespaces ----

    @Test
    void aHolderInAnotherPidNamespaceKeepsTheLockUntilItReleasesOrDies() throws IOException {
        Namespaces.assumeAvailable(Namespaces.NEW_PID_NAMESPACE);
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, QUICK_CHECKS);
             ChildJvm holder = ChildJvm.startWrapped(Namespaces.NEW_PID_NAMESPACE, List.of(), Holder.class, name,
                     signals.toString())) {
            ReadySignal.await(signals.resolve("held1"), SIGNAL_TIMEOUT, holder);
            assertEquals("1", signalledPid(signals.resolve("held1")), "the holder is pid 1 of its own namespace");
            contend(shm, signals, holder::kill9, holder);
            shm.verify();
        }
    }

    @Test
    void aContenderInAnotherPidNamespaceWaitsForAHolderOutside() {
        Namespaces.assumeAvailable(Namespaces.NEW_PID_NAMESPACE);
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, QUICK_CHECKS);
             ChildJvm holder = ChildJvm.start(Holder.class, name, signals.toString());
             ChildJvm contender = ChildJvm.startWrapped(Namespaces.NEW_PID_NAMESPACE, List.of(), Contender.class, name,
                     signals.toString())) {
            ReadySignal.await(signals.resolve("kill"), SIGNAL_TIMEOUT, holder, contender);
            holder.kill9();
            ChildJvm.Result result = contender.await(CHILD_TIMEOUT);
            assertEquals("ok", result.value("result"), result.describe());
            assertEquals(1, shm.lockTakeovers());
            shm.verify();
        }
    }

    /**
     * The contender's side, run by the test itself or by a {@link Contender} child: while the
     * holder holds the lock, waits time out and take nothing over; its release frees the lock;
     * once it is killed holding the lock again, exactly one takeover follows.
     */
    static void contend(SharedMemory shm, Path signals, Runnable killHolder, ChildJvm... holder) {
        ReadySignal.await(signals.resolve("held1"), SIGNAL_TIMEOUT, holder);
        // Four waits of 400 ms, many owner checks each (counted, not timed: a loaded machine only slows them).
        for (int timeouts = 0; timeouts < 4; timeouts++) {
            Access access = shm.tryAcquire(Duration.ofMillis(400));
            if (access != null) {
                access.close();
                throw new AssertionError("took the lock from a live holder (takeovers: " + shm.lockTakeovers() + ")");
            }
        }
        check(shm.lockTakeovers() == 0, "takeovers while the holder lived: " + shm.lockTakeovers());
        ReadySignal.signal(signals.resolve("release1"));
        ReadySignal.await(signals.resolve("released1"), SIGNAL_TIMEOUT, holder);
        try (Access access = shm.tryAcquire(Duration.ofSeconds(30))) {
            check(access != null, "the holder released, yet the lock stayed taken");
        }
        check(shm.lockTakeovers() == 0, "a takeover after a release: " + shm.lockTakeovers());
        ReadySignal.signal(signals.resolve("hold2"));
        ReadySignal.await(signals.resolve("held2"), SIGNAL_TIMEOUT, holder);
        check(shm.tryAcquire(Duration.ofMillis(300)) == null, "took the lock from the live holder's second hold");
        killHolder.run();
        try (Access access = shm.tryAcquire(Duration.ofSeconds(30))) {
            check(access != null, "the killed holder's lock was not taken over");
            access.verify();
        }
        check(shm.lockTakeovers() == 1, "takeovers after the kill: " + shm.lockTakeovers());
    }

    /** The pid a signal file holds, once its writer has written it (the file appears empty first). */
    private static String signalledPid(Path signal) throws IOException {
        long deadline = System.nanoTime() + SIGNAL_TIMEOUT.toNanos();
        String pid = Files.readString(signal);
        while (pid.isEmpty() && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            pid = Files.readString(signal);
        }
        return pid;
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** args: region name, signal directory. Holds the lock, releases it on request, holds it again until killed. */
    public static final class Holder {
        public static void main(String[] args) throws InterruptedException {
            Path signals = Path.of(args[1]);
            SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30), QUICK_CHECKS);
            Access access = shm.acquire();
            ReadySignal.signal(signals.resolve("held1"));
            ReadySignal.await(signals.resolve("release1"), SIGNAL_TIMEOUT);
            access.close();
            ReadySignal.signal(signals.resolve("released1"));
            ReadySignal.await(signals.resolve("hold2"), SIGNAL_TIMEOUT);
            shm.acquire();
            ReadySignal.signal(signals.resolve("held2"));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** args: region name, signal directory. Runs {@link #contend}; asks the test to kill the holder through a signal file. */
    public static final class Contender {
        public static void main(String[] args) {
            Path signals = Path.of(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30), QUICK_CHECKS)) {
                contend(shm, signals, () -> ReadySignal.signal(signals.resolve("kill")));
                System.out.println("result=ok");
            } catch (RuntimeException | AssertionError e) {
                System.out.println("result=" + e);
            }
        }
    }

    // ---- stale regions across pid namespaces ----

    @Test
    void aRegionWhoseCreatorLivesInAnotherPidNamespaceIsNotReplaced() {
        Namespaces.assumeAvailable(Namespaces.NEW_PID_NAMESPACE);
        String name = regions.newName();
        Path created = signals.resolve("created");
        try (ChildJvm creator = ChildJvm.startWrapped(Namespaces.NEW_PID_NAMESPACE, List.of(), Children.CreateAndHang.class,
                name, created.toString())) {
            ReadySignal.await(created, SIGNAL_TIMEOUT);
            RegionExistsException e = assertThrows(RegionExistsException.class,
                    () -> SharedMemory.create(name, 1 << 20, QUICK_CHECKS));
            assertTrue(e.getMessage().contains("is alive"), e.getMessage());
            creator.kill9();
        }
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, QUICK_CHECKS)) {
            assertTrue(shm.isCreator(), "once the creator is dead, its region is stale and replaced");
            shm.verify();
        }
    }

    @Test
    void aRegionWhoseOnlyConsumerLivesInAnotherPidNamespaceIsNotReplaced() {
        Namespaces.assumeAvailable(Namespaces.NEW_PID_NAMESPACE);
        String name = regions.newName();
        Path created = signals.resolve("created");
        Path attached = signals.resolve("attached");
        Path go = signals.resolve("go");
        try (ChildJvm creator = ChildJvm.start(Children.CreateAndHang.class, name, created.toString());
             ChildJvm consumer = ChildJvm.startWrapped(Namespaces.NEW_PID_NAMESPACE, List.of(),
                     Children.AttachWaitThenUse.class, name, attached.toString(), go.toString())) {
            ReadySignal.await(created, SIGNAL_TIMEOUT);
            ReadySignal.await(attached, SIGNAL_TIMEOUT);
            creator.kill9();
            RegionExistsException e = assertThrows(RegionExistsException.class,
                    () -> SharedMemory.create(name, 1 << 20, QUICK_CHECKS));
            assertTrue(e.getMessage().contains("is alive"), e.getMessage());
            ReadySignal.signal(go);
            consumer.await(CHILD_TIMEOUT); // it detaches and exits
        }
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, QUICK_CHECKS)) {
            shm.verify();
        }
    }

    // ---- two handles in one JVM ----

    @Test
    void twoHandlesInOneJvmSeeEachOtherAsLive() {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 1 << 20, QUICK_CHECKS);
             SharedMemory holder = SharedMemory.attach(name, Duration.ofSeconds(5), QUICK_CHECKS)) {
            SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5), QUICK_CHECKS);
            assertEquals(2, creator.consumerCount());
            Access held = holder.acquire();
            assertNull(creator.tryAcquire(Duration.ofMillis(300)), "a live handle of this JVM keeps its lock");
            assertNull(other.tryAcquire(Duration.ofMillis(300)));

            // Closing one handle's descriptor must not drop another's locks (POSIX record locks would).
            other.close();
            assertEquals(1, creator.consumerCount());
            assertNull(creator.tryAcquire(Duration.ofMillis(300)), "the holder is still live after another handle closed");
            assertEquals(0, creator.lockTakeovers());

            held.close();
            try (Access access = creator.tryAcquire(Duration.ofSeconds(5))) {
                assertNotNull(access);
            }
            assertEquals(0, creator.lockTakeovers());
        }
    }

    @Test
    void aClosedHandleInThisJvmIsNoLongerCounted() {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 1 << 20, QUICK_CHECKS)) {
            for (int i = 0; i < 3; i++) {
                SharedMemory consumer = SharedMemory.attach(name, Duration.ofSeconds(5), QUICK_CHECKS);
                assertEquals(1, creator.consumerCount());
                consumer.close();
                assertEquals(0, creator.consumerCount());
            }
        }
    }
}
