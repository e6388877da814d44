package io.ipcobjects.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Channel;
import io.ipcobjects.Channel.Producers;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channels of one producer in one process: who may put, and that the plain-store puts keep the
 * contract (bounded, exactly once, in order) over many laps of a small ring with several
 * consumers. Between processes: {@code internal.channels.ChannelProcessesTest}.
 */
class OneProducerChannelTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aChannelSaysItsProducersAndAnExistingOneMustBeAskedForTheSame() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<Long> one = shm.channel("one", Long.class, 16, 112, Producers.ONE);
            assertEquals(Producers.ONE, one.producers());
            assertEquals(Producers.ONE, shm.channel("one", Long.class).producers());
            assertEquals(Producers.MANY, shm.channel("many", Long.class, 16).producers());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> shm.channel("one", Long.class, 16));
            assertTrue(e.getMessage().contains("ONE producers, not MANY"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> shm.channel("many", Long.class, 16, 112, Producers.ONE));
            assertThrows(NullPointerException.class, () -> shm.channel("x", Long.class, 16, 112, null));
            assertEquals(Producers.MANY, shm.messages().producers());
        }
    }

    @Test
    void onlyTheSeatHoldersThreadPutsUntilItEnds() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("one", Long.class, 16, 112, Producers.ONE);
            CountDownLatch hasPut = new CountDownLatch(1);
            CountDownLatch mayEnd = new CountDownLatch(1);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread first = new Thread(() -> {
                try {
                    ch.put(0L);
                    ch.putAll(List.of(1L, 2L));
                    hasPut.countDown();
                    mayEnd.await();
                } catch (Throwable t) {
                    failed.set(t);
                    hasPut.countDown();
                }
            }, "first producer");
            first.start();
            assertTrue(hasPut.await(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            assertNull(failed.get());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.offer(9L));
            assertTrue(e.getMessage().contains("takes one producer") && e.getMessage().contains("first producer"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ch.put(9L));
            assertThrows(IllegalStateException.class, () -> ch.putAll(List.of(9L)));
            assertThrows(IllegalStateException.class, () -> ch.offer(9L, Duration.ofMillis(1)));
            assertEquals(3, ch.size(), "a refused put stores nothing");
            assertEquals(0L, ch.poll(), "any thread takes");
            mayEnd.countDown();
            first.join();
            assertTrue(ch.offer(3L), "the seat passed on when its thread ended");
            List<Long> taken = new ArrayList<>();
            assertEquals(3, ch.drainTo(taken, 10));
            assertEquals(List.of(1L, 2L, 3L), taken);
        }
    }

    @Test
    void aSecondHandlePutsOnlyOnceTheFirstClosedTheRegion() {
        String name = regions.newName();
        try (SharedMemory second = SharedMemory.create(name, 1 << 20)) {
            Channel<Long> secondView = second.channel("one", Long.class, 16, 112, Producers.ONE);
            SharedMemory first = SharedMemory.attach(name, TIMEOUT);
            Channel<Long> firstView = first.channel("one", Long.class);
            firstView.put(0L);
            firstView.put(1L);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> secondView.put(9L));
            assertTrue(e.getMessage().contains("another handle (in process " + ProcessHandle.current().pid() + ")"), e.getMessage());
            first.close();
            secondView.put(2L);
            for (long i = 0; i < 3; i++) {
                assertEquals(i, secondView.poll());
            }
            assertNull(secondView.poll());
            second.verify();
        }
    }

    @Test
    void viewsOfTwoElementTypesShareOneSeatAndOnePutOrder() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> longs = shm.channel("one", Long.class, 16, 112, Producers.ONE);
            Channel<Object> objects = shm.channel("one", Object.class);
            assertEquals(Producers.ONE, objects.producers());
            long next = 0;
            for (int lap = 0; lap < 20; lap++) {
                for (int i = 0; i < 5; i++) {
                    long a = next++;
                    long b = next++;
                    longs.put(a);
                    objects.put(b);
                }
                for (long expected = next - 10; expected < next; expected++) {
                    assertEquals(expected, longs.poll(), "lap " + lap);
                }
            }
            assertNull(longs.poll());
        }
    }

    @Test
    void aFullChannelRefusesItsProducerUntilAConsumerTakes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("one", Long.class, 16, 112, Producers.ONE);
            for (int lap = 0; lap < 5; lap++) {
                for (long i = 0; i < 16; i++) {
                    assertTrue(ch.offer(lap * 100 + i), "lap " + lap + " message " + i);
                }
                assertFalse(ch.offer(-1L), "lap " + lap + ": full");
                assertEquals(16, ch.size());
                assertEquals(lap * 100L, ch.poll());
                assertTrue(ch.offer(lap * 100 + 16L), "one taken, one room");
                assertFalse(ch.offer(-1L));
                for (long i = 1; i <= 16; i++) {
                    assertEquals(lap * 100 + i, ch.poll());
                }
                assertNull(ch.poll());
            }
        }
    }

    @Test
    void oneProducerAndThreeConsumersGetEveryMessageOnceInOrder() throws Exception {
        long count = 300_000;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Channel<Long> ch = shm.channel("one", Long.class, 16, 112, Producers.ONE);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long[] sums = new long[3];
            long[] counts = new long[3];
            List<Thread> consumers = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int me = c;
                Thread t = new Thread(() -> {
                    try {
                        long last = -1;
                        List<Long> batch = new ArrayList<>();
                        while (true) {
                            batch.clear();
                            if (me == 0) {
                                ch.drainTo(batch, 8);
                            } else {
                                Long m = me == 1 ? ch.poll() : ch.take(TIMEOUT);
                                if (m != null) {
                                    batch.add(m);
                                }
                            }
                            for (long m : batch) {
                                if (m < 0) {
                                    return;
                                }
                                if (m <= last) {
                                    throw new AssertionError("consumer " + me + " took " + m + " after " + last);
                                }
                                last = m;
                                sums[me] += m;
                                counts[me]++;
                            }
                            if (batch.isEmpty()) {
                                Thread.onSpinWait();
                            }
                        }
                    } catch (Throwable t2) {
                        failed.set(t2);
                    }
                }, "consumer " + c);
                consumers.add(t);
                t.start();
            }
            List<Long> run = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                if (i % 1000 < 10) {
                    run.add(i);
                    if (run.size() == 10) {
                        ch.putAll(run);
                        run.clear();
                    }
                } else if (i % 3 == 0) {
                    while (!ch.offer(i)) {
                        Thread.onSpinWait();
                    }
                } else {
                    ch.put(i);
                }
            }
            // A consumer ends at a negative message; a batch of a drain may end early at one,
            // and what it drained after it would be lost, so each stop is put alone and awaited.
            for (Thread t : consumers) {
                ch.put(-1L);
                while (ch.size() > 0 && failed.get() == null) {
                    Thread.onSpinWait();
                }
            }
            for (Thread t : consumers) {
                t.join(TIMEOUT.toMillis());
                assertFalse(t.isAlive(), t.getName() + " did not end");
            }
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
            assertEquals(count, counts[0] + counts[1] + counts[2], "every message taken once");
            assertEquals(count * (count - 1) / 2, sums[0] + sums[1] + sums[2], "and the right ones");
            assertNull(ch.poll());
        }
    }
}
