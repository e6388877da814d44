package io.ipcobjects.internal.events;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each attachment's counts live in the region ({@code ProcessCountersLayout}) and say what it
 * did: lock acquisitions, waits and hand-offs, messages put and taken, heap bytes allocated and
 * freed; a process that takes over a dead process's slot starts from zero.
 */
class ProcessStatsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static ProcessStats minus(ProcessStats a, ProcessStats b) {
        return new ProcessStats(a.lockAcquisitions() - b.lockAcquisitions(), a.lockWaits() - b.lockWaits(),
                a.lockHandOffs() - b.lockHandOffs(), a.lockTakeovers() - b.lockTakeovers(), a.messagesPut() - b.messagesPut(),
                a.messagesTaken() - b.messagesTaken(), a.bytesAllocated() - b.bytesAllocated(), a.bytesFreed() - b.bytesFreed(),
                a.objectsHeld() - b.objectsHeld(), a.bytesHeld() - b.bytesHeld());
    }

    @Test
    void acquisitionsMessagesAndHeapBytesAreCounted() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            ProcessStats before = shm.processStats();
            for (int i = 0; i < 5; i++) {
                try (Access a = shm.acquire(); Access again = shm.acquire()) {
                    assertNotNull(again, "a re-entry is not an acquisition");
                }
            }
            long block;
            try (Access a = shm.acquire()) {
                block = a.allocate(1000);
            }
            ProcessStats allocated = minus(shm.processStats(), before);
            assertEquals(6 + 1, allocated.lockAcquisitions(), "and one by processStats(), which counts held objects under the lock");
            assertEquals(0, allocated.lockWaits());
            assertTrue(allocated.bytesAllocated() >= 1000 && allocated.bytesAllocated() < 1100, allocated.toString());
            try (Access a = shm.acquire()) {
                a.free(block);
            }
            ProcessStats freed = minus(shm.processStats(), before);
            assertEquals(allocated.bytesAllocated(), freed.bytesFreed(), "the whole block back");

            ProcessStats beforeMessages = shm.processStats();
            shm.putMessage(7L);
            shm.putMessage("a message in a block of its own, longer than a slot");
            shm.putMessage(new int[] {1, 2, 3});
            assertEquals((Object) 7L, shm.takeMessage());
            shm.takeMessage();
            ProcessStats messages = minus(shm.processStats(), beforeMessages);
            assertEquals(3, messages.messagesPut());
            assertEquals(2, messages.messagesTaken());
            assertEquals(5 + 1, messages.lockAcquisitions(), "one scope per call, and processStats()'s own");
            assertEquals(0, messages.lockTakeovers());
        }
    }

    @Test
    void aWaiterThatQueuedCountsAWaitAndTheHandOff() throws Exception {
        String name = regions.newName();
        // A burst limit of 0: the owner hands the lock to a queued successor at once on release.
        try (SharedMemory owner = SharedMemory.create(name, 1 << 20, SharedMemoryOptions.defaults().withLockBurstLimit(0));
             SharedMemory waiter = SharedMemory.attach(name, TIMEOUT)) {
            ProcessStats before = waiter.processStats();
            Access held = owner.acquire();
            CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> waiter.acquire().close());
            ChildJvm.awaitCondition(() -> LockLayout.successor(
                    TestAccess.context(owner).memory().getLongVolatile(LockLayout.LOCK_WORD_OFFSET)) != 0, TIMEOUT,
                    "the waiter queued");
            held.close(); // a queued successor gets the lock handed over
            waited.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            ProcessStats counted = minus(waiter.processStats(), before);
            assertEquals(1 + 1, counted.lockAcquisitions(), "the acquisition, and processStats()'s own");
            assertEquals(1, counted.lockWaits());
            assertEquals(1, counted.lockHandOffs());
            assertEquals(0, owner.processStats().lockWaits(), "the owner never waited");
        }
    }

    /** args: region name. Attaches, puts and takes messages, prints its counts, exits without closing. */
    public static final class CountAndExit {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            System.out.println("before=" + shm.processStats().messagesPut());
            for (int i = 0; i < 10; i++) {
                shm.putMessage((long) i);
                shm.takeMessage();
            }
            System.out.println("after=" + shm.processStats().messagesPut());
            Runtime.getRuntime().halt(0); // gone without detaching: the slot keeps its counts until reclaimed
        }
    }

    @Test
    void aProcessThatReusesADeadProcesssSlotStartsFromZero() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            for (int run = 0; run < 2; run++) {
                try (ChildJvm child = ChildJvm.start(CountAndExit.class, name)) {
                    ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                    assertEquals("0", result.value("before"), result.describe());
                    assertEquals("10", result.value("after"), result.describe());
                }
            }
        }
    }
}
