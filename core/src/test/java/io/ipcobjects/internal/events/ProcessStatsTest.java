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

    /**
     * A channel's puts and takes are counted in the handle and added to the region in steps
     * ({@code ProcessCounters#messagePut}): threads counting and publishing at once must neither
     * lose a count nor add one twice.
     */
    @Test
    void channelMessagesOfManyThreadsAreCountedExactly() throws Exception {
        int threads = 4;
        int each = 5_000;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            io.ipcobjects.Channel<Long> ch = shm.channel("counted", Long.class, 256);
            ProcessStats before = shm.processStats();
            java.util.List<CompletableFuture<Void>> putters = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                putters.add(CompletableFuture.runAsync(() -> {
                    for (long i = 0; i < each; i++) {
                        ch.put(i);
                    }
                }));
            }
            long sum = 0;
            for (int i = 0; i < threads * each; i++) {
                sum += ch.take(TIMEOUT);
            }
            CompletableFuture.allOf(putters.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertEquals((long) threads * each * (each - 1) / 2, sum, "every message taken once");
            ProcessStats counted = minus(shm.processStats(), before);
            assertEquals((long) threads * each, counted.messagesPut(), counted.toString());
            assertEquals((long) threads * each, counted.messagesTaken(), counted.toString());
        }
    }

    /**
     * A drain counts its messages once, at its end: every message it read counts as taken, also
     * when its sink refuses one and the drain stops there.
     */
    @Test
    void aDrainCountsEveryMessageItReadEvenWhenItsSinkThrows() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            io.ipcobjects.Channel<Long> ch = shm.channel("drained", Long.class, 64);
            for (long i = 0; i < 10; i++) {
                ch.put(i);
            }
            ProcessStats before = shm.processStats();
            java.util.List<Long> refusesTheFourth = new java.util.ArrayList<>() {
                @Override
                public boolean add(Long message) {
                    if (size() == 3) {
                        throw new IllegalStateException("the sink is full");
                    }
                    return super.add(message);
                }
            };
            assertThrows(IllegalStateException.class, () -> ch.drainTo(refusesTheFourth, 100));
            assertEquals(java.util.List.of(0L, 1L, 2L), refusesTheFourth);
            assertEquals(4, minus(shm.processStats(), before).messagesTaken(), "three in the sink and the one it refused");
            assertEquals(6, ch.size());
            java.util.List<Long> rest = new java.util.ArrayList<>();
            assertEquals(6, ch.drainTo(rest, 100));
            assertEquals(java.util.List.of(4L, 5L, 6L, 7L, 8L, 9L), rest);
            assertEquals(10, minus(shm.processStats(), before).messagesTaken());
        }
    }

    /** args: region path. Puts 100 numbers on channel "out", then waits for one on channel "in". */
    public static final class PutsAndWaits {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(java.nio.file.Path.of(args[0]), TIMEOUT, SharedMemoryOptions.defaults())) {
                io.ipcobjects.Channel<Long> out = shm.channel("out", Long.class);
                io.ipcobjects.Channel<Long> in = shm.channel("in", Long.class);
                for (long i = 0; i < 100; i++) {
                    out.put(i);
                }
                System.out.println("got=" + in.take(TIMEOUT));
            }
        }
    }

    /**
     * A process that put fewer messages than a publishing step and then waits shows them to
     * another process's inspection: a wait publishes what the handle has counted.
     */
    @Test
    void aProcessThatWaitsShowsItsMessagesToAnInspector() throws Exception {
        java.nio.file.Path region = regions.newPath("ipcobjects-counts");
        try (SharedMemory shm = SharedMemory.create(region, 1 << 20, SharedMemoryOptions.defaults())) {
            io.ipcobjects.Channel<Long> fromChild = shm.channel("out", Long.class, 128);
            io.ipcobjects.Channel<Long> toChild = shm.channel("in", Long.class, 4);
            try (ChildJvm child = ChildJvm.start(PutsAndWaits.class, region.toString())) {
                ChildJvm.awaitCondition(() -> fromChild.size() == 100, TIMEOUT, "the child put 100 messages", child);
                ChildJvm.awaitCondition(() -> childStats(region, child.pid()) == 100, TIMEOUT,
                        "the inspection shows the child's 100 puts", child);
                toChild.put(7L);
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals("7", result.value("got"), result.describe());
            }
        }
    }

    private static long childStats(java.nio.file.Path region, long pid) {
        return SharedMemory.inspect(region).processes().stream().filter(p -> p.pid() == pid)
                .mapToLong(p -> p.stats().messagesPut()).findFirst().orElse(-1);
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
