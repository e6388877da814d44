package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.lock.LockLayout.word;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lock's local level: the threads of one handle. A thread that ends holding the lock has
 * its last operation rolled back and the lock taken from it, by the next thread of its handle
 * or, for other processes, by the dead-holder watch; a thread waiting for the local level waits
 * until its deadline, and then still waits for the shared word like any process.
 *
 * <p>Threads here are threads of one handle (what the local level is for); a second handle in
 * this JVM stands for another process, as everywhere in this package.
 */
class LocalLevelTest {

    /** Bytes of one write to existing data that is past 1/8 of the undo log of a 1 MiB region. */
    private static final int BIG_WRITE = 16 << 10;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static RegionLock lockOf(SharedMemory shm) {
        try {
            Field field = LockScope.class.getDeclaredField("lock");
            field.setAccessible(true);
            return (RegionLock) field.get(TestAccess.handle(shm).scope());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static long tokenOf(SharedMemory shm) {
        try {
            Field field = RegionLock.class.getDeclaredField("token");
            field.setAccessible(true);
            return (long) field.get(lockOf(shm));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static long lockWord(SharedMemory shm) {
        return TestAccess.context(shm).memory().getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
    }

    /** Runs {@code body} on a new thread holding the lock of {@code shm}, which it never releases; returns when the thread has ended. */
    private static void dieHolding(SharedMemory shm, Consumer<Access> body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                body.accept(shm.acquire()); // never closed
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.start();
        thread.join(TIMEOUT.toMillis());
        assertFalse(thread.isAlive());
        assertNull(failure.get(), () -> "the thread failed before it ended: " + failure.get());
    }

    /**
     * Each way an operation begins inside a scope (an {@code Access} method, a view's fast path,
     * and the four one-shot calls run inside the scope) commits what the scope wrote before it
     * once that is more than 1/8 of the undo log: a thread that ends holding the lock after such
     * a write and one more operation has only that last operation rolled back, when another
     * thread of its handle takes the lock (through {@code acquire()} or {@code enter}).
     * The dead-holder watch is switched off for this handle, so the waiting thread is the one
     * that takes over, every time.
     */
    @Test
    void aThreadThatEndsHoldingTheLockIsTakenOverByTheNextThreadOfItsHandleAndOnlyItsLastOperationUndone() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            LockScope scope = TestAccess.handle(shm).scope();
            DeadHolderWatch.forget(scope);
            RegionMemory memory = TestAccess.context(shm).memory();
            SharedList<Object> list = shm.share(new ArrayList<>());
            long counter;
            long big;
            try (Access a = shm.acquire()) {
                counter = a.allocate(16);
                memory.putLong(counter, 0);
                big = a.allocate(BIG_WRITE); // more than 1/8 of a 1 MiB region's undo log
            }
            List<String> paths = List.of("access", "view", "call", "callWatchingFirst", "callLong", "run");
            for (int i = 0; i < paths.size(); i++) {
                String path = paths.get(i);
                long value = 10L * i;
                dieHolding(shm, a -> {
                    // The first write, then a large one to existing data: the window is past
                    // 1/8 of the log, so the operation that begins through `path` commits both.
                    switch (path) {
                        case "access" -> a.put("n", value + 1);
                        case "view" -> list.add(value + 1);
                        default -> memory.putLong(counter, value + 1);
                    }
                    memory.fill(big, BIG_WRITE, (byte) value);
                    long next = value + 2; // the open operation, undone
                    switch (path) {
                        case "access" -> a.put("n", next);
                        case "view" -> list.add(next);
                        case "call" -> scope.call(() -> {
                            memory.putLong(counter, next);
                            return null;
                        });
                        case "callWatchingFirst" -> scope.callWatchingFirst(() -> {
                            memory.putLong(counter, next);
                            return null;
                        });
                        case "callLong" -> scope.callLong(() -> {
                            memory.putLong(counter, next);
                            return next;
                        });
                        default -> scope.run(() -> memory.putLong(counter, next));
                    }
                });
                long takeovers = shm.lockTakeovers();
                // Alternately through acquire() (RegionLock.acquireWithin) and enter (RegionLock.acquire).
                Access taken = null;
                if (i % 2 == 1) {
                    assertTrue(scope.enter(Long.MAX_VALUE), path);
                } else {
                    taken = shm.acquire();
                }
                try {
                    assertEquals(takeovers + 1, shm.lockTakeovers(), path + ": the lock was taken from the dead thread");
                    assertEquals(word(0, tokenOf(shm)), lockWord(shm), path + ": the shared word stayed with this handle");
                    switch (path) {
                        case "access" -> assertEquals(value + 1, (Long) shm.get("n"), path);
                        case "view" -> assertEquals(value + 1, list.get(list.size() - 1), path + ": " + list);
                        default -> assertEquals(value + 1, memory.getLong(counter), path);
                    }
                } finally {
                    if (taken != null) {
                        taken.close();
                    } else {
                        scope.exit();
                    }
                }
            }
            assertEquals(List.of(11L), list, "the view's first add kept, its second undone");
            shm.verify();
        }
    }

    /**
     * A thread that ends holding the lock while no other thread of its process asks for it: the
     * dead-holder watch takes the lock from it (its last operation rolled back) and releases it,
     * so another process (a second handle) gets the lock.
     */
    @Test
    void aThreadThatEndsHoldingTheLockIsRecoveredForOtherProcessesByTheWatch() throws Exception {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT)) {
            one.put("n", 0L);
            long takeovers = one.lockTakeovers();
            dieHolding(one, a -> {
                a.put("n", 1L);
                a.put("n", 2L);
            });
            try (Access b = two.tryAcquire(TIMEOUT)) {
                assertNotNull(b, "the watch let the lock go");
                assertEquals(0L, (Long) b.get("n"), "the dead thread's open scope was rolled back whole");
            }
            assertEquals(takeovers + 1, one.lockTakeovers());
            assertEquals(0, lockWord(one));
            one.verify();
        }
    }

