package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A drain's run moves the head once, at its end: until then the head lags, and entries behind
 * it may already be freed and claimed again a lap on. Here a taker stops in the middle of a run
 * (as one descheduled for long, or dead, would), and the others must carry on.
 */
class RingRunTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Takes positions 0..3 as a run without moving the head past the first: the head stays at 1. */
    private static void runWithoutMovingTheHead(RingChannel<Long> ch) {
        Ring ring = ch.ring();
        int me = ch.owners().ownId();
        long first = ring.tryClaimTake(me);
        assertEquals(0, first);
        ring.release(first);
        for (long p = 1; p < 4; p++) {
            assertEquals(p, ring.tryClaimNext(p, me), "the run claims position " + p);
            ring.release(p);
        }
    }

    @Test
    void aTakerMeetingAHeadALapBehindHelpsItOnAndTakesTheNextMessage() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            @SuppressWarnings("unchecked")
            RingChannel<Long> drainer = (RingChannel<Long>) shm.channel("c", Long.class, 4);
            for (long i = 0; i < 4; i++) {
                drainer.put(i);
            }
            runWithoutMovingTheHead(drainer);
            drainer.put(4L); // entry 0, FULL(4)
            drainer.put(5L); // entry 1, FULL(5): the entry at the lagging head holds a position a lap on
            var taker = other.channel("c", Long.class);
            // Before the head was helped past such an entry, this spun a million times and then
            // called the ring corrupt.
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertEquals(4L, taker.poll());
                assertEquals(5L, taker.poll());
                assertNull(taker.poll());
            });
            shm.verify();
        }
    }

    @Test
    void aPutterWaitingForRoomBehindALaggingHeadIsNotStuck() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            @SuppressWarnings("unchecked")
            RingChannel<Long> ch = (RingChannel<Long>) shm.channel("c", Long.class, 4);
            for (long i = 0; i < 4; i++) {
                ch.put(i);
            }
            java.util.concurrent.CompletableFuture<Boolean> offered = new java.util.concurrent.CompletableFuture<>();
            Thread putter = Thread.ofPlatform().start(() -> offered.complete(ch.offer(4L, Duration.ofSeconds(5))));
            Thread.sleep(100); // lets the putter find the channel full and wait (it passes either way)
            // The oldest entry taken and freed as the first of a run whose taker then stops: the
            // head stays where it was, a lap behind the tail, though the entry is free.
            Ring ring = ch.ring();
            assertEquals(0, ring.tryClaimNext(0, ch.owners().ownId()));
            ring.release(0);
            assertTrue(offered.get(10, java.util.concurrent.TimeUnit.SECONDS), "the put found the free entry");
            putter.join();
            for (long i = 1; i < 5; i++) {
                assertEquals(i, ch.poll());
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }
}
