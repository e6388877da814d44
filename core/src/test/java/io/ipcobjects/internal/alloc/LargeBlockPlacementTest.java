package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.Channel;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where large blocks go: by default the address a large block was freed at is given out again;
 * with {@link SharedMemoryOptions#withSpreadLargeBlocks} this process's large blocks move on
 * through the free heap in turn (next fit) and wrap around at its end, small blocks as before,
 * and a consumer in another process reads every message intact.
 */
class LargeBlockPlacementTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int KILLS = 12;
    private static final long LARGE = 1 << 20;
    private static final SharedMemoryOptions SPREAD = SharedMemoryOptions.defaults().withSpreadLargeBlocks(true);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void byDefaultALargeBlockFreedIsGivenOutAgainAtTheSameAddress() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20); Access a = shm.acquire()) {
            long first = a.allocate(LARGE);
            a.free(first);
            assertEquals(first, a.allocate(LARGE));
        }
    }

    @Test
    void spreadLargeBlocksMoveOnThroughTheHeapAndWrapAroundAtItsEnd() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20, SPREAD); Access a = shm.acquire()) {
            HeapStats empty = a.stats();
            long previous = a.allocate(LARGE);
            long lowest = previous;
            int wraps = 0;
            for (int i = 0; i < 40; i++) {
                a.free(previous);
                long next = a.allocate(LARGE);
                if (next < previous) {
                    wraps++;
                    assertEquals(lowest, next, "a wrap starts again at the lowest free space");
                } else {
                    assertTrue(next >= previous + LARGE, "the next large block starts past the last one: " + previous + " -> " + next);
                }
                previous = next;
                a.verify();
            }
            assertTrue(wraps >= 2, "40 blocks of 1 MiB wrap around a heap of under 16 MiB: " + wraps + " wraps");
            a.free(previous);
            HeapStats after = a.verify();
            assertEquals(empty, after, "everything freed: one free block again");
        }
    }

    @Test
    void smallBlocksAreNotSpread() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20, SPREAD); Access a = shm.acquire()) {
            long first = a.allocate(1024);
            a.free(first);
            assertEquals(first, a.allocate(1024));
        }
    }

    /** The same churn with either placement (the fragmentation each leaves is printed, for the README). */
    @org.junit.jupiter.params.ParameterizedTest(name = "spread: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void mixedChurnKeepsTheHeapWhole(boolean spread) {
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withSpreadLargeBlocks(spread);
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64L << 20, options); Access a = shm.acquire()) {
            HeapStats empty = a.stats();
            List<Long> live = new ArrayList<>();
            double worstFragmentation = HeapAllocatorTest.churn(a, new SplittableRandom(7), 200_000, 32, live).worstFragmentation();
            System.out.printf("churn, spread %s: worst fragmentation %.3f, live blocks %d%n", spread, worstFragmentation, live.size());
            for (long offset : live) {
                a.free(offset);
            }
            HeapStats after = a.verify();
            assertEquals(empty, after, "after freeing everything the heap is one free block again");
        }
    }

    /** args: region, count. Takes {@code count} large messages with {@code pollBytes} and checks each one's every byte. */
    public static final class LargeMessageReader {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<byte[]> ch = shm.channel("large", byte[].class);
                int count = Integer.parseInt(args[1]);
                byte[] copy = new byte[(int) LARGE];
                for (int m = 0; m < count; m++) {
                    int number = m;
                    while (!ch.pollBytes(view -> {
                        if (view.byteSize() != LARGE) {
                            throw new AssertionError("message " + number + " has " + view.byteSize() + " bytes");
                        }
                        java.lang.foreign.MemorySegment.copy(view, ValueLayout.JAVA_BYTE, 0, copy, 0, copy.length);
                    })) {
                        Thread.onSpinWait();
                    }
                    for (int i = 0; i < copy.length; i++) {
                        if (copy[i] != (byte) (m * 31 + i)) {
                            throw new AssertionError("message " + m + " byte " + i + " is " + copy[i]);
                        }
                    }
                }
                System.out.println("read=" + count);
            }
        }
    }

    /**
     * args: region. Until killed: scopes that allocate and free blocks of 256 KiB to 1 MiB with
     * spread placement (up to six live at once, writing each one's ends) and free all of them
     * before they end, so every committed state holds none of them.
     */
    public static final class LargeBlockChurn {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, SPREAD);
            SplittableRandom random = new SplittableRandom(ProcessHandle.current().pid());
            for (int scope = 0; ; scope++) {
                try (Access a = shm.acquire()) {
                    List<Long> live = new ArrayList<>();
                    for (int op = 0; op < 24; op++) {
                        if (live.size() < 6 && (live.isEmpty() || random.nextBoolean())) {
                            long bytes = random.nextLong(256 << 10, (1 << 20) + 1);
                            long offset = a.allocate(bytes);
                            a.block(offset).set(ValueLayout.JAVA_BYTE, 0, (byte) op);
                            a.block(offset).set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) op);
                            live.add(offset);
                        } else {
                            a.free(live.remove(random.nextInt(live.size())));
                        }
                    }
                    for (long offset : live) {
                        a.free(offset);
                    }
                }
                if (scope == 20) {
                    System.out.println("churning");
                }
            }
        }
    }

    /**
     * A process killed at random moments of spread allocations and frees, most of them inside its
     * scopes: each takeover rolls the open scope back, and the heap is as every committed scope
     * left it, the child's blocks all free.
     */
    @Test
    void aProcessKilledWhilePlacingSpreadBlocksLeavesTheRegionWhole() throws Exception {
        String name = regions.newName();
        SplittableRandom random = new SplittableRandom(20261204);
        try (SharedMemory shm = SharedMemory.create(name, 24L << 20)) {
            HeapStats before = shm.verify();
            for (int kill = 0; kill < KILLS; kill++) {
                try (ChildJvm churn = ChildJvm.start(LargeBlockChurn.class, name)) {
                    ChildJvm.awaitCondition(() -> churn.stdoutSoFar().contains("churning"), TIMEOUT, "the churn to start", churn);
                    Thread.sleep(random.nextInt(5, 100));
                    churn.kill9();
                }
                HeapStats after = shm.verify(); // takes the lock over from the dead child, rolls back its open scope
                assertEquals(before.usedBytes(), after.usedBytes(), "kill " + kill + ": the child's blocks are all free");
                assertEquals(before.usedBlocks(), after.usedBlocks(), "kill " + kill);
            }
            // The child spends nearly all its time inside its scopes: kills land there.
            assertTrue(shm.lockTakeovers() > 0, "none of " + KILLS + " kills landed inside a scope: the rollback went untested");
        }
    }

    @Test
    void aConsumerInAnotherProcessReadsEveryLargeMessagePutWithSpreadBlocks() {
        String name = regions.newName();
        int count = 60;
        try (SharedMemory shm = SharedMemory.create(name, 24L << 20, SPREAD)) {
            Channel<byte[]> ch = shm.channel("large", byte[].class, 8);
            long used = shm.stats().usedBytes();
            try (ChildJvm reader = ChildJvm.start(LargeMessageReader.class, name, Integer.toString(count))) {
                for (int m = 0; m < count; m++) {
                    byte[] message = new byte[(int) LARGE];
                    for (int i = 0; i < message.length; i++) {
                        message[i] = (byte) (m * 31 + i);
                    }
                    while (!ch.offer(message, Duration.ofMillis(100))) {
                        reader.failIfDied("the reader to take a message");
                    }
                }
                assertEquals(Integer.toString(count), reader.awaitSuccess(TIMEOUT).value("read"));
            }
            assertEquals(used, shm.stats().usedBytes(), "every message's block was freed by its taker");
            shm.verify();
        }
    }
}