    /**
     * A thread waiting for its handle's local level while another thread of the handle holds the
     * lock: it waits (asleep: the sleeping wait strategy) past any guess of a delay, gets the
     * lock when the holder lets go, and gives up at its deadline if the holder does not. Then
     * the same with the shared word handed meanwhile to another process (burst limit 0, a second
     * handle queued): the thread that won the local level still waits for that process.
     */
    @Test
    void aThreadWaitsForTheLocalLevelUntilItsDeadlineAndThenForTheSharedWord() throws Exception {
        String name = regions.newName();
        SharedMemoryOptions sleeping = SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.sleeping()).withLockBurstLimit(0);
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, sleeping);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT)) {
            long t1 = tokenOf(one);
            long t2 = tokenOf(two);
            for (boolean otherProcessQueued : new boolean[] {false, true}) {
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch letGo = new CountDownLatch(1);
                Thread holder = new Thread(() -> {
                    try (Access a = one.acquire()) {
                        held.countDown();
                        letGo.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                holder.start();
                assertTrue(held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                assertNull(one.tryAcquire(Duration.ofMillis(50)), "the holder keeps it past the deadline");
                assertFalse(TestAccess.handle(one).scope().enter(System.nanoTime() + Duration.ofMillis(50).toNanos()),
                        "the same through enter: the holder keeps its local level");

                CountDownLatch otherHolds = new CountDownLatch(1);
                CountDownLatch otherLetsGo = new CountDownLatch(1);
                AtomicBoolean otherLetGo = new AtomicBoolean();
                Thread other = new Thread(() -> {
                    try (Access b = two.acquire()) {
                        otherHolds.countDown();
                        otherLetsGo.await();
                        otherLetGo.set(true);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                if (otherProcessQueued) {
                    other.start();
                    ChildJvm.awaitCondition(() -> lockWord(one) == word(t2, t1), TIMEOUT, "the other process to queue");
                }

                AtomicReference<Object> outcome = new AtomicReference<>();
                Thread waiter = new Thread(() -> {
                    try (Access a = one.tryAcquire(TIMEOUT)) {
                        outcome.set(a == null ? "timed out" : otherLetGo.get() ? "after the other process" : "acquired");
                    } catch (Throwable t) {
                        outcome.set(t);
                    }
                });
                waiter.start();
                ChildJvm.awaitCondition(() -> waiter.getState() == Thread.State.TIMED_WAITING || outcome.get() != null, TIMEOUT,
                        "the waiter to wait");
                assertNull(outcome.get(), "the waiter waits while the holder holds the lock");
                letGo.countDown();
                if (otherProcessQueued) {
                    assertTrue(otherHolds.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "handed over to the queued process");
                    ChildJvm.awaitCondition(() -> lockWord(one) == word(t1, t2) || outcome.get() != null, TIMEOUT,
                            "the waiter to queue behind the other process");
                    assertNull(outcome.get(), "the waiter waits for the shared word");
                    otherLetsGo.countDown();
                }
                waiter.join(TIMEOUT.toMillis());
                holder.join(TIMEOUT.toMillis());
                other.join(TIMEOUT.toMillis());
                assertEquals(otherProcessQueued ? "after the other process" : "acquired", outcome.get());
                assertEquals(0, lockWord(one));
            }
        }
    }
}
