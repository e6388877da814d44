package io.ipcobjects.internal.lock;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.lock.RegionLock.Acquired;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLogLayout;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lock's hand-off rules, exactly: an owner may re-take the lock at most {@code lockBurstLimit}
 * times in a row while another attachment is queued, and then hands it straight to that waiter;
 * and an acquisition that took the lock over from a dead owner runs the heap check first, so a
 * heap the dead owner left half-changed is reported, not used.
 */
public class LockHandOffTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int BURST_LIMIT = 3;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static long lockWord(SharedMemory shm) {
        return TestAccess.context(shm).memory().getLongVolatile(LockLayout.LOCK_WORD_OFFSET);
    }

    @Test
    void anOwnerRetakesTheLockAtMostBurstLimitTimesWhileAWaiterIsQueuedThenHandsItOver() throws Exception {
        String name = regions.newName();
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withLockBurstLimit(BURST_LIMIT);
        // The waiter sleeps between its looks (1 ms), so it does not take a free lock in the
        // microsecond between the owner's release and its re-take: the owner's count shows the rule.
        SharedMemoryOptions sleepy = options.withWaitStrategy(WaitStrategy.SLEEPING);
        try (SharedMemory owner = SharedMemory.create(name, 1 << 20, options);
             SharedMemory waiter = SharedMemory.attach(name, TIMEOUT, sleepy)) {
            List<Integer> retakes = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                Access held = owner.acquire();
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
                    try (Access a = waiter.acquire()) {
                        release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS); // holds it until the owner looked
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
                ChildJvm.awaitCondition(() -> LockLayout.successor(lockWord(owner)) != 0, TIMEOUT, "the waiter queued");
                int count = 0;
                while (true) {
                    held.close();
                    held = owner.tryAcquire(Duration.ZERO);
                    if (held == null) {
                        break;
                    }
                    count++;
                    assertTrue(count <= BURST_LIMIT, "re-took the lock " + count + " times in a row while a waiter was queued");
                }
                long word = lockWord(owner);
                assertNotEquals(0, LockLayout.owner(word), "at the end of its burst the owner hands the lock to the waiter "
                        + "(word " + Long.toHexString(word) + ")");
                release.countDown();
                waited.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                retakes.add(count);
            }
            assertTrue(retakes.contains(BURST_LIMIT), "the owner may re-take the lock " + BURST_LIMIT + " times: " + retakes);
            assertEquals(0, owner.lockTakeovers());
        }
    }

    /** args: region name, signal file. Takes the lock, breaks a block header under it, signals, waits to be killed. */
    public static final class BreakTheHeapAndHold {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            long block;
            try (Access first = shm.acquire()) {
                block = first.allocate(64); // committed with this scope: the rollback will not touch the block
            }
            Access a = shm.acquire();
            // Damage the undo log cannot know of (written past the region memory's logged
            // accessors, as a stray native write would): the block's size word is garbage.
            TestAccess.context(shm).memory().segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED,
                    block - BlockLayout.HEADER_BYTES + BlockLayout.SIZE_FLAGS_OFFSET, 0x7777_7777_7770L);
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
            a.close();
        }
    }

    @Test
    void aTakeoverChecksTheHeapTheDeadOwnerLeftAndReportsItBroken() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        SharedMemoryOptions quickCheck = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, quickCheck)) {
            try (ChildJvm holder = ChildJvm.start(BreakTheHeapAndHold.class, name, holding.toString())) {
                ReadySignal.await(holding, TIMEOUT, holder);
                holder.kill9();
            }
            assertThrows(CorruptedRegionException.class, shm::acquire, "the takeover's heap check found the broken block");
            assertEquals(1, shm.lockTakeovers());
            assertFalse(shm.isHeldByCurrentThread(), "the failed acquisition let the lock go");
            assertEquals(RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT,
                    TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET), "the region is marked damaged");
            CorruptedRegionException refused = assertThrows(CorruptedRegionException.class, shm::acquire,
                    "refused from then on, without another look at the heap");
            assertTrue(refused.getMessage().contains("damaged"), refused.getMessage());
            assertEquals(1, shm.lockTakeovers());
            assertThrows(CorruptedRegionException.class, shm::verify, "the heap is still broken; nothing repaired it");
        }
    }

    /**
     * args: region name, signal file. Takes the lock, writes a log entry (an allocation), then
     * breaks its own undo log's length word past the log's capacity (as a stray write would),
     * signals, and waits to be killed.
     */
    public static final class BreakTheUndoLogAndHold {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Access a = shm.acquire();
            a.allocate(64);
            RegionMemory memory = TestAccess.context(shm).memory();
            int mine = -1;
            for (int slot = 0; slot < ProcessTableLayout.SLOT_COUNT; slot++) {
                long base = ProcessTableLayout.slotOffset(slot);
                if (ProcessTableLayout.state(memory.getLongVolatile(base + ProcessTableLayout.SLOT_WORD_OFFSET))
                        == ProcessTableLayout.STATE_ATTACHED
                        && memory.getLong(base + ProcessTableLayout.PID_OFFSET) == ProcessHandle.current().pid()) {
                    mine = slot;
                }
            }
            long lengthWord = memory.getLong(RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD) + UndoLogLayout.ownLogOffset(mine)
                    + UndoLogLayout.LENGTH_OFFSET;
            memory.segment().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, lengthWord, Long.MAX_VALUE / 2);
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
            a.close();
        }
    }

    @Test
    void aTakeoverThatFindsTheUndoLogBrokenMarksTheRegionDamagedAndLetsTheLockGo() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        SharedMemoryOptions quickCheck = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(10));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, quickCheck)) {
            try (ChildJvm holder = ChildJvm.start(BreakTheUndoLogAndHold.class, name, holding.toString())) {
                ReadySignal.await(holding, TIMEOUT, holder);
                holder.kill9();
            }
            CorruptedRegionException broken = assertThrows(CorruptedRegionException.class, shm::acquire);
            assertTrue(broken.getMessage().contains("undo log length"), broken.getMessage());
            assertFalse(shm.isHeldByCurrentThread(), "the failed admission let the lock go");
            assertEquals(RegionHeaderLayout.DAMAGE_BAD_UNDO_LOG,
                    TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET), "the region is marked damaged");
            CorruptedRegionException refused = assertThrows(CorruptedRegionException.class, shm::acquire,
                    "refused from then on, without another look at the log");
            assertTrue(refused.getMessage().contains("damaged"), refused.getMessage());
            assertEquals(1, shm.lockTakeovers());
        }
    }

    /**
     * A waiter that watches the word before it queues (as a wait for a message does) takes the
     * lock the moment its owner frees it, whether it is still watching or already queued: every
     * acquisition returns ACQUIRED with the word naming the waiter alone, and none is counted as
     * a hand-off, since an owner with burst left frees the word instead of handing it over. The
     * owner lets go after a pause that changes from round to round, so its release falls both
     * while the waiter watches and after it queued.
     */
    @Test
    void aWatchingWaiterTakesTheWordItsOwnerFreesWithoutAHandOff() throws Exception {
        String name = regions.newName();
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withLockBurstLimit(16);
        try (SharedMemory ownerShm = SharedMemory.create(name, 1 << 20, options);
             SharedMemory waiterShm = SharedMemory.attach(name, TIMEOUT, options)) {
            RegionLock owner = LockOutcomesTest.lockOf(ownerShm);
            RegionLock waiter = LockOutcomesTest.lockOf(waiterShm);
            long waiterToken = LockOutcomesTest.tokenOf(waiter);
            RegionMemory memory = TestAccess.context(ownerShm).memory();
            int waiterSlot = LockLayout.lockTokenSlot(waiterToken);
            long handOffsBefore = ProcessCounters.read(memory, waiterSlot)[2];
            int rounds = 2000;
            // 3r: round r may begin; 3r + 1: the owner holds the lock; 3r + 2: the waiter is on its way to it.
            AtomicInteger phase = new AtomicInteger();
            AtomicReference<Throwable> ownerFailed = new AtomicReference<>();
            AtomicReference<Throwable> waiterFailed = new AtomicReference<>();
            Thread ownerThread = new Thread(() -> {
                try {
                    for (int r = 0; r < rounds; r++) {
                        awaitPhase(phase, 3 * r, waiterFailed);
                        assertEquals(Acquired.ACQUIRED, owner.acquire(Long.MAX_VALUE));
                        phase.set(3 * r + 1);
                        awaitPhase(phase, 3 * r + 2, waiterFailed);
                        long pauseEnd = System.nanoTime() + (r % 16) * 300L;
                        while (System.nanoTime() - pauseEnd < 0) {
                            Thread.onSpinWait();
                        }
                        owner.release();
                    }
                } catch (Throwable t) {
                    ownerFailed.set(t);
                }
            }, "lock-owner");
            ownerThread.start();
            try {
                for (int r = 0; r < rounds; r++) {
                    awaitPhase(phase, 3 * r + 1, ownerFailed);
                    phase.set(3 * r + 2);
                    assertEquals(Acquired.ACQUIRED, waiter.acquire(Long.MAX_VALUE, true), "round " + r);
                    assertEquals(LockLayout.word(0, waiterToken), lockWord(waiterShm), "round " + r + ": the waiter owns the word, nobody queued");
                    waiter.release();
                    phase.set(3 * r + 3);
                }
            } catch (Throwable t) {
                waiterFailed.set(t);
                throw t;
            } finally {
                ownerThread.join(TIMEOUT.toMillis());
            }
            assertNull(ownerFailed.get());
            assertEquals(0, lockWord(waiterShm));
            assertEquals(handOffsBefore, ProcessCounters.read(memory, waiterSlot)[2], "no acquisition was a hand-off");
        }
    }

    /** Spins until {@code phase} reaches {@code value}; fails if the other thread failed or a minute passed. */
    private static void awaitPhase(AtomicInteger phase, int value, AtomicReference<Throwable> otherFailed) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (phase.get() < value) {
            if (otherFailed.get() != null) {
                throw new AssertionError("the other thread failed", otherFailed.get());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("phase " + phase.get() + " never reached " + value);
            }
            Thread.onSpinWait();
        }
    }
}
