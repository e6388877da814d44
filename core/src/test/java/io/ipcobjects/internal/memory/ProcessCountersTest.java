package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

/**
 * The message counts a handle gathers per thread ({@link ProcessCounters#messagePut}): every
 * message reaches the process's line exactly once, whichever threads count and publish, and the
 * counts of threads that ended do not pile up.
 */
class ProcessCountersTest {
    private static final int SLOT = 3;

    private static long[] line(RegionMemory memory) {
        return ProcessCounters.read(memory, SLOT);
    }

    private static long put(RegionMemory memory) {
        return line(memory)[(int) (ProcessCountersLayout.MESSAGES_PUT_OFFSET / Long.BYTES)];
    }

    private static long taken(RegionMemory memory) {
        return line(memory)[(int) (ProcessCountersLayout.MESSAGES_TAKEN_OFFSET / Long.BYTES)];
    }

    private static RegionMemory region(Arena arena) {
        return new RegionMemory(arena.allocate(ProcessCountersLayout.lineOffset(SLOT + 1), 64));
    }

    @Test
    void aThreadsCountsReachTheLineInStepsAndExactlyOnPublish() {
        try (Arena arena = Arena.ofConfined()) {
            RegionMemory memory = region(arena);
            ProcessCounters counters = ProcessCounters.ofSlot(memory, SLOT);
            for (int i = 0; i < ProcessCounters.MESSAGES_PER_PUBLISH - 1; i++) {
                counters.messagePut();
            }
            counters.messagesTaken(10);
            assertEquals(0, put(memory), "fewer than a step stay in the handle");
            assertEquals(0, taken(memory));
            counters.messagePut();
            assertEquals(ProcessCounters.MESSAGES_PER_PUBLISH, put(memory), "a full step is added at once");
            counters.messagePut();
            counters.publishMessages();
            assertEquals(ProcessCounters.MESSAGES_PER_PUBLISH + 1, put(memory));
            assertEquals(10, taken(memory));
            counters.publishMessages();
            assertEquals(ProcessCounters.MESSAGES_PER_PUBLISH + 1, put(memory), "nothing is added twice");
            assertEquals(10, taken(memory));
        }
    }

    @Test
    void aLockAcquisitionPublishesTheMessagesCountedBeforeIt() {
        try (Arena arena = Arena.ofConfined()) {
            RegionMemory memory = region(arena);
            ProcessCounters counters = ProcessCounters.ofSlot(memory, SLOT);
            counters.lockAcquired();
            assertEquals(0, put(memory));
            counters.messagePut();
            counters.messagePut();
            counters.messagesTaken(2);
            counters.messageTaken();
            counters.lockAcquired();
            assertEquals(2, put(memory));
            assertEquals(3, taken(memory));
            assertEquals(2, line(memory)[(int) (ProcessCountersLayout.LOCK_ACQUISITIONS_OFFSET / Long.BYTES)]);
            counters.messagePut();
            counters.lockAcquired();
            assertEquals(3, put(memory), "each acquisition publishes what was counted since the last");
        }
    }

    @Test
    void countsOfThreadsThatEndedArePublishedAndDropped() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RegionMemory memory = region(arena);
            ProcessCounters counters = ProcessCounters.ofSlot(memory, SLOT);
            int threads = 200;
            for (int t = 0; t < threads; t++) {
                Thread thread = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 5; i++) {
                        counters.messagePut();
                    }
                    counters.messageTaken();
                });
                thread.join();
            }
            assertTrue(counters.threadsCounted() <= 8,
                    "a handle keeps the counts of few ended threads, not of all 200: " + counters.threadsCounted());
            counters.publishMessages();
            assertEquals(threads * 5L, put(memory));
            assertEquals(threads, taken(memory));
            assertEquals(0, counters.threadsCounted(), "every ended thread's counts are published and dropped");
        }
    }

    @Test
    void threadsCountingWhileOthersPublishLoseAndRepeatNothing() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RegionMemory memory = region(arena);
            ProcessCounters counters = ProcessCounters.ofSlot(memory, SLOT);
            int counting = 3;
            int each = 200_000;
            CyclicBarrier start = new CyclicBarrier(counting + 1);
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < counting; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int i = 0; i < each; i++) {
                        counters.messagePut();
                        if ((i & 7) == 0) {
                            counters.messagesTaken(3);
                        }
                    }
                }));
            }
            Thread publisher = Thread.ofPlatform().start(() -> {
                await(start);
                while (!done.get()) {
                    counters.publishMessages();
                }
            });
            for (Thread thread : threads) {
                thread.join();
            }
            done.set(true);
            publisher.join();
            counters.publishMessages();
            assertEquals((long) counting * each, put(memory));
            assertEquals((long) counting * (each / 8) * 3, taken(memory));
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
