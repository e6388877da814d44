package io.ipcobjects.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Channel;
import io.ipcobjects.DType;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TensorRing;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A channel's or tensor ring's blocking call waits as the handle's {@link WaitStrategy} says:
 * {@code BUSY_SPIN} never parks its thread (it stays runnable for the whole wait), while
 * {@code BACKOFF} and {@code SLEEPING} park it between looks. Seen from outside by sampling the
 * waiting thread's state.
 */
class ChannelWaitStrategyTest {

    private static final Duration LONG_WAIT = Duration.ofSeconds(30);
    private static final int SAMPLES = 100;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private SharedMemory create(WaitStrategy strategy) {
        return SharedMemory.create(regions.newName(), 4 << 20, SharedMemoryOptions.defaults().withWaitStrategy(strategy));
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    void aTakeFromAnEmptyChannelWaitsAsTheStrategySays(WaitStrategy strategy) throws InterruptedException {
        try (SharedMemory shm = create(strategy)) {
            Channel<Long> ch = shm.channel("numbers", Long.class, 4);
            assertWaitsAsTheStrategySays(strategy, () -> ch.take(LONG_WAIT), () -> ch.put(7L), 7L);
        }
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    void aPutIntoAFullChannelWaitsAsTheStrategySays(WaitStrategy strategy) throws InterruptedException {
        try (SharedMemory shm = create(strategy)) {
            Channel<Long> ch = shm.channel("numbers", Long.class, 1);
            ch.put(1L);
            assertWaitsAsTheStrategySays(strategy, () -> {
                ch.put(2L);
                return "put";
            }, () -> assertEquals(1L, ch.take(LONG_WAIT)), "put");
            assertEquals(2L, ch.take(LONG_WAIT));
        }
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    void aTensorRingsTakeAndClaimWaitAsTheStrategySays(WaitStrategy strategy) throws InterruptedException {
        try (SharedMemory shm = create(strategy)) {
            TensorRing ring = shm.tensorRing("batches", 1, DType.FLOAT32, new long[] {16});
            assertWaitsAsTheStrategySays(strategy, () -> {
                TensorRing.Slot slot = ring.take(LONG_WAIT);
                long tag = slot.tag();
                slot.release();
                return tag;
            }, () -> ring.claim(LONG_WAIT).publish(5), 5L);

            TensorRing.Slot held = ring.claim(LONG_WAIT); // the ring's one slot
            assertWaitsAsTheStrategySays(strategy, () -> {
                ring.claim(LONG_WAIT).close(); // back to the producers, unpublished
                return "claimed";
            }, held::close, "claimed");
            assertNull(ring.poll(), "nothing was published");
        }
    }

    /**
     * Runs {@code blockingCall} on a thread of its own, samples the thread's state while the call
     * waits, then runs {@code release}, which must let the call return {@code expected}; the
     * samples must show the thread parked or not as {@code strategy} says.
     */
    private static void assertWaitsAsTheStrategySays(WaitStrategy strategy, java.util.concurrent.Callable<Object> blockingCall,
            Runnable release, Object expected) throws InterruptedException {
        AtomicReference<Object> returned = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> returned.set(outcome(blockingCall)));
        int parked = parkedSamples(waiter);
        release.run();
        waiter.join(LONG_WAIT.toMillis());
        assertFalse(waiter.isAlive(), "the call ended once it was let through");
        assertEquals(expected, returned.get());
        if (strategy == WaitStrategy.BUSY_SPIN) {
            assertEquals(0, parked, "a busy-spinning wait never parks its thread");
        } else {
            assertTrue(parked > 0, strategy + ": the waiting thread was never found parked in " + SAMPLES + " samples");
        }
    }

    @ParameterizedTest
    @EnumSource(WaitStrategy.class)
    void anInterruptedWaitEndsWithAnExceptionAndLeavesTheThreadInterrupted(WaitStrategy strategy) throws InterruptedException {
        try (SharedMemory shm = create(strategy)) {
            Channel<Long> ch = shm.channel("numbers", Long.class, 4);
            AtomicReference<Object> taken = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread taker = Thread.ofPlatform().start(() -> {
                taken.set(outcome(() -> ch.take(LONG_WAIT)));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            Thread.sleep(20); // past the first phase of any wait
            taker.interrupt();
            taker.join(LONG_WAIT.toMillis());
            assertFalse(taker.isAlive(), "the interrupted take ended");
            IpcObjectsException ended = assertInstanceOf(IpcObjectsException.class, taken.get());
            assertTrue(ended.getMessage().contains("interrupted"), ended.getMessage());
            assertTrue(stillInterrupted.get(), "the thread's interrupt is kept for its caller");
            ch.put(3L);
            assertEquals(3L, ch.take(LONG_WAIT), "the channel works on, nothing taken by the ended wait");
        }
    }

    /** What {@code call} returned, or what it threw (so a failure shows in the assertion, not in a lost thread). */
    private static Object outcome(java.util.concurrent.Callable<Object> call) {
        try {
            return call.call();
        } catch (Exception | Error e) {
            return e;
        }
    }

    /**
     * How many of {@value #SAMPLES} samples, 2 ms apart and from 20 ms into the wait (past
     * any first phase of spinning and yielding), found {@code waiter} parked.
     */
    private static int parkedSamples(Thread waiter) throws InterruptedException {
        Thread.sleep(20);
        int parked = 0;
        for (int i = 0; i < SAMPLES; i++) {
            assertTrue(waiter.isAlive(), "the call returned before anything would let it");
            if (waiter.getState() == Thread.State.TIMED_WAITING) {
                parked++;
            }
            Thread.sleep(2);
        }
        return parked;
    }
}
