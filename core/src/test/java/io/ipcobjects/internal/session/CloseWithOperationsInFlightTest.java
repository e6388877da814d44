package io.ipcobjects.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code close()} of a handle while another of its threads is inside an operation: it waits for
 * that thread (bounded by the close timeout), never releases a lock it does not hold, fails the
 * thread's later operations cleanly, and lets go of the region only once the lock is free, so
 * no other process can take the lock over from a live writer.
 */
class CloseWithOperationsInFlightTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Tries to take the lock for the given milliseconds; prints whether it did and the takeover count. */
    public static final class TriesTheLock {
        public static void main(String[] args) {
            SharedMemoryOptions options = SharedMemoryOptions.defaults().withOwnerCheckInterval(Duration.ofMillis(5));
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, options)) {
                try (Access a = shm.tryAcquire(Duration.ofMillis(Long.parseLong(args[1])))) {
                    System.out.println("acquired=" + (a != null));
                }
                System.out.println("takeovers=" + shm.lockTakeovers());
            }
        }
    }

    @Test
    void closeWaitsBoundedThenLeavesTheLockToItsHolderAndDetachesAfterIt() throws Exception {
        String name = regions.newName();
        SharedMemoryOptions quickClose = SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofMillis(300));
        try (SharedMemory creator = SharedMemory.create(name, 4 << 20)) {
            creator.put("n", 0L);
            SharedMemory consumer = SharedMemory.attach(name, TIMEOUT, quickClose);
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch closed = new CountDownLatch(1);
            AtomicReference<Throwable> afterClose = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try (Access a = consumer.acquire()) {
                    a.put("n", 1L);
                    inside.countDown();
                    closed.await();
                    try {
                        a.put("n", 2L);
                    } catch (Throwable t) {
                        afterClose.set(t);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            worker.start();
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            long start = System.nanoTime();
            consumer.close(); // the worker still holds the lock: waits 300 ms, then leaves it to the worker
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 250, "close waited " + waitedMillis + " ms for the worker");
            assertEquals(1, creator.consumerCount(), "still attached while its thread holds the lock");
            // Another process must not take the lock from the live worker: its slot is still held.
            try (ChildJvm child = ChildJvm.start(TriesTheLock.class, name, "300")) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals("false", result.value("acquired"), result.describe());
                assertEquals("0", result.value("takeovers"), result.describe());
            }
            closed.countDown();
            worker.join(30_000);
            assertTrue(afterClose.get() instanceof RegionClosedException, "the worker's next operation fails cleanly: "
                    + afterClose.get());
            assertEquals(1L, (Object) creator.get("n"), "the worker's operation before the close stays, nothing after it");
            assertEquals(0, creator.consumerCount(), "detached once its thread left the lock");
            assertEquals(0, creator.lockTakeovers());
            creator.verify();
        }
    }

    @Test
    void closeWaitsForAnOperationThatEndsWithinTheTimeout() throws Exception {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 4 << 20)) {
            SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
            CountDownLatch inside = new CountDownLatch(1);
            Thread worker = new Thread(() -> {
                try (Access a = consumer.acquire()) {
                    inside.countDown();
                    Thread.sleep(200);
                    a.put("done", true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            worker.start();
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            consumer.close();
            assertTrue(consumer.isClosed());
            assertEquals(true, creator.get("done"), "close let the operation in flight finish");
            assertEquals(0, creator.consumerCount());
            worker.join(30_000);
            assertThrows(RegionClosedException.class, () -> consumer.get("done"));
        }
    }
}
