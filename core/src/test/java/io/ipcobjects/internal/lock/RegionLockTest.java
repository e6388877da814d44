package io.ipcobjects.internal.lock;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.Children;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegionLockTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static void newCounter(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            long counter = a.allocate(8);
            a.block(counter).set(ValueLayout.JAVA_LONG, 0, 0L);
            a.setUserRoot(counter);
        }
    }

    private static long counter(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            return a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Test
    void fourProcessesIncrementingUnderTheLockLoseNothing() {
        String name = regions.newName();
        int perProcess = 100_000;
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm);
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    children.add(ChildJvm.start(Children.Increment.class, name, Integer.toString(perProcess)));
                }
                for (ChildJvm child : children) {
                    ChildJvm.Result result = child.awaitSuccess(CHILD_TIMEOUT);
                    assertEquals(Integer.toString(perProcess), result.value("done"), result.describe());
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals(4L * perProcess, counter(shm));
            shm.verify();
        }
    }

    @Test
    void aProcessKilledWhileHoldingTheLockDoesNotFreezeTheOthers() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm);
            try (ChildJvm holder = ChildJvm.start(Children.HoldLockForever.class, name, holding.toString())) {
                ReadySignal.await(holding, CHILD_TIMEOUT, holder);
                assertNull(shm.tryAcquire(Duration.ofMillis(50)), "the holder owns the lock");
                long takeoversBefore = shm.lockTakeovers();
                // The waiter starts only now, so it must meet the held lock.
                try (ChildJvm waiter = ChildJvm.start(Children.Increment.class, name, "1000")) {
                    ChildJvm.awaitCondition(() -> shm.consumerCount() >= 2, CHILD_TIMEOUT, "the waiter to attach", waiter);
                    holder.kill9();
                    ChildJvm.Result result = waiter.awaitSuccess(CHILD_TIMEOUT);
                    assertEquals("1000", result.value("done"), result.describe());
                    assertEquals(takeoversBefore + 1, shm.lockTakeovers(), "exactly one process took the dead owner's lock");
                }
            }
            // The holder's increment (1000) was complete before it died, plus the waiter's 1000.
            assertEquals(2000, counter(shm));
            shm.verify();
        }
    }

    @Test
    void theCreatorItselfTakesOverFromADeadOwner() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        SharedMemoryOptions quickCheck = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, quickCheck)) {
            newCounter(shm);
            try (ChildJvm holder = ChildJvm.start(Children.HoldLockForever.class, name, holding.toString())) {
                ReadySignal.await(holding, CHILD_TIMEOUT, holder);
                holder.kill9();
            }
            long takeoversBefore = shm.lockTakeovers();
            try (Access a = shm.acquire()) {
                assertEquals(1000, a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0));
                a.verify();
            }
            assertEquals(takeoversBefore + 1, shm.lockTakeovers(), "the creator's acquire took the lock over from the dead holder");
            assertEquals(0, shm.consumerCount(), "the dead holder's process slot was reclaimed");
        }
    }

    @Test
    void twoProcessesLoopingOnTheLockEachGetAFairShare() {
        String name = regions.newName();
        // Fairness is a property of the lock under contention: a racer the scheduler of a loaded
        // machine leaves waiting is not queued, and the other rightly runs alone meanwhile. So
        // the shares are compared over the increments made while the other racer was queued.
        long total = 1_000_000;
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm);
            Path readyA = regions.newPath("ready-a");
            Path readyB = regions.newPath("ready-b");
            Path go = regions.newPath("go");
            try (ChildJvm a = ChildJvm.start(Children.Race.class, name, Long.toString(total), readyA.toString(), go.toString(), "2");
                 ChildJvm b = ChildJvm.start(Children.Race.class, name, Long.toString(total), readyB.toString(), go.toString(), "2")) {
                ReadySignal.await(readyA, CHILD_TIMEOUT, a, b);
                ReadySignal.await(readyB, CHILD_TIMEOUT, a, b);
                ReadySignal.signal(go);
                ChildJvm.Result ra = a.awaitSuccess(CHILD_TIMEOUT);
                ChildJvm.Result rb = b.awaitSuccess(CHILD_TIMEOUT);
                long mineA = Long.parseLong(ra.value("mine"));
                long mineB = Long.parseLong(rb.value("mine"));
                long counted = counter(shm);
                assertTrue(counted >= total, "the racers reached the total: " + counted);
                assertEquals(counted, mineA + mineB, "every increment belongs to one of them");
                long contendedA = Long.parseLong(ra.value("contended"));
                long contendedB = Long.parseLong(rb.value("contended"));
                System.out.printf("lock fairness over %d acquisitions: %d vs %d, %d vs %d while the other was queued%n%s%n%s%n",
                        total, mineA, mineB, contendedA, contendedB, ra.value("stats"), rb.value("stats"));
                long contended = contendedA + contendedB;
                assertTrue(contended > 0, "the racers never contended: " + ra.describe() + rb.describe());
                assertTrue(contendedA >= contended / 5 && contendedB >= contended / 5,
                        "neither may get less than 20% of the contended acquisitions: " + contendedA + " vs " + contendedB);
            }
        }
    }

    @Test
    void tryAcquireTimesOutWhileAnotherProcessHoldsTheLock() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            newCounter(shm);
            try (ChildJvm holder = ChildJvm.start(Children.HoldLockForever.class, name, holding.toString())) {
                ReadySignal.await(holding, CHILD_TIMEOUT, holder);
                assertNull(shm.tryAcquire(Duration.ofMillis(100)));
                assertFalse(shm.isHeldByCurrentThread());
                holder.kill9();
            }
        }
    }

    @Test
    void theLockIsReentrantForItsThread() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Access outer = shm.acquire();
            Access inner = shm.acquire();
            assertTrue(shm.isHeldByCurrentThread());
            inner.close();
            assertTrue(shm.isHeldByCurrentThread(), "still held by the outer scope");
            outer.close();
            assertFalse(shm.isHeldByCurrentThread());
        }
    }

    @Test
    void otherThreadsOfTheSameProcessWaitLikeOtherProcesses() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Access held = shm.acquire();
            AtomicReference<Access> other = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> other.set(shm.tryAcquire(Duration.ofMillis(100))));
            t.join();
            assertNull(other.get(), "another thread must not enter while this one holds the lock");
            CountDownLatch entered = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try (Access a = shm.acquire()) {
                    entered.countDown();
                }
            });
            held.close();
            waiter.join(30_000);
            assertEquals(0, entered.getCount(), "the waiting thread entered after the release");
        }
    }

    @Test
    void accessMustBeClosedByItsOwnThread() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Access a = shm.acquire();
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    a.close();
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            t.join();
            assertInstanceOf(IllegalStateException.class, error.get());
            a.close();
        }
    }
}
