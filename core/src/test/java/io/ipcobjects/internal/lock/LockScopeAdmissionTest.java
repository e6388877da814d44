package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.lock.LockLayout.word;
import static io.ipcobjects.internal.lock.LockOutcomesTest.deadTokenOfNoSlot;
import static io.ipcobjects.internal.lock.LockOutcomesTest.lockWord;
import static io.ipcobjects.internal.lock.LockOutcomesTest.memory;
import static io.ipcobjects.internal.lock.LockOutcomesTest.ownLock;
import static io.ipcobjects.internal.lock.LockOutcomesTest.setLockWord;
import static io.ipcobjects.internal.lock.LockOutcomesTest.tokenOf;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.CapturedLog;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@link LockScope} does when it admits a fresh acquisition: the heap check runs after a
 * takeover and only then, what the takeover line says (a thread or a process, what was rolled
 * back), a damaged region is refused before the dead holder's scope is touched, a fault in the
 * check lets the lock go; and the hold identity, the handle's path, memory faults and the
 * closing handle's refusal. The scopes with a dead holder thread are made here, on a lock of
 * their own ({@link LockOutcomesTest#ownLock}), and are not watched by {@link DeadHolderWatch},
 * so the test's own thread is the one that finds the dead holder.
 */
class LockScopeAdmissionTest {

    private static final SharedMemoryOptions OPTIONS = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(1));
    /** A word of the header nothing reads (the lock counters' reserved word): written in a scope, it is logged. */
    private static final long SPARE_WORD = LockLayout.COUNTERS_RESERVED_OFFSET;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @RegisterExtension
    final CapturedLog log = new CapturedLog();

    /** The messages of the captured lines that contain {@code text}. */
    private List<String> lines(String text) {
        return log.records().stream().map(LogRecord::getMessage).filter(m -> m != null && m.contains(text)).toList();
    }

    /** A scope of {@code shm}'s region on a lock of its own, not watched for dead holders, with {@code onTakeover} as its heap check. */
    private static LockScope ownScope(SharedMemory shm, RegionLock lock, Runnable onTakeover) {
        LockScope scope = new LockScope(shm.path(), memory(shm), lock, BackoffIdleStrategy::new, onTakeover);
        DeadHolderWatch.forget(scope);
        return scope;
    }

    /** Enters {@code scope} on a new thread, writes {@code value} to the spare word there, and ends without leaving it. */
    private static void dieInAScopeAfterWriting(LockScope scope, RegionMemory memory, long value) throws InterruptedException {
        Thread thread = new Thread(() -> {
            assertTrue(scope.enter(Long.MAX_VALUE));
            memory.putLong(SPARE_WORD, value);
        });
        thread.start();
        thread.join(60_000);
        assertFalse(thread.isAlive());
        assertFalse(scope.isHeldByCurrentThread());
    }

    @Test
    void aTakeoverAndOnlyATakeoverRunsTheHeapCheckAndIsLoggedWithWhatItRolledBack() throws InterruptedException {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionMemory memory = memory(shm);
            RegionLock lock = ownLock(shm, BackoffIdleStrategy::new, 16);
            AtomicInteger checks = new AtomicInteger();
            LockScope scope = ownScope(shm, lock, checks::incrementAndGet);

            assertTrue(scope.enter(Long.MAX_VALUE));
            assertTrue(scope.enterWithin(0));
            scope.exit();
            scope.exit();
            assertEquals(0, checks.get(), "no heap check without a takeover");

            dieInAScopeAfterWriting(scope, memory, 7);
            assertEquals(7, memory.getLong(SPARE_WORD));
            assertTrue(scope.enter(Long.MAX_VALUE));
            assertEquals(1, checks.get(), "the takeover ran the heap check");
            assertEquals(0, memory.getLong(SPARE_WORD), "the dead thread's write is rolled back");
            scope.exit();
            List<String> takeovers = lines("took the lock over");
            assertEquals(1, takeovers.size(), takeovers.toString());
            assertTrue(takeovers.getFirst().contains("from a thread of this process"), takeovers.getFirst());
            assertTrue(takeovers.getFirst().contains("rolled its open scope back ("), takeovers.getFirst());

            // A dead process that left nothing to roll back, and whose pid is unknown.
            setLockWord(shm, word(0, deadTokenOfNoSlot(tokenOf(lock))));
            assertTrue(scope.enter(Long.MAX_VALUE));
            assertEquals(2, checks.get());
            scope.exit();
            assertEquals(0, lockWord(shm));
            takeovers = lines("took the lock over");
            assertEquals(2, takeovers.size(), takeovers.toString());
            assertTrue(takeovers.get(1).contains("from process (pid unknown)"), takeovers.get(1));
            assertTrue(takeovers.get(1).contains("it had nothing to roll back"), takeovers.get(1));
        }
    }

    @Test
    void aDamagedRegionIsRefusedBeforeTheDeadHoldersScopeIsTouched() throws InterruptedException {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionMemory memory = memory(shm);
            RegionLock lock = ownLock(shm, BackoffIdleStrategy::new, 16);
            AtomicInteger checks = new AtomicInteger();
            LockScope scope = ownScope(shm, lock, checks::incrementAndGet);

            dieInAScopeAfterWriting(scope, memory, 7);
            scope.markDamaged(RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT);
            CorruptedRegionException refused = assertThrows(CorruptedRegionException.class, () -> scope.enter(Long.MAX_VALUE));
            assertTrue(refused.getMessage().contains("is damaged"), refused.getMessage());
            assertEquals(7, memory.getLong(SPARE_WORD), "nothing rolled back in a damaged region");
            assertEquals(0, checks.get(), "no heap check either");
            assertFalse(scope.isHeldByCurrentThread());
            assertEquals(0, lockWord(shm), "the lock is given back");
        }
    }

    @Test
    void aMemoryFaultInTheTakeoverCheckMarksTheRegionDamagedAndLetsTheLockGo() throws InterruptedException {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionMemory memory = memory(shm);
            RegionLock lock = ownLock(shm, BackoffIdleStrategy::new, 16);
            InternalError fault = new InternalError("a fault occurred in an unsafe memory access");
            LockScope scope = ownScope(shm, lock, () -> {
                throw fault;
            });

            dieInAScopeAfterWriting(scope, memory, 7);
            CorruptedRegionException refused = assertThrows(CorruptedRegionException.class, () -> scope.enter(Long.MAX_VALUE));
            assertSame(fault, refused.getCause());
            assertEquals(RegionHeaderLayout.DAMAGE_MEMORY_FAULT, scope.damage());
            assertFalse(scope.isHeldByCurrentThread(), "the lock is given back");
            assertEquals(0, lockWord(shm));
            assertEquals(1, lines("is marked damaged").size());
        }
    }

    @Test
    void aMemoryFaultInAnOperationMarksTheRegionDamaged() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            LockScope scope = TestAccess.handle(shm).scope();
            InternalError fault = new InternalError("a fault occurred in an unsafe memory access");
            CorruptedRegionException failure = scope.memoryFault(fault);
            assertSame(fault, failure.getCause());
            assertTrue(failure.getMessage().contains(shm.path().toString()), failure.getMessage());
            assertEquals(RegionHeaderLayout.DAMAGE_MEMORY_FAULT, scope.damage());
            List<String> damaged = lines("is marked damaged");
            assertEquals(1, damaged.size(), damaged.toString());
            assertTrue(damaged.getFirst().contains(shm.path().toString()), damaged.getFirst());
            assertThrows(CorruptedRegionException.class, () -> scope.enter(Long.MAX_VALUE));
        }
    }

    @Test
    void aHoldIdentityStandsForOneHoldUntilItsLastExit() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            LockScope scope = TestAccess.handle(shm).scope();
            assertEquals(shm.path(), scope.path());
            assertNull(scope.holdIdentity(), "no hold, no identity");
            assertTrue(scope.enter(Long.MAX_VALUE));
            LockScope.Hold hold = scope.holdIdentity();
            assertNotNull(hold);
            assertTrue(hold.isCurrent());
            assertSame(hold, scope.holdIdentity());
            assertTrue(scope.enter(Long.MAX_VALUE));
            assertSame(hold, scope.holdIdentity(), "a reentry is the same hold");
            scope.exit();
            assertTrue(hold.isCurrent());
            assertSame(hold, scope.holdIdentity());
            scope.exit();
            assertFalse(hold.isCurrent(), "the hold ended with its last exit");
            assertNull(scope.holdIdentity());
            assertTrue(scope.enter(Long.MAX_VALUE));
            LockScope.Hold next = scope.holdIdentity();
            assertNotSame(hold, next);
            assertTrue(next.isCurrent());
            assertFalse(hold.isCurrent());
            scope.exit();
            assertFalse(next.isCurrent());
        }
    }

    @Test
    void aClosingOrClosedHandleRefusesNewScopesSayingWhich() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            LockScope scope = ownScope(shm, ownLock(shm, BackoffIdleStrategy::new, 16), () -> { });
            scope.markClosing();
            RegionClosedException closing = assertThrows(RegionClosedException.class, () -> scope.enter(Long.MAX_VALUE));
            assertTrue(closing.getMessage().endsWith("is being closed by this handle"), closing.getMessage());
            scope.markClosed();
            RegionClosedException closed = assertThrows(RegionClosedException.class, () -> scope.enterWithin(0));
            assertTrue(closed.getMessage().endsWith(" is closed"), closed.getMessage());
        }
    }
}
