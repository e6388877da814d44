package io.ipcobjects.internal.lock;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lock scope's one-shot operations (a call outside {@code acquire()} takes the lock for
 * itself) give the lock back on every path, and a handle reports its closing and closed states
 * as they are.
 */
class LockScopeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Whether another thread can take the lock at once: nobody holds it. */
    private static boolean freeForAnotherThread(SharedMemory shm) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try (Access a = shm.tryAcquire(Duration.ZERO)) {
                return a != null;
            }
        }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Object field(Object owner, String name) {
        try {
            Field field = LockScope.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static LockScope scopeOf(SharedMemory shm) {
        return TestAccess.handle(shm).scope();
    }

    /** The handle's lock: the one its scope uses. */
    private static RegionLock lockOf(SharedMemory shm) {
        return (RegionLock) field(scopeOf(shm), "lock");
    }

    private static long lockWord(SharedMemory shm) {
        return TestAccess.context(shm).memory().getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
    }

    private static void assertReleased(SharedMemory shm, String after) throws Exception {
        assertFalse(shm.isHeldByCurrentThread(), "still held after " + after);
        assertTrue(freeForAnotherThread(shm), "another thread could not take the lock after " + after);
    }

    @Test
    void everyOneShotOperationGivesTheLockBack() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            assertEquals(5L, (Long) shm.putMessage(5L));
            assertReleased(shm, "putMessage");
            assertEquals(5L, shm.takeMessage(Long.class), "the typed take returns the message");
            assertReleased(shm, "takeMessage(Class)");
            shm.putMessage("a message in a node");
            assertEquals("a message in a node", shm.takeMessage(TIMEOUT));
            assertReleased(shm, "takeMessage(Duration)");
            List<Object> list = shm.share(new ArrayList<>());
            assertReleased(shm, "share");
            list.add(7L);
            assertReleased(shm, "list.add");
            assertEquals(7L, list.get(0));
            assertReleased(shm, "list.get");
            assertEquals(1, list.size());
            assertReleased(shm, "list.size");
            Map<Object, Object> map = shm.share(new HashMap<>());
            map.put("k", 1L);
            assertReleased(shm, "map.put");
            assertEquals(1L, map.get("k"));
            map.clear();
            assertReleased(shm, "map.clear");
            assertTrue(map.isEmpty());
            try (Access a = shm.acquire()) {
                list.add(8L); // inside a scope: no lock of its own, the scope keeps holding
                assertTrue(shm.isHeldByCurrentThread());
                assertEquals(2, list.size());
                assertTrue(shm.isHeldByCurrentThread());
            }
            assertReleased(shm, "the scope");
        }
    }

    @Test
    void aConsumerSeesTheCreatorClosingAndItsOwnClose() throws Exception {
        String name = regions.newName();
        SharedMemory creator = SharedMemory.create(name, 1 << 20);
        SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
        assertFalse(consumer.isClosing());
        assertFalse(consumer.isClosed());
        assertFalse(creator.isClosing());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(creator::close);
        ChildJvm.awaitCondition(consumer::isClosing, TIMEOUT, "the consumer to see the creator closing");
        assertFalse(consumer.isClosed(), "closing, not closed: the consumer still finishes its work");
        consumer.close();
        assertTrue(consumer.isClosed());
        assertTrue(consumer.isClosing());
        closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(creator.isClosed());
        assertTrue(creator.isClosing());
    }

    @Test
    void aClosedHandleIsClosingAtOnce() {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 1 << 20)) {
            SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
            consumer.close();
            assertTrue(consumer.isClosed());
            assertTrue(consumer.isClosing(), "a closed handle reports closing although the region is still ready");
            assertFalse(creator.isClosing());
        }
    }

    @Test
    void aClosingHandleBeginsNoNewScopeOnAnyPath() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            List<Object> list = shm.share(new ArrayList<>());
            LockScope scope = scopeOf(shm);
            scope.markClosing();
            assertThrows(RegionClosedException.class, shm::acquire);
            assertThrows(RegionClosedException.class, () -> shm.tryAcquire(Duration.ZERO));
            assertThrows(RegionClosedException.class, () -> scope.enter(Long.MAX_VALUE));
            assertThrows(RegionClosedException.class, () -> list.add(1L), "a one-shot call");
            assertThrows(RegionClosedException.class, () -> shm.takeMessage(Long.class), "a one-shot call watching first");
            // Waiting for a message that is not there: refused at the first look, not at the deadline.
            assertThrows(RegionClosedException.class, () -> shm.takeMessage(Duration.ofSeconds(10)));
            assertFalse(shm.isHeldByCurrentThread());
            assertEquals(0, lockWord(shm), "nothing took the lock");
        }
    }

    @Test
    void aDamagedOrWipedRegionIsRefusedByEveryAdmissionAndTheLockLetGo() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            List<Object> list = shm.share(new ArrayList<>());
            MemorySegment header = TestAccess.context(shm).memory().segment();
            header.set(ValueLayout.JAVA_INT, RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, shm::acquire);
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
            assertThrows(CorruptedRegionException.class, () -> shm.tryAcquire(Duration.ZERO));
            assertThrows(CorruptedRegionException.class, () -> list.add(1L));
            assertThrows(CorruptedRegionException.class, () -> shm.put("x", 1L));
            assertEquals(0, lockWord(shm), "every refused admission let the lock go");
            assertFalse(shm.isHeldByCurrentThread());
            header.set(ValueLayout.JAVA_INT, RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_NONE);
            list.add(1L);
            // A header without its magic (the creator wipes the magic first): the region is gone.
            header.set(ValueLayout.JAVA_LONG, RegionHeaderLayout.MAGIC_OFFSET, 0L);
            assertThrows(RegionClosedException.class, shm::acquire);
            assertEquals(0, lockWord(shm));
            header.set(ValueLayout.JAVA_LONG, RegionHeaderLayout.MAGIC_OFFSET, RegionHeaderLayout.MAGIC);
            assertEquals(List.of(1L), list);
        }
    }

    @Test
    void aOneShotCallTakesTheLockOnceAndInsideAScopeAddsNoHold() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            LockScope scope = scopeOf(shm);
            RegionLock lock = lockOf(shm);
            assertNotNull(scope.newIdleStrategy());
            assertNotSame(scope.newIdleStrategy(), scope.newIdleStrategy(), "a fresh idle strategy (they keep state) for each wait");
            AtomicInteger ran = new AtomicInteger();
            for (boolean inScope : new boolean[] {false, true}) {
                Access a = inScope ? shm.acquire() : null;
                String where = inScope ? "inside a scope" : "outside a scope";
                assertEquals(inScope, scope.inScope(), where);
                assertEquals(inScope, scope.inScopeOperation(), where);
                assertEquals(1, scope.call(lock::holdsOfCurrentThread), where + ": call");
                assertEquals(1, scope.callWatchingFirst(lock::holdsOfCurrentThread), where + ": callWatchingFirst");
                assertEquals(10L, scope.callLong(() -> 10L * lock.holdsOfCurrentThread()), where + ": callLong");
                scope.run(() -> ran.set(lock.holdsOfCurrentThread()));
                assertEquals(1, ran.getAndSet(0), where + ": run");
                assertEquals(inScope ? 1 : 0, lock.holdsOfCurrentThread(), where + ": the holds after the calls");
                if (a != null) {
                    a.close();
                }
                assertReleased(shm, where);
            }
        }
    }

    @Test
    void callWhenLooksUntilItsConditionHoldsUnderTheLockAndGivesUpAtItsDeadline() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            LockScope scope = scopeOf(shm);
            long far = System.nanoTime() + TIMEOUT.toNanos();
            // Ready without the lock at once, but twice taken by someone else before this thread had the lock.
            AtomicInteger underLock = new AtomicInteger();
            assertEquals("ran", scope.callWhen(() -> true, () -> underLock.incrementAndGet() > 2, () -> "ran", Long.MAX_VALUE, "thing"));
            assertEquals(3, underLock.get(), "looked under the lock until it held");
            assertReleased(shm, "callWhen");
            // Ready only at the fourth look, well before the deadline.
            AtomicInteger looks = new AtomicInteger();
            assertEquals("ran", scope.callWhen(() -> looks.incrementAndGet() > 3, () -> true, () -> "ran", far, "thing"));
            assertEquals(4, looks.get());
            // Never ready, or never ready under the lock: the deadline ends the wait.
            long soon = System.nanoTime() + Duration.ofMillis(20).toNanos();
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class,
                    () -> scope.callWhen(() -> false, () -> true, () -> "ran", soon, "thing"));
            assertTrue(e.getMessage().contains("no thing"), e.getMessage());
            long alsoSoon = System.nanoTime() + Duration.ofMillis(20).toNanos();
            assertThrows(WaitTimeoutException.class, () -> scope.callWhen(() -> true, () -> false, () -> "ran", alsoSoon, "thing"));
            assertReleased(shm, "callWhen timing out");
            try (Access a = shm.acquire()) {
                assertThrows(IllegalStateException.class, () -> scope.callWhen(() -> true, () -> true, () -> "ran", far, "thing"),
                        "no wait for another process while holding the lock");
            }
        }
    }

    @Test
    void enterAndEnterForCloseTakeTheLockOrTimeOut() throws Exception {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT)) {
            LockScope scope = scopeOf(one);
            assertEquals(RegionLock.Acquired.ACQUIRED, lockOf(two).acquire(Long.MAX_VALUE));
            assertFalse(scope.enterForClose(System.nanoTime() + Duration.ofMillis(50).toNanos()), "held by the other handle");
            assertFalse(scope.isHeldByCurrentThread());
            assertFalse(scope.enter(System.nanoTime() + Duration.ofMillis(50).toNanos()), "a scope's entry times out the same way");
            assertFalse(scope.isHeldByCurrentThread());
            lockOf(two).release();
            assertTrue(scope.enterForClose(Long.MAX_VALUE));
            assertTrue(scope.isHeldByCurrentThread());
            scope.releaseAllHolds();
            assertEquals(0, lockWord(one));
        }
    }

    /**
     * A consumer closed (with a short close timeout) while another of its threads is in a scope:
     * the close does not wait for it beyond the timeout, that thread's next operation is refused,
     * and the handle detaches from the region right after that thread's last exit, not before.
     */
    @Test
    void aHandleClosedWhileAnotherOfItsThreadsHoldsTheLockDetachesAtThatThreadsLastExit() throws Exception {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20)) {
            SharedMemory two = SharedMemory.attach(name, TIMEOUT, SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofMillis(100)));
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            List<Object> list = two.share(new ArrayList<>());
            LockScope scope = scopeOf(two);
            AtomicReference<Throwable> late = new AtomicReference<>();
            AtomicReference<Throwable> lateView = new AtomicReference<>();
            Thread holder = new Thread(() -> {
                Access a = two.acquire();
                try {
                    held.countDown();
                    go.await();
                    try {
                        list.add(1L); // a view's fast path inside the scope
                    } catch (Throwable t) {
                        lateView.set(t);
                    }
                    a.put("late", 1L);
                } catch (Throwable t) {
                    late.set(t);
                } finally {
                    a.close();
                }
            });
            holder.start();
            try {
                assertTrue(held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                assertFalse(scope.awaitOtherHolders(System.nanoTime() + Duration.ofMillis(20).toNanos()), "the holder holds");
                two.close(); // gives up waiting for the holder after 100 ms
                assertTrue(two.isClosed());
                assertEquals(1, one.consumerCount(), "still attached: the holder's scope is open");
            } finally {
                go.countDown();
                holder.join(TIMEOUT.toMillis());
            }
            assertFalse(holder.isAlive());
            assertTrue(scope.awaitOtherHolders(System.nanoTime()), "nobody holds it any more");
            assertInstanceOf(RegionClosedException.class, lateView.get(), "the holder's view operation after the close");
            assertInstanceOf(RegionClosedException.class, late.get(), "the holder's operation after the close");
            assertEquals(0, one.consumerCount(), "detached at the holder's last exit");
            assertFalse(one.names().contains("late"));
            assertTrue(freeForAnotherThread(one));
        }
    }

    /**
     * A consumer closing while another of its threads is in a scope waits for that scope (within
     * its timeout). The holder and the closer are threads of their own: a holder blocked in a
     * shared pool would keep the closer from running.
     */
    @Test
    void aClosingHandleLetsAnotherOfItsThreadsFinishItsScope() throws Exception {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20)) {
            SharedMemory two = SharedMemory.attach(name, TIMEOUT);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread holder = new Thread(() -> {
                try (Access a = two.acquire()) {
                    held.countDown();
                    go.await();
                    a.put("during the close", 1L);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            holder.start();
            Thread closer = new Thread(two::close);
            try {
                assertTrue(held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
                closer.start();
                LockScope scope = scopeOf(two);
                ChildJvm.awaitCondition(() -> (boolean) field(scope, "closing"), TIMEOUT, "the close to begin");
                assertFalse(two.isClosed(), "the close waits for the open scope");
            } finally {
                go.countDown();
                holder.join(TIMEOUT.toMillis());
                closer.join(TIMEOUT.toMillis());
            }
            assertNull(failure.get(), () -> "the holder's operation during the close: " + failure.get());
            assertFalse(closer.isAlive());
            assertTrue(two.isClosed());
            assertEquals(1L, (Long) one.get("during the close"));
            assertEquals(0, one.consumerCount());
        }
    }

    /** While the creator closes (waiting up to a minute for consumers to detach), an attached consumer is still admitted. */
    @Test
    void aConsumerIsAdmittedWhileTheCreatorCloses() throws Exception {
        String name = regions.newName();
        SharedMemory creator = SharedMemory.create(name, 1 << 20, SharedMemoryOptions.defaults().withCloseTimeout(TIMEOUT));
        creator.put("kept", 1L);
        SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
        Thread closing = new Thread(creator::close);
        closing.start();
        try {
            ChildJvm.awaitCondition(consumer::isClosing, TIMEOUT, "the consumer to see the creator closing");
            try (Access a = consumer.acquire()) {
                assertEquals(1L, (Long) a.get("kept"), "a CLOSING region serves its consumers");
            }
            assertTrue(closing.isAlive(), "the creator waits for the consumer");
        } finally {
            consumer.close();
            closing.join(TIMEOUT.toMillis());
        }
        assertTrue(creator.isClosed());
    }

    /** A consumer still attached when the creator has closed (it waited 100 ms for it) is refused. */
    @Test
    void aConsumerIsRefusedOnceTheCreatorHasClosed() {
        String name = regions.newName();
        SharedMemory creator = SharedMemory.create(name, 1 << 20, SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofMillis(100)));
        try (SharedMemory consumer = SharedMemory.attach(name, TIMEOUT)) {
            creator.close();
            RegionClosedException e = assertThrows(RegionClosedException.class, consumer::acquire);
            assertTrue(e.getMessage().contains("closed by its creator"), e.getMessage());
            assertThrows(RegionClosedException.class, () -> consumer.tryAcquire(Duration.ZERO));
            assertFalse(consumer.isHeldByCurrentThread());
        }
    }
}
