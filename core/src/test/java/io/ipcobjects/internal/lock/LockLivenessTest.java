package io.ipcobjects.internal.lock;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.Children;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who may take the lock when processes die or merely wait: a waiter killed while queued as
 * the successor must not keep the lock from the others, and a live owner is never taken over,
 * however many owner-check intervals a contender waits. Owner checks every 5-10 ms here, so a
 * wrong liveness decision shows within the test's waits.
 */
class LockLivenessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** How promptly a waiter must get a released lock when the only other claim is a dead successor's. */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static SharedMemoryOptions checkEvery(long millis) {
        return SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(millis));
    }

    private static void newCounter(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            long counter = a.allocate(8);
            a.block(counter).set(ValueLayout.JAVA_LONG, 0, 0L);
            a.setUserRoot(counter);
        }
    }

    /** The successor half of the lock word: the one place these tests look inside the lock. */
    private static long queuedSuccessor(SharedMemory shm) {
        return LockLayout.successor(TestAccess.context(shm).memory().getLongVolatile(LockLayout.LOCK_WORD_OFFSET));
    }

    /** The lock held by this process, with a killed child queued behind it as successor ({@code deadToken}). */
    private record HeldWithDeadSuccessor(Access held, long deadToken) {
    }

    /**
     * This process takes the lock; a child queues behind it as successor and is killed with -9.
     * Returns once the dead child is the queued successor, the lock still held.
     */
    private static HeldWithDeadSuccessor holdWithADeadSuccessor(SharedMemory shm, String name) {
        Access held = shm.acquire();
        try (ChildJvm waiter = ChildJvm.start(Children.Increment.class, name, "1")) {
            ChildJvm.awaitCondition(() -> queuedSuccessor(shm) != 0, TIMEOUT, "the child queued as the lock's successor", waiter);
            waiter.kill9();
        }
        long dead = queuedSuccessor(shm);
        assertNotEquals(0, dead, "the killed child is still registered as successor");
        return new HeldWithDeadSuccessor(held, dead);
    }

    /** Waits (at most {@link #PROMPTLY}) until a live waiter replaced the dead successor in the queue. */
    private static void awaitLiveSuccessorInsteadOf(SharedMemory shm, long deadToken, ChildJvm... watched) {
        ChildJvm.awaitCondition(() -> queuedSuccessor(shm) != deadToken && queuedSuccessor(shm) != 0, PROMPTLY,
                "live waiter queued in place of the killed successor (the dead one was not cleared)", watched);
    }

    @Test
    void aWaiterKilledWhileQueuedAsSuccessorDoesNotKeepTheLockFromAnotherHandle() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, checkEvery(10));
             SharedMemory other = SharedMemory.attach(name, TIMEOUT, checkEvery(10))) {
            newCounter(shm);
            HeldWithDeadSuccessor lock = holdWithADeadSuccessor(shm, name);
            // Another attachment (its own process-table token) waits behind a live owner and a dead successor.
            CompletableFuture<Long> tookAt = CompletableFuture.supplyAsync(() -> {
                try (Access a = other.tryAcquire(TIMEOUT)) {
                    assertNotNull(a, "the other handle never got the lock");
                    return System.nanoTime();
                }
            });
            awaitLiveSuccessorInsteadOf(shm, lock.deadToken());
            long released = System.nanoTime();
            lock.held().close();
            long took = tookAt.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(Duration.ofNanos(took - released).compareTo(PROMPTLY) < 0,
                    "the waiter got the lock only " + Duration.ofNanos(took - released) + " after its release");
            assertEquals(0, shm.lockTakeovers(), "nobody died holding the lock: no takeover");
            assertEquals(1, shm.consumerCount(), "the killed child's slot was reclaimed; the other handle's stays");
            shm.verify();
        }
    }

    @Test
    void aWaiterKilledWhileQueuedAsSuccessorDoesNotKeepTheLockFromAThirdProcess() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, checkEvery(10))) {
            newCounter(shm);
            HeldWithDeadSuccessor lock = holdWithADeadSuccessor(shm, name);
            try (ChildJvm third = ChildJvm.start(Children.Increment.class, name, "100")) {
                ChildJvm.awaitCondition(() -> shm.consumerCount() == 1, TIMEOUT, "the third process to attach", third);
                awaitLiveSuccessorInsteadOf(shm, lock.deadToken(), third);
                lock.held().close();
                ChildJvm.Result r = third.awaitSuccess(TIMEOUT);
                assertEquals("100", r.value("done"), r.describe());
            }
            try (Access a = shm.tryAcquire(PROMPTLY)) {
                assertNotNull(a, "the creator gets the lock again");
                assertEquals(100, a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0));
                a.verify();
            }
            assertEquals(0, shm.lockTakeovers());
        }
    }

    @Test
    void aLiveOwnerInAnotherProcessIsNeverTakenOver() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, checkEvery(5))) {
            newCounter(shm);
            try (ChildJvm holder = ChildJvm.start(Children.HoldLockForever.class, name, holding.toString())) {
                ReadySignal.await(holding, TIMEOUT, holder);
                // 100 owner checks of a live owner, from two waiters of this process.
                CompletableFuture<Access> second = CompletableFuture.supplyAsync(() -> shm.tryAcquire(Duration.ofMillis(500)));
                assertNull(shm.tryAcquire(Duration.ofMillis(500)), "took the lock from a live owner");
                assertNull(second.join(), "took the lock from a live owner");
                assertEquals(0, shm.lockTakeovers());
                assertTrue(holder.process().isAlive());
                holder.kill9();
            }
            try (Access a = shm.tryAcquire(PROMPTLY)) {
                assertNotNull(a, "the dead holder's lock is taken over");
            }
            assertEquals(1, shm.lockTakeovers());
        }
    }

    @Test
    void aLiveOwnerOfThisProcessOnAnotherHandleIsNeverTakenOver() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, checkEvery(5));
             SharedMemory other = SharedMemory.attach(name, TIMEOUT, checkEvery(5))) {
            Access held = other.acquire(); // same pid, another process-table slot
            try {
                assertNull(shm.tryAcquire(Duration.ofMillis(300)), "took the lock from a live owner");
                assertEquals(0, shm.lockTakeovers());
            } finally {
                held.close();
            }
            try (Access a = shm.tryAcquire(PROMPTLY)) {
                assertNotNull(a);
            }
            assertEquals(0, shm.lockTakeovers());
        }
    }
}
