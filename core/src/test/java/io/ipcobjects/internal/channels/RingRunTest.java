package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @SuppressWarnings("unchecked")
    private static RingChannel<Long> ringChannel(io.ipcobjects.Channel<Long> channel) {
        return (RingChannel<Long>) channel;
    }

    /**
     * Runs {@code waiter} (a put on a full channel) on its own thread, lets it find the channel
     * full and wait (the test passes either way), runs {@code free} on this thread, and returns
     * what the waiter returned once it ends.
     */
    private static <R> R afterFreeing(java.util.concurrent.Callable<R> waiter, ThrowingRunnable free) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<R>();
        // A daemon: a test that fails leaves no blocked put that keeps the JVM up.
        Thread thread = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                result.complete(waiter.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        Thread.sleep(100);
        free.run();
        R value = result.get(20, java.util.concurrent.TimeUnit.SECONDS);
        thread.join();
        return value;
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * {@code messages} as a collection whose iterator runs {@code beforeEach} before it hands
     * out each message and {@code whenExhausted} once when it finds no more: a putAll's caller
     * acting between its puts, on the putAll's own thread.
     */
    private static java.util.Collection<Long> withHooks(java.util.List<Long> messages, java.util.function.Consumer<Long> beforeEach,
                                                        Runnable whenExhausted) {
        return new java.util.AbstractCollection<>() {
            @Override
            public java.util.Iterator<Long> iterator() {
                java.util.Iterator<Long> inner = messages.iterator();
                return new java.util.Iterator<>() {
                    private boolean exhausted;

                    @Override
                    public boolean hasNext() {
                        boolean more = inner.hasNext();
                        if (!more && !exhausted) {
                            exhausted = true;
                            whenExhausted.run();
                        }
                        return more;
                    }

                    @Override
                    public Long next() {
                        Long message = inner.next();
                        beforeEach.accept(message);
                        return message;
                    }
                };
            }

            @Override
            public int size() {
                return messages.size();
            }
        };
    }

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
            RingChannel<Long> drainer = ringChannel(shm.channel("c", Long.class, 4));
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
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            for (long i = 0; i < 4; i++) {
                ch.put(i);
            }
            Ring ring = ch.ring();
            boolean offered = afterFreeing(() -> ch.offer(4L, Duration.ofSeconds(5)), () -> {
                // The oldest entry taken and freed as the first of a run whose taker then stops:
                // the head stays where it was, a lap behind the tail, though the entry is free.
                assertEquals(0, ring.tryClaimNext(0, ch.owners().ownId()));
                ring.release(0);
            });
            assertTrue(offered, "the put found the free entry");
            for (long i = 1; i < 5; i++) {
                assertEquals(i, ch.poll());
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }

    @Test
    void aPutterMeetingATailLaggingBehindAStoppedRunHelpsItOnAndPutsAfterTheRun() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            RingChannel<Long> runner = ringChannel(shm.channel("c", Long.class, 4));
            Ring ring = runner.ring();
            int me = runner.owners().ownId();
            // A run of three puts whose putter stops before moving the tail past its last two
            // entries: the tail stays at 1. The entries stay WRITING (their payloads unwritten).
            assertEquals(0, ring.tryClaimPut(me));
            assertEquals(1, ring.tryClaimNextPut(1, me));
            assertEquals(2, ring.tryClaimNextPut(2, me));
            assertEquals(-1, ring.tryClaimNextPut(2, me), "an entry claimed already is not claimed twice");
            assertEquals(3, ring.size(), "the tail lags behind the run; the size counts the claimed entries past it");
            var putter = other.channel("c", Long.class);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertTrue(putter.offer(30L), "the other putter helps the tail past the run and claims entry 3");
                assertFalse(putter.offer(40L), "a lap of four entries is full");
            });
            assertEquals(4, ring.size());
            assertEquals(-1, ring.tryClaimNextPut(4, me), "a run cannot claim last lap's entry before it is taken");
        }
    }

    @Test
    void putAllRunsLongerThanTheRingAreTakenInOrderAndLeaveTheTailAtTheEnd() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            assertEquals(3, ch.putAll(java.util.List.of(0L, 1L, 2L)));
            assertEquals(3, ch.size(), "the tail moved past the whole run");
            java.util.List<Long> taken = new java.util.ArrayList<>();
            Thread taker = Thread.ofPlatform().start(() -> {
                while (taken.size() < 23) {
                    Long m = ch.poll();
                    if (m != null) {
                        taken.add(m);
                    }
                }
            });
            java.util.List<Long> more = java.util.stream.LongStream.range(3, 23).boxed().toList();
            assertEquals(20, ch.putAll(more), "a putAll of five laps waits for room and puts all");
            taker.join(Duration.ofSeconds(30));
            assertEquals(java.util.stream.LongStream.range(0, 23).boxed().toList(), taken);
            assertEquals(0, ch.size());
            assertNull(ch.poll());
            shm.verify();
        }
    }

    /**
     * In a ring of at least {@link Ring#LAGGING_TAIL_MIN_CAPACITY} entries a handle's puts that
     * follow each other claim the next entry directly and move the tail only every
     * {@link Ring#TAIL_MOVE_EVERY} puts. Another handle's put still lands after them, the size
     * counts them all, the ring still fills to exactly its capacity, and takes see put order.
     */
    @Test
    void putsThatFollowEachOtherLeaveTheTailBehindYetSizeBoundAndOrderHold() {
        int capacity = Ring.LAGGING_TAIL_MIN_CAPACITY;
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            RingChannel<Long> first = ringChannel(shm.channel("c", Long.class, capacity));
            var second = other.channel("c", Long.class);
            java.util.List<Long> expected = new java.util.ArrayList<>();
            for (long i = 0; i < 5; i++) {
                assertTrue(first.offer(i));
                expected.add(i);
                assertEquals(expected.size(), first.size(), "after " + (i + 1) + " puts");
            }
            assertTrue(second.offer(100L), "the other handle's put lands after the five");
            expected.add(100L);
            assertTrue(first.offer(5L), "the first handle's hint is stale now: its put goes after the other's");
            expected.add(5L);
            for (long i = 200; expected.size() < capacity; i++) {
                assertTrue((i % 3 == 0 ? second : first).offer(i));
                expected.add(i);
            }
            assertEquals(capacity, first.size());
            assertFalse(first.offer(-1L), "full: a lap of entries");
            assertFalse(second.offer(-1L), "full for the other handle too");
            assertEquals(0L, first.poll());
            assertTrue(first.offer(300L), "the freed entry, a lap on");
            expected.remove(0);
            expected.add(300L);
            assertFalse(second.offer(-1L));
            java.util.List<Long> taken = new java.util.ArrayList<>();
            assertEquals(capacity, second.drainTo(taken, 2 * capacity));
            assertEquals(expected, taken);
            assertEquals(0, first.size());
            assertNull(first.poll());
        }
    }
    /**
     * Where the positions stand after each call, as the layout says: in a ring of at least
     * {@link Ring#LAGGING_TAIL_MIN_CAPACITY} entries a handle's puts move the tail once every
     * {@link Ring#TAIL_MOVE_EVERY}; in a smaller ring each put moves it; each take moves the head;
     * a drain's run moves the head once, to its end; a handle whose hint another handle took
     * puts after the other's entry and leaves the tail at its own.
     */
    @Test
    void thePositionsMoveAsTheLayoutSays() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            int large = Ring.LAGGING_TAIL_MIN_CAPACITY;
            RingChannel<Long> lagging = ringChannel(shm.channel("large", Long.class, large));
            Ring ring = lagging.ring();
            for (int k = 1; k <= large; k++) {
                assertTrue(lagging.offer((long) k));
                assertEquals(k / Ring.TAIL_MOVE_EVERY * Ring.TAIL_MOVE_EVERY, ring.tailPosition(), "the tail after " + k + " puts");
                assertEquals(k, ring.size());
            }
            assertFalse(lagging.offer(-1L));
            for (int k = 1; k <= 3; k++) {
                assertEquals(k, lagging.poll());
                assertEquals(k / Ring.HEAD_MOVE_EVERY * Ring.HEAD_MOVE_EVERY, ring.headPosition(), "the head after " + k + " takes");
                assertEquals(large - k, ring.size(), "the size counts past the takes the head lags behind");
            }
            java.util.List<Long> drained = new java.util.ArrayList<>();
            assertEquals(5, lagging.drainTo(drained, 5));
            assertEquals(java.util.List.of(4L, 5L, 6L, 7L, 8L), drained);
            assertEquals(8, ring.headPosition(), "a run of five moved the head to its end");
            assertEquals(large - 8, ring.size());

            RingChannel<Long> mine = ringChannel(shm.channel("shared", Long.class, large));
            var theirs = other.channel("shared", Long.class);
            Ring shared = mine.ring();
            for (long i = 0; i < 5; i++) {
                assertTrue(mine.offer(i));
            }
            assertEquals(0, shared.tailPosition(), "five puts of one handle leave the tail at 0");
            assertTrue(theirs.offer(100L));
            assertEquals(5, shared.tailPosition(), "the other handle helped the tail to the first free entry and claimed it");
            assertTrue(mine.offer(5L));
            assertEquals(6, shared.tailPosition(), "the first handle's hint was taken: it helped the tail on and claimed entry 6");
            assertEquals(7, shared.size());
            java.util.List<Long> taken = new java.util.ArrayList<>();
            assertEquals(7, theirs.drainTo(taken, 100));
            assertEquals(java.util.List.of(0L, 1L, 2L, 3L, 4L, 100L, 5L), taken);
            assertEquals(7, shared.headPosition());

            RingChannel<Long> runs = ringChannel(shm.channel("runs", Long.class, large));
            Ring runRing = runs.ring();
            assertEquals(5, runs.putAll(java.util.List.of(0L, 1L, 2L, 3L, 4L)));
            assertEquals(5, runRing.tailPosition(), "a putAll's run moves the tail to its end");
            java.util.List<Long> firstThree = new java.util.ArrayList<>();
            assertEquals(3, runs.drainTo(firstThree, 3));
            assertEquals(java.util.List.of(0L, 1L, 2L), firstThree);
            assertEquals(3, runRing.headPosition(), "a drain of three moves the head past them, and no further");
            assertEquals(2, runs.size());

            // A take after an empty ring reads the entry first (the slow path) and leaves the head
            // at what it claims (the next take tries the entry after it first); one whose next
            // entry another taker's run claimed moves the head up to that entry, helps it past
            // it and takes the next; one that meets an entry being written finds nothing yet, and
            // one that meets a skipped entry passes it and moves the head past it.
            RingChannel<Long> takes = ringChannel(shm.channel("takes", Long.class, large));
            Ring takeRing = takes.ring();
            int me = takes.owners().ownId();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertNull(takes.poll());
                assertTrue(takes.offer(1L));
                assertEquals(1L, takes.poll());
                assertEquals(0, takeRing.headPosition(), "a take on the slow path leaves the head at its entry");
                assertEquals(0, takes.size());
                assertTrue(takes.offer(2L));
                assertTrue(takes.offer(3L));
                assertEquals(1, takeRing.tryClaimNext(1, me), "a run's first entry, claimed without moving the head");
                assertEquals(3L, takes.poll(), "the next take helps the head past the claimed entry");
                assertEquals(2, takeRing.headPosition(), "and leaves it at the entry it took");
                takeRing.release(1);
                long writing = takeRing.tryClaimPut(me);
                assertEquals(3, writing);
                assertNull(takes.poll(), "the entry after the last take is being written: nothing to take yet");
                assertEquals(2, takeRing.headPosition(), "and the head stays behind the take");
                takeRing.abandon(writing);
                assertNull(takes.poll(), "an abandoned entry is skipped and freed");
                assertEquals(4, takeRing.headPosition());
                assertEquals(0, takes.size());
            });

            int small = Ring.LAGGING_TAIL_MIN_CAPACITY / 2;
            RingChannel<Long> eager = ringChannel(shm.channel("small", Long.class, small));
            Ring smallRing = eager.ring();
            for (int k = 1; k <= small; k++) {
                assertTrue(eager.offer((long) k));
                assertEquals(k, smallRing.tailPosition(), "a small ring's tail after " + k + " puts");
            }
            assertFalse(eager.offer(-1L));
            shm.verify();
        }
    }

    /**
     * A putAll whose first claim came from the handle's hint starts its run with the tail still
     * behind earlier puts. Consumers free entries while the run goes on, so the run reaches
     * entries a lap past the lagging tail; another handle's put that meets such an entry at the
     * tail must still find its place, not call the ring corrupt after a million spins.
     */
    @Test
    void aPutAllAfterPutsThatLeftTheTailBehindNeverRunsALapPastTheTail() {
        int capacity = Ring.LAGGING_TAIL_MIN_CAPACITY;
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            RingChannel<Long> mine = ringChannel(shm.channel("c", Long.class, capacity));
            var theirs = other.channel("c", Long.class);
            for (long i = 0; i < 3; i++) {
                assertTrue(mine.offer(i));
            }
            assertEquals(0, mine.ring().tailPosition(), "three puts of one handle leave the tail at 0");
            long last = 3 + capacity - 2; // one run of a lap less one: positions 3..17
            java.util.List<Long> run = java.util.stream.LongStream.rangeClosed(3, last).boxed().toList();
            boolean[] offered = new boolean[1];
            java.util.Collection<Long> messages = withHooks(run, message -> {
                if (message == 5L) {
                    // A consumer takes the three oldest: entries 0..2 are free for positions 16..18.
                    assertEquals(java.util.List.of(0L, 1L, 2L), java.util.stream.Stream.generate(theirs::poll).limit(3).toList());
                }
            }, () -> {
                // The run's last entry is committed and its tail not yet moved.
                offered[0] = theirs.offer(999L);
            });
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertEquals(run.size(), mine.putAll(messages));
            });
            assertTrue(offered[0], "the other handle's put found the free entry after the run");
            java.util.List<Long> taken = new java.util.ArrayList<>();
            assertEquals(run.size() + 1, theirs.drainTo(taken, 100));
            java.util.List<Long> expected = new java.util.ArrayList<>(run);
            expected.add(999L);
            assertEquals(expected, taken);
            assertNull(theirs.poll());
            shm.verify();
        }
    }

    /**
     * A putAll's run is at most a lap less one long, and moves the tail once, where it ends; a
     * consumer taking between the puts lets it go on into the entries it freed. The iterator
     * reads the tail before each message is put.
     */
    @Test
    void aPutAllRunIsALapLessOneLongAndMovesTheTailOnceAtItsEnd() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            Ring ring = ch.ring();
            java.util.List<Long> tails = new java.util.ArrayList<>();
            java.util.List<Long> polled = new java.util.ArrayList<>();
            java.util.List<Long> messages = java.util.List.of(0L, 1L, 2L, 3L, 4L, 5L);
            java.util.Collection<Long> watched = withHooks(messages, message -> {
                if (message >= 2) {
                    polled.add(ch.poll());
                }
                tails.add(ring.tailPosition());
            }, () -> { });
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(6, ch.putAll(watched)));
            // 0 from the tail; 1 and 2 as a run (the tail stays at 1); 3 ends the run at three
            // entries: the tail moves to 3 and the put claims 3 from it; 4 and 5 run from there.
            assertEquals(java.util.List.of(0L, 1L, 1L, 1L, 4L, 4L), tails);
            assertEquals(java.util.List.of(0L, 1L, 2L, 3L), polled);
            assertEquals(6, ring.tailPosition(), "the last run moved the tail to its end");
            assertEquals(4L, ch.poll());
            assertEquals(5L, ch.poll());
            assertNull(ch.poll());
        }
    }

    /**
     * A drain's run is at most a lap long and moves the head once, where it ends; puts made
     * while it drains (here by the sink itself, into the entries just freed) let it go on.
     */
    @Test
    void aDrainRunIsALapLongAtMostAndMovesTheHeadOnceAtItsEnd() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            Ring ring = ch.ring();
            for (long i = 0; i < 4; i++) {
                assertTrue(ch.offer(i));
            }
            java.util.List<Long> heads = new java.util.ArrayList<>();
            java.util.List<Long> freeds = new java.util.ArrayList<>();
            java.util.List<Long> taken = new java.util.ArrayList<>() {
                @Override
                public boolean add(Long message) {
                    heads.add(ring.headPosition());
                    freeds.add(ring.freedPosition());
                    if (message + 4 < 14) {
                        assertTrue(ch.offer(message + 4), "the entry just taken is free a lap on");
                    }
                    return super.add(message);
                }
            };
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(14, ch.drainTo(taken, 100)));
            assertEquals(java.util.stream.LongStream.range(0, 14).boxed().toList(), taken);
            java.util.List<Long> expectedHeads = java.util.stream.LongStream.range(0, 14).map(i -> 1 + i / 4 * 4).boxed().toList();
            assertEquals(expectedHeads, heads, "the head moves past each run of four (its first claim) and at its end");
            java.util.List<Long> expectedFreeds = java.util.stream.LongStream.range(0, 14).map(i -> i / 4 * 4).boxed().toList();
            assertEquals(expectedFreeds, freeds, "the freed word moves once per run, at its end");
            assertEquals(14, ring.headPosition());
            assertEquals(14, ring.freedPosition());
            assertEquals(0, ch.size());
        }
    }

    /**
     * A putter waiting on a full ring of 64 waits for a batch of 16 free entries while takers
     * are freeing, but a single entry freed by a taker that then stops ends its wait: a timed
     * offer and a blocking put each get the one entry.
     */
    @Test
    void aWaitingPutterGetsASingleEntryFreedByATakerThatStops() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            int capacity = 64;
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, capacity));
            assertEquals(16, Ring.resumeRoom(capacity));
            for (long i = 0; i < capacity; i++) {
                assertTrue(ch.offer(i));
            }
            assertTrue(afterFreeing(() -> ch.offer(64L, Duration.ofSeconds(30)), () -> assertEquals(0L, ch.poll())),
                    "the timed offer got the freed entry");
            afterFreeing(() -> {
                ch.put(65L);
                return null;
            }, () -> assertEquals(1L, ch.poll()));
            for (long i = 2; i < 66; i++) {
                assertEquals(i, ch.poll());
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }

    /**
     * Two takers that free out of order: the later entry's taker leaves the freed word where it
     * is, the earlier one's moves it past its own entry only, and the next taker to free an
     * entry walks it past both; a waiting putter's walk does the same when no taker comes.
     */
    @Test
    void theFreedWordPassesEntriesFreedOutOfOrder() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            RingChannel<Long> mine = ringChannel(shm.channel("c", Long.class, 8));
            RingChannel<Long> theirs = ringChannel(other.channel("c", Long.class));
            Ring ring = mine.ring();
            for (long i = 0; i < 8; i++) {
                assertTrue(mine.offer(i));
            }
            long first = ring.tryClaimTake(mine.owners().ownId());
            assertEquals(0, first);
            assertEquals(1L, theirs.poll());
            assertEquals(0, ring.freedPosition(), "entry 0 is still being read");
            ring.release(first);
            assertEquals(1, ring.freedPosition(), "the earlier taker passes its own entry");
            assertEquals(2L, theirs.poll());
            assertEquals(3, ring.freedPosition(), "the next free walks past the entry freed out of order");

            // A taker that reads entry 3 while another frees 4 and 5, then frees 3: no taker
            // comes after it, and a putter's walk takes the word on.
            long third = ring.tryClaimTake(mine.owners().ownId());
            assertEquals(3, third);
            assertEquals(4L, theirs.poll());
            assertEquals(5L, theirs.poll());
            assertEquals(3, ring.freedPosition());
            ring.release(third);
            assertEquals(4, ring.freedPosition());
            for (long i = 8; i < 14; i++) {
                assertTrue(mine.offer(i), "entry " + (i - 8) + " is free");
            }
            assertFalse(ring.roomToResume(), "the freed word says the ring is full");
            assertFalse(ring.roomPastLaggingFreed(), "entry 6 is not freed");
            assertEquals(6, ring.freedPosition(), "the walk passed entries 4 and 5");
            assertEquals(6L, mine.poll());
            assertEquals(7, ring.freedPosition());
            assertFalse(ring.roomPastLaggingFreed(), "one entry is free, less than a batch, and the taker is freeing");
            assertTrue(ring.roomPastLaggingFreed(), "one entry is free, and the taker has stopped");
            shm.verify();
        }
    }

    /**
     * The tail moves as the layout says when a put claims from it on the slow path (after a
     * full ring), when another handle's put lands at a position of 8k - 1 in a large ring, and
     * past entries taken and freed behind a lagging tail (which the size also counts).
     */
    @Test
    void aPutFromTheTailMovesItAndHelpsItPastFreedEntries() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    RingChannel<Long> small = ringChannel(shm.channel("small", Long.class, 4));
                for (long i = 0; i < 4; i++) {
                    assertTrue(small.offer(i));
                }
                assertFalse(small.offer(-1L), "full: the next put reads the entry first");
                assertEquals(0L, small.poll());
                assertTrue(small.offer(4L));
                assertEquals(5, small.ring().tailPosition(), "a put on the slow path moves the tail past its entry");

                int large = Ring.LAGGING_TAIL_MIN_CAPACITY;
                    RingChannel<Long> mine = ringChannel(shm.channel("large", Long.class, large));
                var theirs = other.channel("large", Long.class);
                Ring ring = mine.ring();
                for (long i = 0; i < Ring.TAIL_MOVE_EVERY - 1; i++) {
                    assertTrue(mine.offer(i));
                }
                assertEquals(0, ring.tailPosition());
                assertTrue(theirs.offer(100L));
                assertEquals(Ring.TAIL_MOVE_EVERY, ring.tailPosition(),
                        "the other handle helped the tail to 7, claimed 7, and moved the tail on as 8 divides 7 + 1");
                java.util.List<Long> all = new java.util.ArrayList<>();
                assertEquals(Ring.TAIL_MOVE_EVERY, theirs.drainTo(all, 100));

                    RingChannel<Long> lagged = ringChannel(shm.channel("lagged", Long.class, large));
                var taker = other.channel("lagged", Long.class);
                for (long i = 0; i < 3; i++) {
                    assertTrue(lagged.offer(i));
                }
                assertEquals(0L, taker.poll());
                assertEquals(1L, taker.poll());
                assertEquals(0, lagged.ring().tailPosition(), "the tail lags behind three puts, two of them taken and freed");
                assertEquals(1, lagged.size(), "the freed entries past the tail are not counted, the claimed one is");
                assertTrue(taker.offer(100L), "a put from the tail helps it past the freed and the claimed entries");
                assertEquals(3, lagged.ring().tailPosition());
                assertEquals(2, lagged.size());
                assertEquals(2L, taker.poll());
                assertEquals(100L, taker.poll());
                assertNull(taker.poll());
            });
            shm.verify();
        }
    }

    /**
     * While a taker still reads the entry of last lap at the head, there is nothing newer to
     * take and no room to put: both say so at once (neither spins nor calls the ring corrupt).
     */
    @Test
    void anEntryStillBeingReadALapBehindMeansEmptyToTakersAndFullToPutters() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            Ring ring = ch.ring();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertTrue(ch.offer(0L));
                long reading = ring.tryClaimTake(ch.owners().ownId());
                assertEquals(0, reading, "a taker claims entry 0 and keeps reading it");
                for (long i = 1; i < 4; i++) {
                    assertTrue(ch.offer(i));
                    assertEquals(i, ch.poll());
                }
                assertEquals(4, ring.headPosition());
                assertNull(ch.poll(), "entry 0 still holds position 0: nothing newer was put");
                assertFalse(ch.offer(4L), "and position 4 cannot be put before entry 0 is freed");
                ring.release(reading);
                assertTrue(ch.offer(4L));
                assertEquals(4L, ch.poll());
            });
            shm.verify();
        }
    }

    /** A ring formatted in a block that held other bytes before starts empty: its positions are written, not assumed zero. */
    @Test
    void aRingInAReusedBlockStartsEmpty() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            byte[] junk = new byte[256 * 1024];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            shm.put("junk", junk);
            assertTrue(shm.remove("junk"));
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 1024, 64));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertEquals(0, ch.size());
                assertEquals(0, ch.ring().headPosition());
                assertEquals(0, ch.ring().tailPosition());
                assertNull(ch.poll());
                assertTrue(ch.offer(7L));
                assertEquals(7L, ch.poll());
            });
            shm.verify();
        }
    }

    /** A handle's stale hint (another handle put meanwhile) moves the tail to the hint, and changes no other word. */
    @Test
    void aStaleHintMovesTheTailAndNoOtherWord() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            RingChannel<Long> mine = ringChannel(shm.channel("c", Long.class, Ring.LAGGING_TAIL_MIN_CAPACITY));
            var theirs = other.channel("c", Long.class);
            int laps = 200_000; // positions far above any small word near the ring
            for (long i = 0; i < laps; i++) {
                assertTrue(mine.offer(i));
                assertEquals(i, theirs.poll());
            }
            assertTrue(theirs.offer(-1L), "the other handle claims the entry the first handle's hint names");
            java.lang.foreign.MemorySegment segment = io.ipcobjects.TestAccess.context(shm).memory().segment();
            long from = mine.block() - 64; // the line before the channel's block, its header and the ring's head line
            long to = mine.block() + ChannelLayout.RING_OFFSET + RingLayout.TAIL_OFFSET;
            byte[] before = segment.asSlice(from, to - from).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertTrue(mine.offer((long) laps), "the stale hint fails its claim; the put goes after the other's");
            byte[] after = segment.asSlice(from, to - from).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            org.junit.jupiter.api.Assertions.assertArrayEquals(before, after);
            assertEquals(laps + 1, mine.ring().tailPosition());
            assertEquals(-1L, theirs.poll());
            assertEquals((long) laps, theirs.poll());
            shm.verify();
        }
    }

    /**
     * A handle whose takes follow each other leaves the head behind them, and moves it once
     * every {@link Ring#HEAD_MOVE_EVERY} takes: another handle's take, the size, a putter
     * waiting for room and the repair of a dead writer's entry all look past the entries it
     * lags behind.
     */
    @Test
    void theHeadLagsBehindTakesThatFollowEachOtherAndEveryoneLooksPastIt() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            int capacity = Ring.LAGGING_TAIL_MIN_CAPACITY;
            RingChannel<Long> mine = ringChannel(shm.channel("c", Long.class, capacity));
            RingChannel<Long> theirs = ringChannel(other.channel("c", Long.class));
            Ring ring = mine.ring();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (long i = 0; i < capacity; i++) {
                    assertTrue(mine.offer(i));
                }
                for (long i = 0; i < Ring.HEAD_MOVE_EVERY; i++) {
                    assertEquals(i, mine.poll());
                    long expectedHead = i + 1 == Ring.HEAD_MOVE_EVERY ? Ring.HEAD_MOVE_EVERY : 0;
                    assertEquals(expectedHead, ring.headPosition(), "the head after " + (i + 1) + " takes");
                }
                assertEquals(Ring.HEAD_MOVE_EVERY, mine.poll());
                assertEquals(Ring.HEAD_MOVE_EVERY + 1, mine.poll());
                assertEquals(Ring.HEAD_MOVE_EVERY, ring.headPosition(), "two takes past the last move");
                assertEquals(capacity - Ring.HEAD_MOVE_EVERY - 2, ring.size());

                // The other handle helps the head past the two and takes the next, in order.
                assertEquals(Ring.HEAD_MOVE_EVERY + 2, theirs.poll());
                assertEquals(Ring.HEAD_MOVE_EVERY + 2, ring.headPosition(), "helped past the two taken entries, left at the one it took");
                // The first handle's next entry is taken: it moves the head up to it and goes the head's way.
                assertEquals(Ring.HEAD_MOVE_EVERY + 3, mine.poll());
                assertEquals(capacity - Ring.HEAD_MOVE_EVERY - 4, ring.size());

                // Fill the ring again: the head lags behind the last two takes, so the positions
                // alone say it is full, and the entries behind the head say it is not.
                long next = capacity;
                while (mine.offer(next)) {
                    next++;
                }
                assertEquals(capacity + Ring.HEAD_MOVE_EVERY + 4, next, "the twelve taken entries were free again");
                assertEquals(capacity, ring.size());
                assertFalse(ring.roomPastLaggingFreed(), "a full ring");
                assertEquals(Ring.HEAD_MOVE_EVERY + 4, mine.poll());
                assertEquals(Ring.HEAD_MOVE_EVERY + 5, ring.freedPosition(), "each take passed the freed word");
                assertFalse(ring.roomToResume(), "one free entry is less than a batch to resume on");
                assertFalse(ring.roomPastLaggingFreed(), "one free entry, just freed");
                assertTrue(ring.roomPastLaggingFreed(), "one free entry, and the takers freed none since the last look");
                assertTrue(mine.offer(next, Duration.ofSeconds(5)), "a put that waits for room finds it");
                assertFalse(mine.offer(-1L));
            });
            shm.verify();
        }
    }

    /**
     * The repairs start from the oldest entry not yet taken, past the takes the head lags
     * behind: a dead writer's entry there is marked skipped, and a skipped entry there is
     * claimed, as they would be at the head.
     */
    @Test
    void repairsFindTheOldestEntryPastTheTakesTheHeadLagsBehind() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, Ring.LAGGING_TAIL_MIN_CAPACITY));
            Ring ring = ch.ring();
            int me = ch.owners().ownId();
            int deadWriter = 63 | (5 << 6); // slot 63, generation 5: no process holds it
            assertFalse(ch.owners().isLive(deadWriter));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (long i = 0; i < 3; i++) {
                    assertTrue(ch.offer(i));
                }
                for (long i = 0; i < 3; i++) {
                    assertEquals(i, ch.poll());
                }
                assertEquals(0, ring.headPosition(), "three takes leave the head behind them");
                long dying = ring.tryClaimPut(deadWriter);
                assertEquals(3, dying);
                assertTrue(ring.skipDeadWriter(ch.owners()), "the dead writer's entry, past the three taken ones, is skipped");
                assertFalse(ring.skipDeadWriter(ch.owners()), "once");
                assertNull(ch.poll(), "the skipped entry is passed, and nothing follows");
                assertEquals(4, ring.headPosition());

                for (long i = 4; i < 7; i++) {
                    assertTrue(ch.offer(i));
                }
                for (long i = 4; i < 7; i++) {
                    assertEquals(i, ch.poll());
                }
                assertEquals(4, ring.headPosition());
                long failed = ring.tryClaimPut(me);
                assertEquals(7, failed);
                ring.abandon(failed);
                assertEquals(7, ring.claimSkippedAtHead(me), "the skipped entry past the three taken ones");
                assertEquals(8, ring.headPosition(), "and the head moved past it");
                ring.release(7);
                assertTrue(ch.offer(8L));
                assertEquals(8L, ch.poll());
            });
            shm.verify();
        }
    }

    /** What a sweep may pass at the head by itself is a skipped entry only: not an empty one, one being written, nor a full one. */
    @Test
    void aSkippedEntryAtTheHeadIsPassedAndNothingElseIs() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<Long> ch = ringChannel(shm.channel("c", Long.class, 4));
            Ring ring = ch.ring();
            int me = ch.owners().ownId();
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertTrue(ch.offer(1L));
                assertEquals(1L, ch.poll());
                assertEquals(-1, ring.claimSkippedAtHead(me), "an empty ring");
                long writing = ring.tryClaimPut(me);
                assertEquals(1, writing);
                assertEquals(-1, ring.claimSkippedAtHead(me), "an entry being written");
                ring.abandon(writing);
                assertTrue(ch.offer(2L));
                assertEquals(1, ring.claimSkippedAtHead(me), "the skipped entry, claimed as a take would");
                assertEquals(2, ring.headPosition(), "and the head moved past it");
                assertEquals(-1, ring.claimSkippedAtHead(me), "a full entry is left to takers");
                ring.release(1);
                for (long i = 3; i < 6; i++) {
                    assertTrue(ch.offer(i), "a lap fits again: " + i);
                }
                assertFalse(ch.offer(-1L));
                java.util.List<Long> taken = new java.util.ArrayList<>();
                assertEquals(4, ch.drainTo(taken, 10));
                assertEquals(java.util.List.of(2L, 3L, 4L, 5L), taken);
            });
            shm.verify();
        }
    }

    /**
     * An entry is found by masking the position when the capacity is a power of two and by a
     * division otherwise: rings of both kinds, filled to exactly their capacity, emptied and
     * refilled over several laps, with single puts and takes and with runs, hand every message
     * out once and in order.
     */
    @Test
    void ringsOfEveryCapacityFillToItAndKeepOrderLapAfterLap() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            for (int capacity : new int[] {1, 3, 4, 6, 7, 16, 17, 24, 64, 100}) {
                RingChannel<Long> ch = ringChannel(shm.channel("c" + capacity, Long.class, capacity));
                long next = 0;
                long expected = 0;
                for (int lap = 0; lap < 5; lap++) {
                    // fill: one by one on even laps, in one putAll on odd ones
                    java.util.List<Long> batch = new java.util.ArrayList<>();
                    for (int i = 0; i < capacity; i++) {
                        batch.add(next++);
                    }
                    if (lap % 2 == 0) {
                        for (Long m : batch) {
                            assertTrue(ch.offer(m), "capacity " + capacity + ": room for message " + m);
                        }
                    } else {
                        assertEquals(capacity, ch.putAll(batch));
                    }
                    assertEquals(capacity, ch.size());
                    assertFalse(ch.offer(-1L), "capacity " + capacity + ": full at exactly its capacity");
                    // empty: half by polls, the rest by one drain
                    for (int i = 0; i < capacity / 2; i++) {
                        assertEquals(expected++, ch.poll());
                    }
                    java.util.List<Long> rest = new java.util.ArrayList<>();
                    assertEquals(capacity - capacity / 2, ch.drainTo(rest, Integer.MAX_VALUE));
                    for (Long m : rest) {
                        assertEquals(expected++, m, "capacity " + capacity);
                    }
                    assertNull(ch.poll());
                    // and off by one entry for the next lap
                    assertTrue(ch.offer(next++));
                    assertEquals(expected++, ch.poll());
                }
            }
            shm.verify();
        }
    }
}
