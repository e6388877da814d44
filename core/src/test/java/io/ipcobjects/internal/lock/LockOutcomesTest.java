package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.lock.LockLayout.word;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.ProcessStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.lock.RegionLock.Acquired;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.ProcessTable;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What each acquisition returns and how it is counted ({@link ProcessStats}: acquisitions,
 * waits, hand-offs, takeovers), on every way the lock can come: free, handed over, barged within
 * the burst, taken over from a dead process (the slot reclaimed, its pid named) or from a thread
 * of this process that died holding it. Driven from one thread through the locks of two or three
 * handles of one region, with the lock word set by hand where a step needs another process to
 * have queued or died, and with a lock of its own (not watched by {@link DeadHolderWatch}) where
 * a thread dies holding it. No step depends on timing.
 */
class LockOutcomesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
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

    static RegionLock lockOf(SharedMemory shm) {
        return (RegionLock) field(TestAccess.handle(shm).scope(), LockScope.class, "lock");
    }

    static long tokenOf(RegionLock lock) {
        return (long) field(lock, RegionLock.class, "token");
    }

    static RegionMemory memory(SharedMemory shm) {
        return TestAccess.context(shm).memory();
    }

    static long lockWord(SharedMemory shm) {
        return memory(shm).getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
    }

    static void setLockWord(SharedMemory shm, long word) {
        memory(shm).segment().set(java.lang.foreign.ValueLayout.JAVA_LONG, LockLayout.LOCK_WORD_OFFSET, word);
    }

    private static long soon() {
        return System.nanoTime() + Duration.ofMillis(50).toNanos();
    }

    /** A dead process's token: its slot is out of range, so nothing is known of it (no pid). */
    static long deadTokenOfNoSlot(long liveToken) {
        return ((LockLayout.lockTokenGeneration(liveToken) | 1) << 8) | (ProcessTableLayout.SLOT_COUNT + 1);
    }

    /**
     * A second lock object on the handle's lock word, with the handle's token and counters: the
     * same process as far as the word knows, but a local level of its own that no
     * {@link DeadHolderWatch} looks at, so a thread that dies holding it stays the holder.
     */
    static RegionLock ownLock(SharedMemory shm, Supplier<IdleStrategy> idle, int burstLimit) {
        RegionLock handles = lockOf(shm);
        long token = tokenOf(handles);
        RegionMemory memory = memory(shm);
        return new RegionLock(memory, (ProcessTable) field(handles, RegionLock.class, "processes"), token, idle,
                Duration.ofMillis(1).toNanos(), burstLimit,
                ProcessCounters.ofSlot(memory, LockLayout.lockTokenSlot(token)));
    }

    /**
     * Acquisitions, waits, hand-offs and takeovers counted in {@code shm}'s process-table slot
     * since {@code before}: read without the lock ({@code processStats()} would take it).
     */
    private static List<Long> since(ProcessStats before, SharedMemory shm) {
        ProcessStats now = stats(shm);
        return List.of(now.lockAcquisitions() - before.lockAcquisitions(), now.lockWaits() - before.lockWaits(),
                now.lockHandOffs() - before.lockHandOffs(), now.lockTakeovers() - before.lockTakeovers());
    }

    /** The lock counts of {@code shm}'s slot, read without the lock (the other fields 0). */
    private static ProcessStats stats(SharedMemory shm) {
        long[] c = ProcessCounters.read(memory(shm), LockLayout.lockTokenSlot(tokenOf(lockOf(shm))));
        return new ProcessStats(c[0], c[1], c[2], c[3], 0, 0, 0, 0, 0, 0);
    }

    /** Runs {@code acquisition} on a new thread that then ends (holding what it acquired); returns its result. */
    private static Acquired onAThreadThatEnds(Supplier<Acquired> acquisition) throws InterruptedException {
        AtomicReference<Acquired> result = new AtomicReference<>();
        Thread thread = new Thread(() -> result.set(acquisition.get()));
        thread.start();
        thread.join(TIMEOUT.toMillis());
        assertFalse(thread.isAlive());
        return result.get();
    }

    @Test
    void eachAcquisitionIsCountedWithHowTheLockCame() {
        String name = regions.newName();
        SharedMemoryOptions handOverAtOnce = OPTIONS.withLockBurstLimit(0);
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, handOverAtOnce);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, handOverAtOnce)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            long ta = tokenOf(a);
            long tb = tokenOf(b);
            ProcessStats one0 = stats(one);
            ProcessStats two0 = stats(two);

            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            assertEquals(List.of(1L, 0L, 0L, 0L), since(one0, one), "a free lock: one acquisition, no wait");
            setLockWord(one, word(tb, ta)); // b queued, as its slow path does
            a.release();
            assertEquals(word(0, tb), lockWord(one), "burst limit 0: handed straight to the successor");
            assertEquals(Acquired.ACQUIRED, b.acquire(soon()));
            assertEquals(List.of(1L, 1L, 1L, 0L), since(two0, two), "handed over: a wait and a hand-off");
            b.release();
            assertEquals(0, lockWord(one));

            setLockWord(one, word(0, deadTokenOfNoSlot(tb)));
            assertEquals(Acquired.TAKEN_OVER, b.acquire(Long.MAX_VALUE));
            assertEquals(word(0, tb), lockWord(one));
            assertEquals(0, b.lastTakeoverPid(), "a dead process whose slot is unknown: pid unknown, not a thread");
            assertEquals(List.of(2L, 2L, 1L, 1L), since(two0, two), "taken over: a wait and a takeover");
            b.release();
            assertEquals(List.of(1L, 0L, 0L, 0L), since(one0, one), "nothing counted for the process that was not there");
        }
    }

    @Test
    void aTakeoverFromADeadProcessReclaimsItsSlotAndNamesItsPid() {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionLock a = lockOf(one);
            long ta = tokenOf(a);
            RegionMemory memory = memory(one);
            // A process attached in the last slot (generation 7, pid 4242) died: its slot's byte lock is free.
            int slot = ProcessTableLayout.SLOT_COUNT - 1;
            long base = ProcessTableLayout.slotOffset(slot);
            memory.putLongUnlogged(base + ProcessTableLayout.PID_OFFSET, 4242);
            memory.putLongUnlogged(base + ProcessTableLayout.SLOT_WORD_OFFSET,
                    ProcessTableLayout.slotWord(7, ProcessTableLayout.STATE_ATTACHED));
            long dead = LockLayout.lockToken(ProcessTableLayout.token(slot, 7));
            setLockWord(one, word(0, dead));
            long takeovers = a.takeovers();

            assertEquals(Acquired.TAKEN_OVER, a.acquire(Long.MAX_VALUE));
            assertEquals(word(0, ta), lockWord(one));
            assertEquals(takeovers + 1, a.takeovers());
            assertEquals(4242, a.lastTakeoverPid(), "the pid recorded in the dead owner's slot");
            long slotWord = memory.getLongVolatile(base + ProcessTableLayout.SLOT_WORD_OFFSET);
            assertEquals(ProcessTableLayout.slotWord(7, ProcessTableLayout.STATE_FREE), slotWord, "the dead owner's slot is reclaimed");
            a.release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void aThreadThatDiedHoldingTheLockIsTakenOverByTheNextThread() throws InterruptedException {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionLock lock = ownLock(one, BackoffIdleStrategy::new, 16);
            long token = tokenOf(lock);
            long takeovers = lock.takeovers();
            ProcessStats before = stats(one);

            assertEquals(Acquired.ACQUIRED, onAThreadThatEnds(() -> lock.acquire(Long.MAX_VALUE)));
            assertEquals(Acquired.TAKEN_OVER, lock.acquire(Long.MAX_VALUE));
            assertEquals(takeovers + 1, lock.takeovers());
            assertEquals(-1, lock.lastTakeoverPid(), "taken over from a thread of this process");
            assertEquals(word(0, token), lockWord(one));
            assertEquals(List.of(2L, 1L, 0L, 1L), since(before, one), "the dead thread's acquisition, then a wait and a takeover");
            lock.release();
            assertEquals(0, lockWord(one));

            // A thread that died holding only the local level (before it had the shared word): nothing to take over.
            assertEquals(Acquired.ACQUIRED, onAThreadThatEnds(() -> lock.acquire(Long.MAX_VALUE)));
            setLockWord(one, 0);
            assertEquals(Acquired.ACQUIRED, lock.acquire(Long.MAX_VALUE));
            assertEquals(word(0, token), lockWord(one));
            lock.release();
            assertEquals(Acquired.ACQUIRED, onAThreadThatEnds(() -> lock.acquireWithin(Long.MAX_VALUE)));
            setLockWord(one, 0);
            assertEquals(Acquired.ACQUIRED, lock.acquireWithin(Long.MAX_VALUE));
            assertEquals(word(0, token), lockWord(one));
            lock.release();
            assertEquals(0, lockWord(one));
            assertEquals(takeovers + 1, lock.takeovers(), "no takeover counted for those two");
            assertEquals(List.of(6L, 3L, 0L, 1L), since(before, one), "each of the two waited for the dead thread");
        }
    }

    @Test
    void aWaitForTheLocalLevelThatTimesOutIsNotCountedAsAWait() throws InterruptedException {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionLock lock = ownLock(one, BackoffIdleStrategy::new, 16);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                lock.acquire(Long.MAX_VALUE);
                held.countDown();
                try {
                    letGo.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.release();
                }
            });
            holder.start();
            assertTrue(held.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            ProcessStats before = stats(one);
            assertEquals(Acquired.TIMED_OUT, lock.acquire(soon()));
            assertEquals(Acquired.TIMED_OUT, lock.acquireWithin(0));
            assertFalse(lock.isHeldByCurrentThread());
            letGo.countDown();
            holder.join(TIMEOUT.toMillis());
            assertFalse(holder.isAlive());
            assertEquals(Acquired.ACQUIRED, lock.acquire(Long.MAX_VALUE));
            lock.release();
            assertEquals(List.of(1L, 0L, 0L, 0L), since(before, one), "timed out waits are not waits of an acquisition");
        }
    }

    @Test
    void aProcessBargesOnlyWithinItsBurstAndThenHandsOver() {
        String name = regions.newName();
        SharedMemoryOptions burstOfTwo = OPTIONS.withLockBurstLimit(2);
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, burstOfTwo);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, burstOfTwo)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            long ta = tokenOf(a);
            long tb = tokenOf(b);
            ProcessStats one0 = stats(one);
            assertEquals(Acquired.ACQUIRED, a.acquireWithin(0), "a free lock, on acquireWithin's fast path");
            setLockWord(one, word(tb, ta)); // b queued
            a.release();
            assertEquals(word(tb, 0), lockWord(one), "free, b queued: a may re-take it within its burst");
            for (int barge = 1; barge <= 2; barge++) {
                assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE), "barge " + barge);
                assertEquals(word(tb, ta), lockWord(one), "b stays queued");
                a.release();
            }
            assertEquals(word(0, tb), lockWord(one), "its burst used up, a hands the lock to b");
            assertEquals(Acquired.ACQUIRED, b.acquire(soon()));
            b.release();
            assertEquals(0, lockWord(one));
            assertEquals(List.of(3L, 0L, 0L, 0L), since(one0, one), "barging is neither a wait nor a hand-off");
        }
    }

    @Test
    void aWaiterNeverTakesTheQueuedPlaceOfAnotherLiveProcess() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS);
             SharedMemory three = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            RegionLock c = lockOf(three);
            long ta = tokenOf(a);
            long tc = tokenOf(c);
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            setLockWord(one, word(tc, ta)); // c queued
            assertEquals(Acquired.TIMED_OUT, b.acquire(soon()));
            assertEquals(word(tc, ta), lockWord(one), "c is still the successor");
            assertEquals(Acquired.TIMED_OUT, b.acquire(soon(), true));
            assertEquals(word(tc, ta), lockWord(one), "c is still the successor");
            a.release();
            assertEquals(Acquired.ACQUIRED, c.acquire(soon()));
            c.release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void aWaiterThatFailsWhileWaitingLetsTheLocalLevelGo() {
        String name = regions.newName();
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, OPTIONS);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, OPTIONS)) {
            RegionLock a = lockOf(one);
            long ta = tokenOf(a);
            // Stands for a fault in the slow path (a memory fault is an InternalError): the waiter's idle throws.
            RegionLock failing = ownLock(two, () -> new IdleStrategy() {
                @Override
                public void idle(int workCount) {
                    idle();
                }

                @Override
                public void idle() {
                    throw new IllegalStateException("idle failed");
                }

                @Override
                public void reset() {
                }
            }, 16);
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            assertThrows(IllegalStateException.class, () -> failing.acquire(Long.MAX_VALUE));
            assertFalse(failing.isHeldByCurrentThread(), "the local level is given back");
            assertEquals(0, failing.holdsOfCurrentThread());
            setLockWord(one, word(0, ta)); // drop the registration the failed waiter left
            a.release();
            assertEquals(Acquired.ACQUIRED, failing.acquire(Long.MAX_VALUE));
            failing.release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void aForcedReleaseLetsGoOfBothLevels() {
        try (SharedMemory one = SharedMemory.create(regions.newName(), 1 << 20, OPTIONS)) {
            RegionLock a = lockOf(one);
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            assertEquals(Acquired.REENTERED, a.acquire(Long.MAX_VALUE));
            a.forceReleaseShared();
            assertEquals(0, lockWord(one));
            assertFalse(a.isHeldByCurrentThread());
            assertEquals(0, a.holdsOfCurrentThread());
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE), "a fresh acquisition, not a reentry");
            a.release();
            assertEquals(0, lockWord(one));
        }
    }

    @Test
    void everyWaitIsRecordedWithItsOutcome() throws IOException, InterruptedException {
        String name = regions.newName();
        SharedMemoryOptions handOverAtOnce = OPTIONS.withLockBurstLimit(0);
        try (SharedMemory one = SharedMemory.create(name, 1 << 20, handOverAtOnce);
             SharedMemory two = SharedMemory.attach(name, TIMEOUT, handOverAtOnce);
             Recording recording = new Recording()) {
            recording.enable("io.ipcobjects.LockWait").withThreshold(Duration.ZERO);
            recording.start();
            RegionLock a = lockOf(one);
            RegionLock b = lockOf(two);
            // A wait at the shared level that ends handed over.
            assertEquals(Acquired.ACQUIRED, a.acquire(Long.MAX_VALUE));
            setLockWord(one, word(tokenOf(b), tokenOf(a)));
            a.release();
            assertEquals(Acquired.ACQUIRED, b.acquire(soon()));
            b.release();
            // A wait at the local level that times out.
            RegionLock lock = ownLock(one, BackoffIdleStrategy::new, 16);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                lock.acquire(Long.MAX_VALUE);
                held.countDown();
                try {
                    letGo.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock.release();
                }
            });
            holder.start();
            assertTrue(held.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(Acquired.TIMED_OUT, lock.acquire(soon()));
            letGo.countDown();
            holder.join(TIMEOUT.toMillis());
            recording.stop();

            List<String> outcomes = waits(recording, one.path());
            assertTrue(outcomes.contains("ACQUIRED"), "the shared wait: " + outcomes);
            assertTrue(outcomes.contains("TIMED_OUT"), "the local wait: " + outcomes);
        }
    }

    /** The outcomes of the lock waits on the region at {@code region} in the recording. */
    private static List<String> waits(Recording recording, Path region) throws IOException {
        Path file = Files.createTempFile("ipcobjects-lock-waits", ".jfr");
        try {
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("io.ipcobjects.LockWait"))
                    .filter(e -> region.toString().equals(e.getString("region")))
                    .map((RecordedEvent e) -> e.getString("outcome"))
                    .toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
