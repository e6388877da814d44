package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.ipcobjects.Channel;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A channel whose words were overwritten (a bug elsewhere, a hostile file) gives
 * {@link CorruptedRegionException} naming what is wrong, within a bounded time and memory: no
 * hang, no {@code OutOfMemoryError}, no crash.
 */
class HostileChannelTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Puts one message, lets {@code damage} change the region (given the channel's block), then takes. */
    private void takeAfter(Object message, BiConsumer<RegionMemory, Long> damage, String expectedWords) {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            ch.put(message);
            long block = ((RingChannel<?>) ch).block();
            damage.accept(TestAccess.context(shm).memory(), block);
            CorruptedRegionException e = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(CorruptedRegionException.class, () -> ch.take(Duration.ofSeconds(5))));
            assertEquals(true, e.getMessage().contains(expectedWords), e.getMessage());
        }
    }

    /** The claim word of entry 0 of the channel's ring, by the capacity and stride its header holds. */
    private static long claim0(RegionMemory memory, long block) {
        long ring = block + ChannelLayout.RING_OFFSET;
        return ring + RingLayout.claimsOffset(memory.getInt(ring + RingLayout.CAPACITY_OFFSET), memory.getInt(ring + RingLayout.STRIDE_OFFSET));
    }

    private static long entry0(long block) {
        return block + ChannelLayout.RING_OFFSET + RingLayout.ENTRIES_OFFSET;
    }

    @Test
    void anUnknownEntryStateIsCorrupt() {
        takeAfter(5L, (m, block) -> m.putLongUnlogged(entry0(block), RingLayout.word(0, 9, 0)), "state 9");
    }

    @Test
    void anEntryOfNoLapIsCorruptNotASpinForEver() {
        takeAfter(5L, (m, block) -> m.putLongUnlogged(entry0(block), RingLayout.word(12345, RingLayout.FULL, 0)),
                "sequence 12345");
    }

    @Test
    void aPayloadLongerThanItsEntryIsCorrupt() {
        takeAfter(5L, (m, block) -> m.segment().set(ValueLayout.JAVA_INT, entry0(block) + RingLayout.PAYLOAD_LENGTH_OFFSET, 100_000),
                "100000 bytes");
    }

    @Test
    void aCountTheBytesCannotHoldIsCorruptAndAllocatesNothing() {
        // A list claiming 2^27 elements in a 112-byte entry: refused before anything is allocated.
        takeAfter(java.util.List.of(1L), (m, block) -> {
            long payload = entry0(block) + RingLayout.PAYLOAD_OFFSET;
            m.putByte(payload + 1, (byte) 0x80);
            m.putByte(payload + 2, (byte) 0x80);
            m.putByte(payload + 3, (byte) 0x80);
            m.putByte(payload + 4, (byte) 0x40);
        }, "elements");
    }

    @Test
    void aHeapPayloadPointingNowhereIsCorrupt() {
        takeAfter("x".repeat(500), (m, block) -> m.putLongUnlogged(entry0(block) + RingLayout.PAYLOAD_OFFSET + 8, 8),
                "offset");
    }

    @Test
    void aRingThatDoesNotFitItsBlockIsRefusedWhenOpened() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<Long> ch = shm.channel("c", Long.class, 4);
            long block = ((RingChannel<?>) ch).block();
            TestAccess.context(shm).memory().segment().set(ValueLayout.JAVA_INT, block + ChannelLayout.RING_OFFSET + RingLayout.CAPACITY_OFFSET,
                    1 << 19);
            try (SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
                CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> other.channel("c", Long.class));
                assertEquals(true, e.getMessage().contains("does not fit"), e.getMessage());
                assertThrows(CorruptedRegionException.class, other::verify);
            }
        }
    }

    @Test
    void aPutMeetingAClaimWordOfNoLapAtTheTailIsCorruptNotASpinForEver() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            long block = ((RingChannel<?>) ch).block();
            RegionMemory memory = TestAccess.context(shm).memory();
            memory.putLongUnlogged(claim0(memory, block), RingLayout.claimWord(12345, 0));
            CorruptedRegionException e = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(CorruptedRegionException.class, () -> ch.offer(5L)));
            assertEquals(true, e.getMessage().contains("claim word names position 12345"), e.getMessage());
        }
    }

    /**
     * A put past what the freed word covers reads its entry: one of no lap near the tail makes
     * the ring corrupt; the last lap's message, not yet taken, makes it full.
     */
    @Test
    void aPutMeetingAnEntryOfNoLapAtTheTailIsCorruptNotASpinForEver() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            for (long i = 0; i < 4; i++) {
                assertEquals(true, ch.offer(i));
            }
            assertEquals(false, ch.offer(4L), "the last lap's messages are all still there");
            long block = ((RingChannel<?>) ch).block();
            TestAccess.context(shm).memory().putLongUnlogged(entry0(block), RingLayout.word(12345, RingLayout.FULL, 0));
            CorruptedRegionException e = assertTimeoutPreemptively(BOUND,
                    () -> assertThrows(CorruptedRegionException.class, () -> ch.offer(5L)));
            assertEquals(true, e.getMessage().contains("sequence 12345"), e.getMessage());
        }
    }

    /**
     * The freed word only steers a waiting putter: set to values no ring holds, far behind or
     * far ahead, puts that wait for room and takes still deliver every message in order, in
     * bounded time.
     */
    @Test
    void aFreedWordNoRingHoldsOnlySlowsAWaitingPutter() {
        for (long hostile : new long[] {Long.MIN_VALUE, -1_000, 1L << 40, Long.MAX_VALUE}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
                Channel<Long> ch = shm.channel("c", Long.class, 16);
                for (long i = 0; i < 16; i++) {
                    ch.put(i);
                }
                long block = ((RingChannel<?>) ch).block();
                TestAccess.context(shm).memory().putLongUnlogged(
                        block + ChannelLayout.RING_OFFSET + RingLayout.FREED_OFFSET, hostile);
                assertTimeoutPreemptively(BOUND, () -> {
                    var putter = java.util.concurrent.CompletableFuture.runAsync(() -> {
                        for (long i = 16; i < 48; i++) {
                            ch.put(i);
                        }
                    });
                    for (long i = 0; i < 48; i++) {
                        assertEquals(i, ch.take(Duration.ofSeconds(5)), "message " + i + " with the freed word at " + hostile);
                    }
                    putter.get();
                });
                shm.verify();
            }
        }
    }

    /**
     * The one putter of a channel of one producer claims without a CAS where the freed word says
     * its entry is free. A word past the put, or more than a lap behind it, is no bound: a full
     * channel stays full and keeps every message. A word that lies within a lap costs the
     * messages it claims were taken, and nothing else: the channel goes on, in order, in bounded
     * time.
     */
    @Test
    void aFreedWordNoRingHoldsCostsAOneProducerChannelAtMostTheMessagesItHides() {
        for (long hostile : new long[] {Long.MIN_VALUE, -1_000, 17, 1L << 40, Long.MAX_VALUE, 16, 8}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
                Channel<Long> ch = shm.channel("c", Long.class, 16, Channel.DEFAULT_INLINE_BYTES, Channel.Producers.ONE);
                long block = ((RingChannel<?>) ch).block();
                boolean lies = hostile > 0 && hostile <= 16;
                // One thread puts throughout: the timeout's own.
                assertTimeoutPreemptively(BOUND, () -> {
                    for (long i = 0; i < 16; i++) {
                        ch.put(i);
                    }
                    TestAccess.context(shm).memory().putLongUnlogged(
                            block + ChannelLayout.RING_OFFSET + RingLayout.FREED_OFFSET, hostile);
                    boolean stored = ch.offer(16L);
                    assertEquals(lies, stored, "a full channel with the freed word at " + hostile);
                    long last = -1;
                    int taken = 0;
                    for (Long m = ch.poll(); m != null; m = ch.poll()) {
                        assertEquals(true, m > last, m + " after " + last + " with the freed word at " + hostile);
                        last = m;
                        taken++;
                    }
                    if (!lies) {
                        assertEquals(16, taken, "every message kept with the freed word at " + hostile);
                    }
                    for (long i = 100; i < 140; i++) {
                        ch.put(i);
                        assertEquals(i, ch.poll(), "after the freed word at " + hostile);
                    }
                });
            }
        }
    }

    @Test
    void aByteArraySlotPointingPastTheRegionOrBeforeItIsCorrupt() {
        // A byte[] too long for an entry is stored in the heap; its slot's offset is then damaged.
        for (boolean pastTheEnd : new boolean[] {true, false}) {
            takeAfter(new byte[500], (m, block) -> m.putLongUnlogged(entry0(block) + RingLayout.PAYLOAD_OFFSET + 8,
                    pastTheEnd ? m.size() - 4 : -16), "offset");
        }
    }

    @Test
    void anEntryThatDecodesToNullIsCorrupt() {
        // One byte, the tag of null: no put stores it (a channel refuses null messages).
        takeAfter(5L, (m, block) -> {
            m.segment().set(ValueLayout.JAVA_INT, entry0(block) + RingLayout.PAYLOAD_LENGTH_OFFSET, 1);
            m.putByte(entry0(block) + RingLayout.PAYLOAD_OFFSET, (byte) 0);
        }, "holds null");
    }

    /**
     * A channel of Long whose entry holds something else, which no put of it writes: each unboxed
     * take refuses it by name within bounded time, frees its entry, and the channel goes on.
     */
    @Test
    void anEntryOfAnotherKindInAChannelOfLongIsRefusedByTheUnboxedTakes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("longs", Long.class, 4);
            RegionMemory m = TestAccess.context(shm).memory();
            long block = ((RingChannel<?>) ch).block();
            int stride = m.getInt(block + ChannelLayout.RING_OFFSET + RingLayout.STRIDE_OFFSET);
            java.util.List<org.junit.jupiter.api.function.Executable> takes = java.util.List.of(
                    () -> ch.pollLong(v -> { throw new AssertionError("given " + v); }),
                    () -> ch.takeLong(Duration.ofSeconds(5)),
                    () -> ch.drainLongs(v -> { throw new AssertionError("given " + v); }, 4));
            for (int i = 0; i < takes.size(); i++) {
                ch.putLong(i);
                long entry = entry0(block) + (long) (2 * i % 4) * stride; // two puts per round: position 2i
                int length = FlatCodec.encode(m.segment(), entry + RingLayout.PAYLOAD_OFFSET, stride - 16, new byte[7]);
                m.segment().set(ValueLayout.JAVA_INT, entry + RingLayout.PAYLOAD_LENGTH_OFFSET, length);
                org.junit.jupiter.api.function.Executable take = takes.get(i);
                io.ipcobjects.UnexpectedTypeException e = assertTimeoutPreemptively(BOUND,
                        () -> assertThrows(io.ipcobjects.UnexpectedTypeException.class, take));
                assertEquals(true, e.getMessage().contains("longs") && e.getMessage().contains("not a java.lang.Long"), e.getMessage());
                assertEquals(0, ch.size(), "the refused entry is freed");
                ch.putLong(100 + i);
                assertEquals(100 + i, ch.takeLong(Duration.ofSeconds(5)), "the channel goes on");
            }
            shm.verify();
        }
    }
}
