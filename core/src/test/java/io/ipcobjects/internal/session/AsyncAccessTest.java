package io.ipcobjects.internal.session;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The asynchronous API: {@code withAccess} and {@code nextMessage}, driven by one poller thread per handle. */
class AsyncAccessTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static final long WAIT_SECONDS = 60;

    @Test
    void withAccessRunsEachTaskUnderTheLockOnThePollerThread() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            SharedMap<String, Object> counters = shm.share(new HashMap<>(Map.of("n", 0L)));
            List<CompletableFuture<Long>> results = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread submitter = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1000; i++) {
                        CompletableFuture<Long> f = shm.withAccess(a -> {
                            assertTrue(a.sharedMemory().isHeldByCurrentThread());
                            assertTrue(Thread.currentThread().getName().startsWith("ipc-objects poller"));
                            long next = (Long) counters.get("n") + 1;
                            counters.put("n", next);
                            return next;
                        });
                        synchronized (results) {
                            results.add(f);
                        }
                    }
                });
                submitters.add(submitter);
            }
            for (Thread submitter : submitters) {
                submitter.join();
            }
            long sum = 0;
            for (CompletableFuture<Long> f : results) {
                sum += f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            assertEquals(4000, results.size());
            assertEquals(4000L, (Long) counters.get("n"), "every task ran once, under the lock");
            assertEquals(4000L * 4001 / 2, sum, "each task saw a distinct count: they ran one at a time");
            assertFalse(shm.isHeldByCurrentThread());

            ExecutionException e = assertThrows(ExecutionException.class, () -> shm.withAccess(a -> {
                throw new IllegalStateException("boom");
            }).get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals(4001L, (Long) shm.withAccess(a -> (Long) counters.get("n") + 1).get(WAIT_SECONDS, TimeUnit.SECONDS),
                    "a failed task released the lock and the poller goes on");
            Access escaped = shm.withAccess(a -> a).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThrows(IllegalStateException.class, escaped::stats, "the Access was closed when the task returned");
        }
    }

    /** args: region name, ready file, go file. Puts "message 0" .. "message 5" once told to. */
    public static final class Producer {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(WAIT_SECONDS))) {
                ReadySignal.signal(Path.of(args[1]));
                ReadySignal.await(Path.of(args[2]), Duration.ofSeconds(WAIT_SECONDS));
                for (int i = 0; i < 6; i++) {
                    shm.putMessage("message number " + i);
                    Thread.sleep(5);
                }
                shm.putMessage(6L); // a Long: it may take the queue's inline head
            }
        }
    }

    @Test
    void nextMessageFuturesAreServedInOrderFromAnotherProcessAndCancelledOnesAreSkipped() throws Exception {
        String name = regions.newName();
        Path ready = regions.newPath("ready");
        Path go = regions.newPath("go");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(shm.nextMessage());
            }
            assertTrue(futures.get(2).cancel(false), "not claimed yet: it can be cancelled");
            try (ChildJvm producer = ChildJvm.start(Producer.class, name, ready.toString(), go.toString())) {
                ReadySignal.await(ready, Duration.ofSeconds(WAIT_SECONDS), producer);
                assertFalse(futures.get(0).isDone(), "nothing was put yet");
                ReadySignal.signal(go);
                List<Object> got = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    if (i != 2) {
                        CompletableFuture<Object> future = futures.get(i);
                        ChildJvm.awaitCondition(future::isDone, Duration.ofSeconds(WAIT_SECONDS), "message " + i, producer);
                        got.add(future.get());
                    }
                }
                assertEquals(List.of("message number 0", "message number 1", "message number 2", "message number 3",
                        "message number 4"), got, "in order; the cancelled future's turn went to the next one");
                assertEquals("message number 5", shm.<Object>nextMessage().get(WAIT_SECONDS, TimeUnit.SECONDS));
                assertEquals(6L, shm.<Object>nextMessage().get(WAIT_SECONDS, TimeUnit.SECONDS));
                ChildJvm.Result r = producer.awaitSuccess(Duration.ofSeconds(WAIT_SECONDS));
            }
            assertTrue(futures.get(2).isCancelled());
            assertFalse(shm.hasMessages(), "every message was taken exactly once");
            shm.verify();
        }
    }

    @Test
    void closingTheHandleFailsWhatIsPendingAndEndsThePoller() throws Exception {
        SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20);
        CompletableFuture<Object> pending = shm.nextMessage();
        RegionPoller poller = pollerOf(shm);
        assertThrows(TimeoutException.class, () -> pending.get(50, TimeUnit.MILLISECONDS));
        shm.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(RegionClosedException.class, e.getCause());
        assertTrue(poller.isStopped(), "the poller thread ended with the handle");
        assertThrows(RegionClosedException.class, shm::nextMessage);
        assertThrows(RegionClosedException.class, () -> shm.withAccess(a -> 1));
    }

    @Test
    void aConsumersPendingFutureFailsWhenTheCreatorClosesTheRegion() throws Exception {
        String name = regions.newName();
        SharedMemoryOptions quick = SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofMillis(200));
        SharedMemory creator = SharedMemory.create(name, 1 << 20, quick);
        try (SharedMemory consumer = SharedMemory.attach(name, Duration.ofSeconds(WAIT_SECONDS), quick)) {
            CompletableFuture<Object> first = consumer.nextMessage();
            creator.putMessage("first, served");
            assertEquals("first, served", first.get(WAIT_SECONDS, TimeUnit.SECONDS));
            CompletableFuture<Object> second = consumer.nextMessage();
            creator.close(); // waits 200 ms for the consumer, then wipes the header and removes the file
            ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(RegionClosedException.class, e.getCause());
        }
    }

    private static RegionPoller pollerOf(SharedMemory shm) throws ReflectiveOperationException {
        var field = Handle.class.getDeclaredField("poller");
        field.setAccessible(true);
        return (RegionPoller) field.get(TestAccess.handle(shm));
    }
}
