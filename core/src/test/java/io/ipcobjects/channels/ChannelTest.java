package io.ipcobjects.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.Channel;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Channels in one process: the contract of {@link Channel} call by call. */
class ChannelTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public record Msg(String name, List<String> tags, double score, long id) {
    }

    public enum Colour { RED, GREEN }

    @Test
    void aChannelIsBoundedAndFifo() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("numbers", Long.class, 4);
            assertEquals(4, ch.capacity());
            for (long i = 0; i < 4; i++) {
                assertTrue(ch.offer(i));
            }
            assertFalse(ch.offer(99L), "a full channel refuses");
            assertFalse(ch.offer(99L, Duration.ofMillis(20)), "and still does after a wait");
            assertEquals(4, ch.size());
            assertEquals(0L, ch.poll());
            assertTrue(ch.offer(4L));
            List<Long> rest = new ArrayList<>();
            assertEquals(4, ch.drainTo(rest, 10));
            assertEquals(List.of(1L, 2L, 3L, 4L), rest);
            assertNull(ch.poll());
            assertTrue(ch.isEmpty());
            assertThrows(WaitTimeoutException.class, () -> ch.take(Duration.ofMillis(10)));
        }
    }

    /**
     * Runs of {@code putAll} and of {@code drainTo} (one claim per entry, the tail or head moved
     * once per run) racing with single puts, polls, takes and other drains on threads of three
     * handles, in a small channel that laps often: every message is taken exactly once, and each
     * consumer sees each producer's messages in the order they were put.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "capacity {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {8, 64})
    void putAndDrainRunsRacingWithPollsAndTakesTakeEveryMessageOnceInOrder(int capacity) throws Exception {
        int producers = 3;
        int perProducer = 40_000;
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20);
             SharedMemory second = SharedMemory.attach(name, Duration.ofSeconds(5));
             SharedMemory third = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            shm.channel("race", Long.class, capacity); // 64: puts that follow each other leave the tail behind
            List<Channel<Long>> handles = List.of(shm.channel("race", Long.class), second.channel("race", Long.class),
                    third.channel("race", Long.class));
            int consumers = 4;
            long[][] seen = new long[consumers][];
            java.util.concurrent.atomic.AtomicLong remaining = new java.util.concurrent.atomic.AtomicLong((long) producers * perProducer);
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                Channel<Long> out = handles.get(p % handles.size());
                threads.add(Thread.ofPlatform().start(() -> {
                    if (producer == 0) {
                        for (long i = 0; i < perProducer; i++) {
                            out.put(producer * 1_000_000L + i);
                        }
                        return;
                    }
                    // putAll in batches of 1 to 19: runs shorter and longer than the ring.
                    List<Long> batch = new ArrayList<>();
                    for (long i = 0; i < perProducer; ) {
                        batch.clear();
                        for (long n = 1 + (i % 19); n > 0 && i < perProducer; n--, i++) {
                            batch.add(producer * 1_000_000L + i);
                        }
                        assertEquals(batch.size(), out.putAll(batch));
                    }
                }));
            }
            for (int c = 0; c < consumers; c++) {
                int consumer = c;
                Channel<Long> in = handles.get((c + 1) % handles.size());
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        long[] last = new long[producers];
                        Arrays.fill(last, -1);
                        List<Long> got = new ArrayList<>();
                        List<Long> batch = new ArrayList<>();
                        while (remaining.get() > 0) {
                            batch.clear();
                            switch (consumer) {
                                case 0, 1 -> in.drainTo(batch, 5 + consumer * 3);
                                case 2 -> {
                                    Long m = in.poll();
                                    if (m != null) {
                                        batch.add(m);
                                    }
                                }
                                default -> {
                                    try {
                                        batch.add(in.take(Duration.ofMillis(5)));
                                    } catch (WaitTimeoutException e) {
                                        // checks remaining again
                                    }
                                }
                            }
                            for (long m : batch) {
                                int producer = (int) (m / 1_000_000L);
                                long i = m % 1_000_000L;
                                if (i <= last[producer]) {
                                    throw new AssertionError("consumer " + consumer + " took " + m + " after " + last[producer]);
                                }
                                last[producer] = i;
                                got.add(m);
                                remaining.decrementAndGet();
                            }
                        }
                        seen[consumer] = got.stream().mapToLong(Long::longValue).toArray();
                    } catch (Throwable t) {
                        failures.add(t);
                        remaining.set(0);
                    }
                }));
            }
            joinReportingFailuresAtOnce(threads, failures);
            long[] all = Arrays.stream(seen).flatMapToLong(Arrays::stream).sorted().toArray();
            assertEquals((long) producers * perProducer, all.length, "every message taken once");
            for (int p = 0, k = 0; p < producers; p++) {
                for (long i = 0; i < perProducer; i++, k++) {
                    assertEquals(p * 1_000_000L + i, all[k], "message taken once");
                }
            }
            assertTrue(seen[0].length > 0 && seen[1].length > 0, "the drains took part");
            assertNull(handles.get(0).poll());
            assertEquals(0, handles.get(0).size());
            shm.verify();
        }
    }

    /**
     * Waits up to 120 s for every thread, failing at once with what {@code failures} holds as soon
     * as it holds anything: a consumer that failed stops the others, and a producer may then wait
     * for room for ever (closing the regions on the way out ends its wait).
     */
    private static void joinReportingFailuresAtOnce(List<Thread> threads, java.util.Collection<Throwable> failures)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (Thread t : threads) {
            while (!t.join(Duration.ofMillis(100))) {
                assertTrue(failures.isEmpty(), () -> "failures: " + failures);
                assertTrue(System.nanoTime() - deadline < 0, () -> "a thread still runs after 120 s: " + t);
            }
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    }

    /**
     * Threads of one handle share its claim hints and flags: four of them taking at once (polls,
     * a drain, a timed take), from a ring large enough for the hints, against two producers of
     * another handle, lose no claim and take every message once. A claim lost between two reads
     * of a shared flag left an entry taken and never freed, and the producers then waited for
     * room for ever: here a producer whose timed offer gives up fails the test.
     */
    @Test
    void threadsOfOneHandleTakingAtOnceLoseNoClaim() throws Exception {
        int producers = 2;
        int perProducer = 100_000;
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            Channel<Long> out = shm.channel("shared-handle", Long.class, 64);
            Channel<Long> in = other.channel("shared-handle", Long.class);
            java.util.concurrent.atomic.AtomicLong remaining = new java.util.concurrent.atomic.AtomicLong((long) producers * perProducer);
            java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long first = p * (long) perProducer;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (long i = first; i < first + perProducer && failures.isEmpty(); i++) {
                            if (!out.offer(i, Duration.ofSeconds(20))) {
                                throw new AssertionError("no room for message " + i + " within 20 s: " + remaining.get()
                                        + " messages not taken, the channel holds " + out.size());
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (int c = 0; c < 4; c++) {
                int consumer = c;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        List<Long> batch = new ArrayList<>();
                        while (remaining.get() > 0 && failures.isEmpty()) {
                            batch.clear();
                            switch (consumer) {
                                case 0, 1 -> {
                                    Long m = in.poll();
                                    if (m != null) {
                                        batch.add(m);
                                    }
                                }
                                case 2 -> in.drainTo(batch, 7);
                                default -> {
                                    try {
                                        batch.add(in.take(Duration.ofMillis(5)));
                                    } catch (WaitTimeoutException e) {
                                        // checks remaining again
                                    }
                                }
                            }
                            for (long m : batch) {
                                sum.addAndGet(m);
                                remaining.decrementAndGet();
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            joinReportingFailuresAtOnce(threads, failures);
            long n = (long) producers * perProducer;
            assertEquals(0, remaining.get(), "every message taken");
            assertEquals(n * (n - 1) / 2, sum.get(), "each one once");
            assertNull(in.poll());
            assertEquals(0, in.size());
            shm.verify();
        }
    }

    @Test
    void manyLapsKeepOrderAndFreeEverything() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("laps", Object.class, 3);
            HeapStats before = shm.stats();
            for (int i = 0; i < 10_000; i++) {
                Object message = switch (i % 3) {
                    case 0 -> (long) i;
                    case 1 -> "s" + i;
                    default -> "x".repeat(200) + i; // does not fit: through the heap
                };
                ch.put(message);
                if (i % 2 == 1) {
                    ch.take();
                    ch.take();
                }
            }
            while (ch.poll() != null) {
                // drain
            }
            assertEquals(before.usedBytes(), shm.stats().usedBytes(), "every heap message freed");
            shm.verify();
        }
    }

    @Test
    void valuesComeBackEqualThroughBothPaths() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Channel<Object> ch = shm.channel("values", Object.class, 64);
            Msg small = new Msg("n", List.of("a", "b"), 1.5, 7);
            Msg large = new Msg("n".repeat(300), List.of("a".repeat(100), "b"), 2.5, 8);
            List<Object> messages = List.of(42L, 7, 2.5, true, 'c', (short) 3, (byte) 4, 1.5f, "text", "ünïcødé ✓",
                    new byte[32], new byte[100_000], small, large, List.of(1L, "two"), Set.of("s"), Map.of("k", 3L),
                    new int[] {1, 2, 3}, new double[] {0.5}, Colour.GREEN, Instant.ofEpochSecond(5, 6),
                    new Object[] {"a", 1L}, "y".repeat(5000));
            for (Object m : messages) {
                ch.put(m);
            }
            for (Object expected : messages) {
                Object got = ch.take(Duration.ofSeconds(5));
                if (expected instanceof Object[] a) {
                    assertArrayEquals(a, (Object[]) got);
                } else if (expected.getClass().isArray()) {
                    assertTrue(Arrays.deepEquals(new Object[] {expected}, new Object[] {got}), "array " + expected.getClass());
                } else {
                    assertEquals(expected, got);
                }
            }
            HeapStats stats = shm.verify();
            assertTrue(stats.usedBytes() > 0);
        }
    }

    @Test
    void putAndReadDecodesWhatATakerWillSee() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Msg> ch = shm.channel("msgs", Msg.class, 8);
            Msg m = new Msg("a", List.of("x"), 1, 2);
            assertEquals(m, ch.putAndRead(m));
            Msg big = new Msg("b".repeat(500), List.of(), 1, 2);
            assertEquals(big, ch.putAndRead(big));
            assertEquals(m, ch.take());
            assertEquals(big, ch.take());
        }
    }

    @Test
    void badPutsStoreNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Channel<Object> raw = (Channel) shm.channel("strings", String.class, 4);
            assertThrows(UnexpectedTypeException.class, () -> raw.put(5L));
            assertThrows(NullPointerException.class, () -> raw.put(null));
            Channel<Object> any = shm.channel("any", Object.class, 4);
            assertThrows(io.ipcobjects.UnsupportedTypeException.class, () -> any.put(new Thread()));
            assertTrue(any.offer("after"));
            assertEquals("after", any.take(Duration.ofSeconds(1)), "a failed put leaves no message");
            assertNull(any.poll());
            shm.verify();
        }
    }

    @Test
    void everyWayOfPuttingRefusesAMessageOfTheWrongTypeOrNull() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Channel<Object> raw = (Channel) shm.channel("strings", String.class, 4);
            assertThrows(UnexpectedTypeException.class, () -> raw.offer(5L));
            assertThrows(UnexpectedTypeException.class, () -> raw.offer(5L, Duration.ofMillis(10)));
            assertThrows(UnexpectedTypeException.class, () -> raw.putAndRead(5L));
            assertThrows(UnexpectedTypeException.class, () -> raw.putAll(List.of("first", 5L)));
            assertThrows(NullPointerException.class, () -> raw.offer(null));
            assertThrows(NullPointerException.class, () -> raw.putAll(Arrays.asList("first", null)));
            // A putAll stops at the bad message: the ones before it are put, in order.
            assertEquals(List.of("first", "first"), List.of(raw.poll(), raw.poll()));
            assertNull(raw.poll());
            shm.verify();
        }
    }

    @Test
    void aChannelOfAClosedRegionRefusesEveryCall() {
        SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20);
        Channel<Long> ch = shm.channel("c", Long.class, 16);
        assertTrue(ch.offer(1L));
        shm.close();
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.offer(2L));
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.offer(2L, Duration.ofMillis(10)));
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.put(2L));
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.putAll(List.of(2L, 3L)));
        assertThrows(io.ipcobjects.RegionClosedException.class, ch::poll);
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.take(Duration.ofMillis(10)));
        assertThrows(io.ipcobjects.RegionClosedException.class, () -> ch.drainTo(new ArrayList<>(), 4));
        assertThrows(io.ipcobjects.RegionClosedException.class, ch::size);
        assertThrows(io.ipcobjects.RegionClosedException.class, ch::takeAsync);
    }

    @Test
    void largeByteArraysAroundTheLockFreeCopyThresholdArriveWhole() {
        int threshold = 64 * 1024; // RingChannel.LARGE_COPY_BYTES: from here the bytes are copied without the lock
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 8);
            Channel<byte[]> other = shm.channel("bytes", byte[].class);
            long usedBefore = shm.stats().usedBytes();
            for (int length : new int[] {threshold - 1, threshold, threshold + 1, 3 * threshold + 5}) {
                byte[] sent = new byte[length];
                for (int i = 0; i < length; i++) {
                    sent[i] = (byte) (i * 131 + length);
                }
                assertTrue(ch.offer(sent));
                byte[] got = other.poll();
                assertArrayEquals(sent, got, "a byte[" + length + "]");
                assertTrue(ch.offer(sent.clone()));
                List<byte[]> drained = new ArrayList<>();
                assertEquals(1, other.drainTo(drained, 4));
                assertArrayEquals(sent, drained.get(0), "a byte[" + length + "] drained");
            }
            assertEquals(usedBefore, shm.stats().usedBytes(), "every blob freed by its take");
            shm.verify();
        }
    }

    /**
     * {@code pollBytes} shows each message's bytes in order, whatever its size: a large one in
     * place (no new array, the lock held only to check and to free its blob), through a
     * read-only segment closed when the reader returns; nothing stays allocated.
     */
    @Test
    void pollBytesShowsEveryMessageInOrderAndClosesTheViewOfALargeOne() {
        int threshold = 64 * 1024; // RingChannel.LARGE_COPY_BYTES
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 8);
            Channel<byte[]> other = shm.channel("bytes", byte[].class);
            long usedBefore = shm.stats().usedBytes();
            assertFalse(other.pollBytes(view -> { throw new AssertionError("called on an empty channel"); }));
            int[] lengths = {0, 10, ch.inlineBytes() + 100, threshold - 1, threshold, 3 * threshold + 5, 1 << 20};
            List<byte[]> sent = new ArrayList<>();
            for (int length : lengths) {
                byte[] message = new byte[length];
                for (int i = 0; i < length; i++) {
                    message[i] = (byte) (i * 131 + length);
                }
                sent.add(message);
            }
            io.ipcobjects.ProcessStats before = shm.processStats();
            for (int round = 0; round < 2; round++) {
                // Four at a time, so a ring of 8 holds them: a round's messages wait together, in order.
                for (int from = 0; from < lengths.length; from += 4) {
                    int to = Math.min(lengths.length, from + 4);
                    for (int i = from; i < to; i++) {
                        ch.put(sent.get(i));
                    }
                    for (int i = from; i < to; i++) {
                        byte[] expected = sent.get(i);
                        java.lang.foreign.MemorySegment[] kept = new java.lang.foreign.MemorySegment[1];
                        assertTrue(other.pollBytes(view -> {
                            assertTrue(view.isReadOnly(), "the view is read-only");
                            assertArrayEquals(expected, view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                                    "byte[" + expected.length + "]");
                            kept[0] = view;
                        }));
                        if (expected.length >= threshold) {
                            assertThrows(IllegalStateException.class, () -> kept[0].get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0),
                                    "a large message's view is closed after the reader returned");
                        }
                    }
                }
            }
            assertEquals(0, ch.size());
            assertEquals(2L * lengths.length, shm.processStats().messagesTaken() - before.messagesTaken(),
                    "every pollBytes counted as a take");
            assertEquals(usedBefore, shm.stats().usedBytes(), "every blob freed by its pollBytes");
            shm.verify();
        }
    }

    /** A message of {@code length} bytes that says which it is: byte i is {@code i * 31 + length}. */
    private static byte[] numbered(int length) {
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) (i * 31 + length);
        }
        return message;
    }

    /**
     * A short message (under 128 bytes, in the ring) is shown where it lies, as a large one is:
     * a read-only native segment, no array of the taker's. A message between the two, and a
     * short one that a channel with wider entries encodes another way, is shown from a copy.
     */
    @Test
    void pollBytesShowsAShortMessageWhereItLiesInTheRing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 8);
            Channel<byte[]> wide = shm.channel("wide", byte[].class, 8, 240);
            record Shown(Channel<byte[]> channel, int length, boolean inPlace) { }
            List<Shown> cases = List.of(new Shown(ch, 0, true), new Shown(ch, 1, true), new Shown(ch, ch.inlineBytes() - 2, true),
                    new Shown(ch, ch.inlineBytes(), false), new Shown(ch, 70_000, true), new Shown(wide, 127, true),
                    new Shown(wide, 200, false));
            for (Shown c : cases) {
                byte[] sent = numbered(c.length());
                c.channel().put(sent);
                boolean[] seen = new boolean[1];
                assertTrue(c.channel().pollBytes(view -> {
                    assertTrue(view.isReadOnly(), "read-only");
                    assertEquals(c.inPlace(), view.isNative(), "byte[" + c.length() + "] shown in place: " + c.inPlace());
                    assertArrayEquals(sent, view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "byte[" + c.length() + "]");
                    seen[0] = true;
                }));
                assertTrue(seen[0]);
                assertEquals(0, c.channel().size());
            }
            shm.verify();
        }
    }

    /** drainBytes takes up to max messages in order, whatever their size, showing each; nothing stays allocated. */
    @Test
    void drainBytesTakesUpToMaxMessagesInOrderAndShowsEach() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 16);
            long usedBefore = shm.stats().usedBytes();
            io.ipcobjects.ProcessStats before = shm.processStats();
            assertEquals(0, ch.drainBytes(view -> { throw new AssertionError("called on an empty channel"); }, 10));
            int[] lengths = {3, 0, 127, 500, 32, 100_000, 16, 1, 2000, 64};
            for (int length : lengths) {
                ch.put(numbered(length));
            }
            List<byte[]> shown = new ArrayList<>();
            java.util.function.Consumer<java.lang.foreign.MemorySegment> keep =
                    view -> shown.add(view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertEquals(4, ch.drainBytes(keep, 4), "at most max");
            assertEquals(lengths.length - 4, ch.size());
            assertEquals(lengths.length - 4, ch.drainBytes(keep, 100), "then the rest");
            assertEquals(0, ch.drainBytes(keep, 100));
            assertEquals(lengths.length, shown.size());
            for (int i = 0; i < lengths.length; i++) {
                assertArrayEquals(numbered(lengths[i]), shown.get(i), "message " + i + " in order");
            }
            assertEquals(lengths.length, shm.processStats().messagesTaken() - before.messagesTaken(), "each counted as a take");
            assertEquals(usedBefore, shm.stats().usedBytes(), "every heap value freed by the drain");
            ch.put(new byte[] {5});
            assertEquals(0, ch.drainBytes(keep, 0), "max 0 takes nothing");
            assertEquals(1, ch.size());
            shm.verify();
        }
    }

    /** A drain's reader that throws: the message it was shown is taken and freed, the later ones stay, in order. */
    @Test
    void drainBytesTakesTheMessageWhoseReaderThrewAndLeavesTheRest() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 8);
            long usedBefore = shm.stats().usedBytes();
            for (int length : new int[] {10, 300, 200_000}) {
                ch.put(new byte[] {1});
                ch.put(new byte[length]);
                ch.put(new byte[] {2});
                ch.put(new byte[] {3});
                List<Long> sizes = new ArrayList<>();
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> ch.drainBytes(view -> {
                    sizes.add(view.byteSize());
                    if (view.byteSize() == length) {
                        throw new IllegalArgumentException("reader failed at " + length);
                    }
                }, 10));
                assertEquals("reader failed at " + length, thrown.getMessage());
                assertEquals(List.of(1L, (long) length), sizes, "the drain stops at the reader's exception");
                assertEquals(2, ch.size(), "the later messages stay");
                assertArrayEquals(new byte[] {2}, ch.poll());
                assertArrayEquals(new byte[] {3}, ch.poll());
                assertEquals(usedBefore, shm.stats().usedBytes(), "a byte[" + length + "] freed although its reader threw");
            }
            shm.verify();
        }
    }

    /** drainBytes is for channels of byte[]: another channel, the default one included, refuses it and keeps its messages. */
    @Test
    void drainBytesRefusesAChannelOfAnotherTypeAndTakesNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> objects = shm.channel("objects", Object.class, 4);
            objects.put(new byte[] {1, 2});
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> objects.drainBytes(view -> { }, 4));
            assertTrue(refused.getMessage().contains("drainBytes") && refused.getMessage().contains("java.lang.Object"),
                    refused.getMessage());
            assertEquals(1, objects.size(), "nothing taken");
            shm.putMessage(new byte[] {3});
            assertThrows(IllegalStateException.class, () -> shm.messages().drainBytes(view -> { }, 4), "the default channel");
            assertArrayEquals(new byte[] {3}, (byte[]) shm.takeMessage());
            assertThrows(NullPointerException.class, () -> shm.channel("b", byte[].class, 4).drainBytes(null, 4));
        }
    }

    /**
     * Numbers put and taken unboxed: each call keeps the channel's order and bound, mixes with the
     * boxed calls (a putLong is taken as a Long, a put Long as a long), and counts as a put or take.
     */
    @Test
    void longsPutAndTakenUnboxedKeepOrderBoundAndCounts() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            for (Channel.Producers producers : Channel.Producers.values()) {
                Channel<Long> ch = shm.channel("longs-" + producers, Long.class, 16, 16, producers);
                var before = shm.processStats();
                ch.putLong(1);
                ch.put(2L);
                assertTrue(ch.offerLong(Long.MIN_VALUE));
                assertEquals(1L, ch.poll(), "a putLong is taken as a Long");
                long[] got = new long[1];
                assertTrue(ch.pollLong(v -> got[0] = v));
                assertEquals(2L, got[0], "a put Long is taken as a long");
                assertEquals(Long.MIN_VALUE, ch.takeLong(Duration.ofSeconds(5)));
                assertFalse(ch.pollLong(v -> { throw new AssertionError("called on an empty channel"); }));
                assertThrows(WaitTimeoutException.class, () -> ch.takeLong(Duration.ofMillis(20)));

                // Several laps of the ring: offers until full, then drains of at most max.
                long next = 0;
                long expected = 0;
                for (int lap = 0; lap < 5; lap++) {
                    int offered = 0;
                    while (ch.offerLong(next)) {
                        next++;
                        offered++;
                    }
                    assertEquals(16, offered, "a full channel refuses offerLong");
                    assertEquals(16, ch.size());
                    List<Long> drained = new ArrayList<>();
                    assertEquals(5, ch.drainLongs(drained::add, 5), "at most max");
                    assertEquals(11, ch.drainLongs(drained::add, 100), "then the rest");
                    for (long v : drained) {
                        assertEquals(expected++, v, "every number once, in order");
                    }
                }
                assertEquals(0, ch.drainLongs(v -> { }, 10));
                assertEquals(0, ch.drainLongs(v -> { throw new AssertionError("max 0"); }, 0));
                var after = shm.processStats();
                assertEquals(3 + 80, after.messagesPut() - before.messagesPut(), producers + ": every put counted");
                assertEquals(3 + 80, after.messagesTaken() - before.messagesTaken(), producers + ": every take counted");
            }
            shm.verify();
        }
    }

    /** A drainLongs reader that throws: the number it was given is taken, its exception reaches the caller, the rest stay. */
    @Test
    void drainLongsTakesTheNumberWhoseReaderThrewAndLeavesTheRest() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("longs", Long.class, 8);
            for (long v = 1; v <= 4; v++) {
                ch.putLong(v);
            }
            List<Long> seen = new ArrayList<>();
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> ch.drainLongs(v -> {
                seen.add(v);
                if (v == 2) {
                    throw new IllegalArgumentException("reader failed at " + v);
                }
            }, 10));
            assertEquals("reader failed at 2", thrown.getMessage());
            assertEquals(List.of(1L, 2L), seen);
            assertEquals(2, ch.size(), "the later numbers stay");
            assertEquals(3L, ch.takeLong(Duration.ofSeconds(1)));
            assertEquals(4L, ch.poll());
        }
    }

    /**
     * The unboxed calls are for channels of Long: a channel of another type, the default one
     * included, refuses each by name and neither stores nor takes anything; a channel of one
     * producer refuses a putLong from a thread that does not hold its seat.
     */
    @Test
    void longCallsRefuseAChannelOfAnotherTypeAndAPutterWithoutTheSeat() throws InterruptedException {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> objects = shm.channel("objects", Object.class, 4);
            objects.put(7L);
            for (var call : List.<Map.Entry<String, Runnable>>of(
                    Map.entry("putLong", () -> objects.putLong(1)),
                    Map.entry("offerLong", () -> objects.offerLong(1)),
                    Map.entry("pollLong", () -> objects.pollLong(v -> { })),
                    Map.entry("takeLong", () -> objects.takeLong(Duration.ofSeconds(1))),
                    Map.entry("drainLongs", () -> objects.drainLongs(v -> { }, 4)),
                    Map.entry("drainLongs", () -> shm.messages().drainLongs(v -> { }, 4)),
                    Map.entry("putLong", () -> shm.messages().putLong(1)))) {
                IllegalStateException refused = assertThrows(IllegalStateException.class, call.getValue()::run);
                assertTrue(refused.getMessage().contains(call.getKey()) && refused.getMessage().contains("java.lang.Object"),
                        refused.getMessage());
            }
            assertEquals(1, objects.size(), "nothing stored or taken");
            assertEquals(7L, objects.poll());
            assertEquals(0, shm.messages().size());
            Channel<Long> longs = shm.channel("longs", Long.class, 4);
            assertThrows(NullPointerException.class, () -> longs.drainLongs(null, 4));
            assertThrows(NullPointerException.class, () -> longs.pollLong(null));

            Channel<Long> one = shm.channel("one", Long.class, 16, 16, Channel.Producers.ONE);
            one.putLong(1);
            Throwable[] refused = new Throwable[1];
            Thread other = new Thread(() -> {
                try {
                    one.putLong(2);
                } catch (Throwable t) {
                    refused[0] = t;
                }
            });
            other.start();
            other.join();
            assertTrue(refused[0] instanceof IllegalStateException, String.valueOf(refused[0]));
            assertEquals(1, one.size(), "the refused putLong stored nothing");
            assertEquals(1L, one.takeLong(Duration.ofSeconds(1)));
        }
    }

    /** A reader that throws: its exception reaches the caller, and the message is taken and freed all the same. */
    @Test
    void pollBytesTakesTheMessageEvenWhenTheReaderThrows() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 4);
            long usedBefore = shm.stats().usedBytes();
            for (int length : new int[] {16, 1000, 200_000}) {
                ch.put(new byte[length]);
                ch.put(new byte[] {7});
                IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                        () -> ch.pollBytes(view -> { throw new IllegalArgumentException("reader failed at " + view.byteSize()); }));
                assertEquals("reader failed at " + length, thrown.getMessage());
                assertArrayEquals(new byte[] {7}, ch.poll(), "the next message is the one after it");
                assertEquals(usedBefore, shm.stats().usedBytes(), "a byte[" + length + "] freed although its reader threw");
            }
            shm.verify();
        }
    }

    /** takeBytes waits for a message put later (a large one is shown in place), and times out on an empty channel. */
    @Test
    void takeBytesWaitsForAMessageAndTimesOut() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 4);
            long usedBefore = shm.stats().usedBytes();
            assertThrows(WaitTimeoutException.class, () -> ch.takeBytes(view -> { throw new AssertionError("no message"); },
                    Duration.ofMillis(50)));
            byte[] large = new byte[300_000];
            Arrays.fill(large, (byte) 9);
            CompletableFuture<Void> putter = CompletableFuture.runAsync(() -> {
                sleep(100);
                ch.put(new byte[] {1, 2, 3});
                ch.put(large);
            });
            long[] lengths = new long[2];
            ch.takeBytes(view -> lengths[0] = view.byteSize(), Duration.ofSeconds(30));
            ch.takeBytes(view -> {
                lengths[1] = view.byteSize();
                assertArrayEquals(large, view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }, Duration.ofSeconds(30));
            putter.get(30, TimeUnit.SECONDS);
            assertArrayEquals(new long[] {3, 300_000}, lengths);
            assertEquals(usedBefore, shm.stats().usedBytes(), "the large message freed by its takeBytes");
            assertThrows(IllegalStateException.class, () -> shm.channel("longs", Long.class, 4).takeBytes(view -> { },
                    Duration.ofMillis(1)), "a channel of Long");
            assertThrows(IllegalStateException.class, () -> shm.messages().takeBytes(view -> { }, Duration.ofMillis(1)),
                    "the default channel");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** pollBytes is for channels of byte[]: another channel refuses it before taking anything. */
    @Test
    void pollBytesRefusesAChannelOfAnotherTypeAndTakesNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> objects = shm.channel("objects", Object.class, 4);
            objects.put(new byte[] {1, 2});
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> objects.pollBytes(view -> { }));
            assertTrue(refused.getMessage().contains("byte[]") && refused.getMessage().contains("java.lang.Object"),
                    refused.getMessage());
            assertEquals(1, objects.size(), "nothing taken");
            assertArrayEquals(new byte[] {1, 2}, (byte[]) objects.poll());
            shm.putMessage(new byte[] {3});
            assertThrows(IllegalStateException.class, () -> shm.messages().pollBytes(view -> { }),
                    "the default channel carries any object");
            assertArrayEquals(new byte[] {3}, (byte[]) shm.takeMessage());
            assertThrows(NullPointerException.class, () -> shm.channel("b", byte[].class, 4).pollBytes(null));
        }
    }

    @Test
    void openingChecksNameTypeAndShape() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<String> ch = shm.channel("c", String.class, 8);
            assertSame(ch, shm.channel("c", String.class, 8), "one view per channel and handle");
            assertSame(ch, shm.channel("c", String.class));
            assertThrows(IllegalArgumentException.class, () -> shm.channel("c", Long.class, 8));
            assertThrows(IllegalArgumentException.class, () -> shm.channel("c", String.class, 16));
            assertThrows(NoSuchElementException.class, () -> shm.channel("missing", String.class));
            shm.put("value", 5L);
            assertThrows(UnexpectedTypeException.class, () -> shm.channel("value", Long.class, 8));
            assertThrows(IllegalArgumentException.class, () -> shm.channel("zero", Long.class, 0));
            assertThrows(IllegalArgumentException.class, () -> shm.channel("", Long.class, 8));
            assertTrue(shm.names().contains("c"));
            Channel<Object> any = shm.channel("c", Object.class);
            ch.put("through one view");
            assertEquals("through one view", any.poll());
        }
    }

    @Test
    void aSharedContainerTravelsByReferenceAndPlainOnesAsCopies() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 8);
            SharedList<String> list = shm.share(new ArrayList<>(List.of("a")));
            ch.put(list);
            ch.put(new ArrayList<>(List.of("plain", "x".repeat(300))));
            Object taken = ch.take();
            assertInstanceOf(SharedList.class, taken, "a shared list stays shared");
            @SuppressWarnings("unchecked")
            SharedList<String> view = (SharedList<String>) taken;
            view.add("b");
            assertEquals(List.of("a", "b"), new ArrayList<>(list), "the taker's view is the same list");
            Object copy = ch.take();
            assertFalse(copy instanceof SharedList, "a plain list arrives as a copy");
            assertEquals(List.of("plain", "x".repeat(300)), copy);
            shm.destroy(view);
            shm.verify();
        }
    }

    @Test
    void aTensorTravelsByReferenceAndTheTakerDestroysIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Channel<SharedTensor> ch = shm.channel("tensors", SharedTensor.class, 4);
            HeapStats before = shm.stats();
            SharedTensor t = shm.newTensor(io.ipcobjects.DType.FLOAT32, 16, 16);
            t.setDouble(3, 1, 2);
            ch.put(t);
            SharedTensor got = ch.take();
            assertEquals(3.0, got.getDouble(1, 2));
            assertEquals(t.blockOffset(), got.blockOffset(), "no copy");
            shm.destroy(got);
            assertEquals(before.usedBytes(), shm.stats().usedBytes());
        }
    }

    @Test
    void takeAsyncCompletesWithTheNextMessageAndCanBeCancelledBeforeIt() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<String> ch = shm.channel("async", String.class, 4);
            CompletableFuture<String> cancelled = ch.takeAsync();
            assertTrue(cancelled.cancel(false));
            assertThrows(CancellationException.class, cancelled::join);
            CompletableFuture<String> next = ch.takeAsync();
            Thread.sleep(5);
            ch.put("hello");
            assertEquals("hello", next.get(10, TimeUnit.SECONDS));
            Thread.sleep(20);
            ch.put("kept");
            assertEquals("kept", ch.poll(), "the cancelled future took nothing");
            CompletableFuture<String> pending = ch.takeAsync();
            shm.close();
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
            assertInstanceOf(io.ipcobjects.RegionClosedException.class, e.getCause());
        }
    }

    @Test
    void theDefaultChannelIsTheRegionsMessageQueue() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> messages = shm.messages();
            shm.putMessage("via putMessage");
            assertEquals(1, messages.size());
            assertEquals("via putMessage", messages.poll());
            messages.put(5L);
            assertEquals(5L, (Long) shm.takeMessage());
            assertEquals(2, messages.putAll(List.of("a", "b")));
            List<Object> sink = new ArrayList<>();
            assertEquals(2, messages.drainTo(sink, 5));
            assertEquals(List.of("a", "b"), sink);
            CompletableFuture<Object> f = messages.takeAsync();
            messages.offer("async");
            assertEquals("async", f.get(10, TimeUnit.SECONDS));
            assertThrows(WaitTimeoutException.class, () -> messages.take(Duration.ofMillis(5)));
        }
    }

    @Test
    void aChannelIsUsableInsideAnAccessScope() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<String> ch = shm.channel("c", String.class, 4);
            try (Access a = shm.acquire()) {
                ch.put("x".repeat(400)); // the heap path inside the caller's own scope
                ch.put("small");
                a.put("seen", 1L);
            }
            assertEquals("x".repeat(400), ch.take());
            assertEquals("small", ch.take());
        }
    }

    @Test
    void aChannelSaysItsNameAndFillAndItsFirstTimedOfferLands() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("numbers", Long.class, 4);
            assertEquals("numbers", ch.name());
            assertEquals(Long.class, ch.type());
            assertTrue(ch.offer(1L, Duration.ofSeconds(5)), "the first entry of an empty channel is free");
            assertTrue(ch.toString().contains("numbers"), ch.toString());
            assertTrue(ch.toString().contains("(1/4)"), ch.toString());
            assertEquals(1L, ch.poll());
        }
    }

    @Test
    void aTakeWaitsForAMessagePutLater() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Long> ch = shm.channel("c", Long.class, 4);
            for (boolean timed : new boolean[] {true, false}) {
                CompletableFuture<Long> taken = new CompletableFuture<>();
                Thread taker = Thread.ofPlatform().start(() -> {
                    try {
                        taken.complete(timed ? ch.take(Duration.ofSeconds(30)) : ch.take());
                    } catch (Throwable e) {
                        taken.completeExceptionally(e);
                    }
                });
                Thread.sleep(100); // lets the taker find the channel empty and wait (it passes either way)
                ch.put(timed ? 1L : 2L);
                assertEquals(timed ? 1L : 2L, taken.get(30, TimeUnit.SECONDS), timed ? "take(timeout)" : "take()");
                taker.join();
            }
            long start = System.nanoTime(); // the clock the timeout is measured on
            assertThrows(WaitTimeoutException.class, () -> ch.take(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(),
                    "a timed take waits its whole timeout before it gives up");
        }
    }

    @Test
    void aPutWaitingForRoomAndATakeWaitingForAMessageEndWhenTheRegionCloses() throws Exception {
        SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20);
        Channel<Long> full = shm.channel("full", Long.class, 1);
        Channel<Long> empty = shm.channel("empty", Long.class, 1);
        full.put(0L);
        CompletableFuture<Throwable> putter = new CompletableFuture<>();
        CompletableFuture<Throwable> taker = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                full.put(1L);
                putter.complete(null);
            } catch (Throwable e) {
                putter.complete(e);
            }
        });
        Thread.ofPlatform().start(() -> {
            try {
                empty.take();
                taker.complete(null);
            } catch (Throwable e) {
                taker.complete(e);
            }
        });
        Thread.sleep(100); // lets both find their channel full or empty and wait (it passes either way)
        shm.close();
        assertInstanceOf(io.ipcobjects.RegionClosedException.class, putter.get(30, TimeUnit.SECONDS));
        assertInstanceOf(io.ipcobjects.RegionClosedException.class, taker.get(30, TimeUnit.SECONDS));
    }

    /**
     * What fits an entry travels without the lock, and so does the copy of a large
     * {@code byte[]} (the lock is held to allocate its blob, then to check and to free it); a
     * value in the heap takes the lock once each way. Every put and take is counted, in a ring
     * too small for puts at the handle's hint and in one where a put after a put goes there.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "capacity {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {4, 16})
    void smallMessagesTakeNoLockAndEveryMessageIsCounted(int capacity) {
        int large = 64 * 1024; // RingChannel.LARGE_COPY_BYTES
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, capacity);
            byte[] fits = new byte[ch.inlineBytes() - 2];
            Object[] inline = {5L, "short", fits, new Msg("n", List.of("a"), 1.5, 7)};
            record Case(Object message, long putLocks, long takeLocks) {
            }
            List<Case> cases = new ArrayList<>();
            for (Object m : inline) {
                cases.add(new Case(m, 0, 0));
            }
            cases.add(new Case(new byte[ch.inlineBytes() + 100], 1, 1));
            cases.add(new Case("x".repeat(500), 1, 1));
            cases.add(new Case(new byte[large - 1], 1, 1));
            cases.add(new Case(new byte[large], 1, 2));
            cases.add(new Case(new byte[3 * large], 1, 2));
            long usedBefore = shm.stats().usedBytes();
            for (int way = 0; way < 3; way++) {
                for (Case c : cases) {
                    String what = c.message() instanceof byte[] b ? "byte[" + b.length + "]" : c.message().toString();
                    // Each processStats() takes the lock once (to count held objects): the next one counts it.
                    io.ipcobjects.ProcessStats before = shm.processStats();
                    switch (way) {
                        case 0 -> ch.put(c.message());
                        case 1 -> assertTrue(ch.offer(c.message()));
                        default -> assertTrue(ch.offer(c.message(), Duration.ofSeconds(5)));
                    }
                    io.ipcobjects.ProcessStats afterPut = shm.processStats();
                    assertEquals(c.putLocks() + 1, afterPut.lockAcquisitions() - before.lockAcquisitions(), "locks to put " + what);
                    assertEquals(1, afterPut.messagesPut() - before.messagesPut(), "puts counted for " + what);
                    Object taken = ch.poll();
                    io.ipcobjects.ProcessStats afterTake = shm.processStats();
                    assertEquals(c.takeLocks() + 1, afterTake.lockAcquisitions() - afterPut.lockAcquisitions(), "locks to take " + what);
                    assertEquals(1, afterTake.messagesTaken() - afterPut.messagesTaken(), "takes counted for " + what);
                    if (c.message() instanceof byte[] b) {
                        assertArrayEquals(b, (byte[]) taken, what);
                    } else {
                        assertEquals(c.message(), taken, what);
                    }
                }
            }
            assertEquals(usedBefore, shm.stats().usedBytes(), "every heap message freed by its take");
        }
    }

    /** A put that fails leaves its entry skipped; the take that meets it frees it, so the ring keeps all its entries. */
    @Test
    void anEntryAFailedPutLeftIsFreedByTheTakeThatMeetsItAndUsedAgain() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            for (boolean timed : new boolean[] {false, true}) {
                for (int lap = 0; lap < 3; lap++) {
                    assertThrows(io.ipcobjects.UnsupportedTypeException.class, () -> ch.put(new Thread()));
                    if (timed) {
                        assertThrows(WaitTimeoutException.class, () -> ch.take(Duration.ofMillis(10)));
                    } else {
                        assertNull(ch.poll());
                    }
                    for (long i = 0; i < 4; i++) {
                        assertTrue(ch.offer(i), "a whole lap fits again: put " + i + " of lap " + lap);
                    }
                    assertFalse(ch.offer(99L));
                    List<Object> taken = new ArrayList<>();
                    assertEquals(4, ch.drainTo(taken, 10));
                    assertEquals(List.of(0L, 1L, 2L, 3L), taken);
                }
            }
            shm.verify();
        }
    }

    @Test
    void channelsOfOneEntryAndOfTheLargestCapacityWork() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 160 << 20)) {
            Channel<Long> one = shm.channel("one", Long.class, 1);
            assertTrue(one.offer(1L));
            assertFalse(one.offer(2L));
            assertEquals(1L, one.poll());
            assertTrue(one.offer(3L));
            assertEquals(3L, one.poll());
            int max = 1 << 20; // RingLayout.MAX_CAPACITY
            Channel<Long> largest = shm.channel("largest", Long.class, max);
            assertEquals(max, largest.capacity());
            assertTrue(largest.offer(4L));
            assertEquals(4L, shm.channel("largest", Long.class).poll(), "another view of it opens it again");
            assertThrows(IllegalArgumentException.class, () -> shm.channel("too-large", Long.class, max + 1));
        }
    }

    /** Taking a shared object by reference makes this process its holder until it destroys it or passes it on. */
    @Test
    void aSharedObjectTakenFromAChannelIsHeldUntilPassedOnOrDestroyed() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory other = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            Channel<Object> mine = shm.channel("c", Object.class, 4);
            Channel<Object> theirs = other.channel("c", Object.class);
            mine.put(shm.share(new ArrayList<>(List.of("a"))));
            assertEquals(0, shm.processStats().objectsHeld());
            Object list = theirs.take();
            assertEquals(1, other.processStats().objectsHeld(), "the taker holds the list");
            theirs.put(list);
            assertEquals(0, other.processStats().objectsHeld(), "put back: the channel holds it");
            Object again = mine.take();
            assertEquals(1, shm.processStats().objectsHeld());
            shm.destroy(again);
            assertEquals(0, shm.processStats().objectsHeld());
            shm.verify();
        }
    }
}
