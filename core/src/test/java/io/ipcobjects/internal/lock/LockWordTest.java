package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.lock.LockLayout.word;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.lock.RegionLock.Acquired;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.lang.reflect.Field;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lock word after each step of the slow path, driven from one thread through the locks of two
 * handles of one region (two process-table slots, two tokens: two processes as far as the word
 * knows), with the word set by hand where a step needs a process that died: a token whose slot
 * generation has moved on names a dead process. No step depends on timing: a waiter whose
 * deadline has passed still looks at the word, and the owner check runs when it gives up.
 */
class LockWordTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Owner checks every millisecond: a waiter with a deadline 50 ms away checks at least once. */
    private static final SharedMemoryOptions OPTIONS = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(1));

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static Object field(Object owner, Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** The handle's lock: the one its scopes use. */
    private static RegionLock lockOf(SharedMemory shm) {
        return (RegionLock) field(TestAccess.handle(shm).scope(), LockScope.class, "lock");
    }

    /** The handle's 32-bit lock token. */
    private static long tokenOf(RegionLock lock) {
        return (long) field(lock, RegionLock.class, "token");
    }

    private static RegionMemory memory(SharedMemory shm) {
        return TestAccess.context(shm).memory();
    }

    private static long lockWord(SharedMemory shm) {
        return memory(shm).getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
    }

    private static void setLockWord(SharedMemory shm, long word) {
        memory(shm).segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, LockLayout.LOCK_WORD_OFFSET, word);
    }

    private static long soon() {
        return System.nanoTime() + Duration.ofMillis(50).toNanos();
    }

    /** Tokens of processes that are gone: a slot out of range (both ends), and a live slot's token of an older generation. */
    private static long[] deadTokens(long liveToken) {
        long slotPlusOne = liveToken & 0xFF;
        long generation = LockLayout.lockTokenGeneration(liveToken);
        long olderGeneration = ((generation + LockLayout.GENERATION_MASK) & LockLayout.GENERATION_MASK) << 8;
        long someGeneration = (generation | 1) << 8; // never 0: a token of 0 would mean "nobody"
        return new long[] {someGeneration, someGeneration | 65, olderGeneration | slotPlusOne};
    }

    @Test
    void aWaiterWhoseDeadlinePassesWithdrawsItsRegistrationAndTheOwnerKeepsTheLock() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            long ta = tokenOf(a);
            assertNotEquals(ta, tokenOf(b));
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            assertEquals(word(0, ta), lockWord(one));
            assertEquals(Acquired.TIMED_OUT, b.acquire(soon()));
            assertEquals(word(0, ta), lockWord(one), "the timed-out waiter is no longer the successor");
            assertFalse(b.isHeldByCurrentThread());
            assertEquals(Acquired.TIMED_OUT, b.acquire(soon(), true), "watching first, then queued, then timed out");
            assertEquals(word(0, ta), lockWord(one));
            assertEquals(Acquired.TIMED_OUT, b.acquireWithin(Duration.ofMillis(50).toNanos()));
            assertEquals(Acquired.TIMED_OUT, b.acquireWithin(0));
            assertEquals(word(0, ta), lockWord(one));
            assertEquals(0, a.takeovers(), "a live owner is never taken over");
            a.release();
            assertEquals(0, lockWord(one));
            assertEquals(Acquired.ACQUIRED, b.acquire(soon()));
            b.release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void aReentrantAcquisitionCountsAHoldOnEveryPath() {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionLock a = lockOf(one);
            long ta = tokenOf(a);
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE, true));
            assertEquals(Acquired.REENTERED, a.acquire(Long.MAX_VALUE));
            assertEquals(Acquired.REENTERED, a.acquire(soon(), true));
            assertEquals(Acquired.REENTERED, a.acquireWithin(0));
            assertEquals(4, a.holdsOfCurrentThread());
            for (int held = 3; held > 0; held--) {
                a.release();
                assertEquals(held, a.holdsOfCurrentThread());
                assertEquals(word(0, ta), lockWord(one), "still held with " + held + " holds");
            }
            a.release();
            assertEquals(0, lockWord(one));
            assertFalse(a.isHeldByCurrentThread());
            assertThrows(IllegalMonitorStateException.class, a::release);
        }
    }

    @Test
    void aDeadOwnerIsTakenOverOnceAndAQueuedLiveSuccessorStaysQueued() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            long ta = tokenOf(a);
            long tb = tokenOf(b);
            long takeovers = b.takeovers();
            for (long dead : deadTokens(tb)) {
                // Nobody queued: the waiter queues, then replaces the dead owner and drops its own registration.
                setLockWord(one, word(0, dead));
                assertEquals(Acquired.TAKEN_OVER, b.acquire(Long.MAX_VALUE), "dead owner " + Long.toHexString(dead));
                assertEquals(word(0, tb), lockWord(one));
                assertEquals(++takeovers, b.takeovers());
                b.release();
                assertEquals(0, lockWord(one));

                // Another (live) process queued: it stays the successor of the new owner.
                setLockWord(one, word(ta, dead));
                assertEquals(Acquired.TAKEN_OVER, b.acquire(Long.MAX_VALUE), "dead owner " + Long.toHexString(dead));
                assertEquals(word(ta, tb), lockWord(one));
                assertEquals(++takeovers, b.takeovers());
                b.release();
                assertEquals(word(ta, 0), lockWord(one), "freed for the queued successor");
                assertEquals(Acquired.ACQUIRED, a.acquire(soon()), "the successor takes its turn");
                assertEquals(word(0, ta), lockWord(one));
                a.release();
            }
            assertEquals(1, one.consumerCount(), "the live attached handle keeps its slot");
        }
    }

    @Test
    void aDeadSuccessorIsClearedByTheNextWaiterWhichQueuesInItsPlace() {
        String name = regions.newName();
        // No burst for the waiter: it may not barge past the queued (dead) successor.
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS.withLockBurstLimit(0))) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            long ta = tokenOf(a);
            long tb = tokenOf(b);
            for (long dead : deadTokens(tb)) {
                assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
                setLockWord(one, word(dead, ta));
                // b cannot take the lock (a holds it), but it clears the dead successor, queues, and withdraws at its deadline.
                assertEquals(Acquired.TIMED_OUT, b.acquire(soon()));
                assertEquals(word(0, ta), lockWord(one), "dead successor " + Long.toHexString(dead) + " cleared");
                assertEquals(0, b.takeovers(), "the owner is alive");
                // With the dead successor queued again and the lock released to it, b clears it and takes the free lock.
                setLockWord(one, word(dead, ta));
                a.release();
                assertEquals(word(dead, 0), lockWord(one), "released: free, the dead successor still queued");
                assertEquals(Acquired.ACQUIRED, b.acquireWithin(Duration.ofSeconds(60).toNanos()));
                assertEquals(word(0, tb), lockWord(one));
                b.release();
                assertEquals(0, lockWord(one));
            }
        }
    }

    @Test
    void aLiveSuccessorQueuedIsNeitherPassedNorReplacedByAWaiterWithoutBurst() {
        String name = regions.newName();
        // b may not barge (burst limit 0); c is a live process that stands queued in the word.
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS.withLockBurstLimit(0));
             SharedMemory three = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            long ta = tokenOf(lockOf(one));
            RegionLock b = lockOf(two);
            long tb = tokenOf(b);
            long tc = tokenOf(lockOf(three));
            for (long held : new long[] {0, ta}) {
                long queued = word(tc, held);
                setLockWord(one, queued);
                assertEquals(Acquired.TIMED_OUT, b.acquire(soon()), "word " + Long.toHexString(queued));
                assertEquals(queued, lockWord(one), "c stays the successor, the lock stays as it was");
                assertEquals(Acquired.TIMED_OUT, b.acquire(soon(), true), "watching first: word " + Long.toHexString(queued));
                assertEquals(queued, lockWord(one));
                assertEquals(Acquired.TIMED_OUT, b.acquireWithin(Duration.ofMillis(50).toNanos()));
                assertEquals(queued, lockWord(one));
            }
            // b itself queued, the lock released to it: it takes it and drops its registration in one step.
            setLockWord(one, word(tb, 0));
            assertEquals(Acquired.ACQUIRED, b.acquire(soon()));
            assertEquals(word(0, tb), lockWord(one));
            b.release();
            assertEquals(0, lockWord(one));
            assertEquals(0, b.takeovers());
        }
    }

    @Test
    void aWaiterChecksTheOwnerOnlyOnceAnOwnerCheckIntervalOfWaitingHasPassed() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS.withOwnerCheckInterval(Duration.ofHours(1)))) {
            RegionLock b = lockOf(two);
            long dead = deadTokens(tokenOf(b))[2];
            setLockWord(one, word(0, dead));
            // 50 ms of waiting, far less than the hour between checks: the dead owner is never looked at.
            assertEquals(Acquired.TIMED_OUT, b.acquire(soon()));
            assertEquals(Acquired.TIMED_OUT, b.acquireWithin(Duration.ofMillis(50).toNanos()));
            assertEquals(word(0, dead), lockWord(one), "registered, then withdrawn at the deadline; the owner left alone");
            assertEquals(0, b.takeovers());
            // The handle checking every millisecond takes it over.
            assertEquals(Acquired.TAKEN_OVER, lockOf(one).acquire(Long.MAX_VALUE));
            lockOf(one).release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void theCreatorsSlotIsNeverMistakenForADeadOne() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            for (RegionLock[] pair : new RegionLock[][] {{a, b}, {b, a}}) {
                assertEquals(Acquired.ACQUIRED, pair[0].acquire(Long.MAX_VALUE));
                // Owner checks every millisecond for 50 ms: the live owner is checked, never taken over.
                assertEquals(Acquired.TIMED_OUT, pair[1].acquire(soon()));
                assertEquals(word(0, tokenOf(pair[0])), lockWord(one));
                pair[0].release();
            }
            assertEquals(0, a.takeovers());
        }
    }

    @Test
    void aHandleClosedWhileItsThreadHoldsTheLockReleasesItForTheOthers() throws Exception {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS)) {
            SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS);
            Access held = two.acquire();
            assertNotNull(held);
            held.put("written", 1L);
            two.close(); // the thread still holds the lock through this handle
            assertEquals(0, lockWord(one), "the closing handle let the lock go");
            try (Access a = one.tryAcquire(Duration.ZERO)) {
                assertNotNull(a, "free at once");
                assertEquals(1L, (Long) a.get("written"));
            }
            assertEquals(0, one.lockTakeovers(), "nobody had to take it over");
            assertEquals(0, one.consumerCount());
            // The close committed the scope: a later takeover (here from a thread of this handle
            // that ends holding the lock without writing) has nothing to roll back.
            LockScope scope = TestAccess.handle(one).scope();
            DeadHolderWatch.forget(scope);
            Thread dies = new Thread(() -> one.acquire()); // never closed
            dies.start();
            dies.join(TIMEOUT.toMillis());
            assertFalse(dies.isAlive());
            try (Access a = one.acquire()) {
                assertEquals(1, one.lockTakeovers(), "taken from the ended thread");
                assertEquals(1L, (Long) a.get("written"), "the closed handle's write was committed, not rolled back");
            }
        }
    }
}
