package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Channel;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channels between real processes: many producers and consumers get every message exactly once
 * and in each producer's order; a full channel makes a putter wait; a process that dies between
 * the steps of a put or a take (stopped there on purpose, or killed at random) leaves no message
 * half there, blocks nobody, and leaves nothing allocated.
 */
class ChannelProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int PER_PRODUCER = 20_000;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path signals;

    /** Message i of producer p: inline mostly, every 7th through the heap (a long string). */
    static String message(int producer, int i) {
        String head = producer + ":" + i;
        return i % 7 == 0 ? head + ":" + "h".repeat(200) : head;
    }

    /** args: region, producer number. Puts PER_PRODUCER messages. */
    public static final class Producer {
        public static void main(String[] args) {
            int producer = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<String> ch = shm.channel("work", String.class);
                for (int i = 0; i < PER_PRODUCER; i++) {
                    ch.put(message(producer, i));
                }
                System.out.println("put=" + PER_PRODUCER);
            }
        }
    }

    /**
     * args: region, producers. Takes (one by one, and in batches) until it meets a "stop", which
     * the parent puts once per consumer after the producers finished; a batch that caught more
     * than one stop puts the others back.
     */
    public static final class Consumer {
        public static void main(String[] args) {
            int producers = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<String> ch = shm.channel("work", String.class);
                int[] last = new int[producers];
                java.util.Arrays.fill(last, -1);
                long count = 0;
                long sum = 0;
                int outOfOrder = 0;
                List<String> batch = new ArrayList<>();
                while (true) {
                    String m = batch.isEmpty() && (count & 1) == 0 ? ch.take(TIMEOUT) : null;
                    if (m == null) {
                        if (batch.isEmpty() && ch.drainTo(batch, 16) == 0) {
                            batch.add(ch.take(TIMEOUT));
                        }
                        m = batch.remove(0);
                    }
                    if (m.equals("stop")) {
                        for (String other : batch) {
                            if (!other.equals("stop")) {
                                throw new AssertionError("a message after the stops: " + other);
                            }
                            ch.put(other);
                        }
                        batch.clear();
                        break;
                    }
                    String[] parts = m.split(":");
                    int p = Integer.parseInt(parts[0]);
                    int i = Integer.parseInt(parts[1]);
                    if (!m.equals(message(p, i))) {
                        throw new AssertionError("torn message " + m);
                    }
                    if (i <= last[p]) {
                        outOfOrder++;
                    }
                    last[p] = i;
                    count++;
                    sum += (long) p * PER_PRODUCER + i;
                }
                System.out.println("count=" + count);
                System.out.println("sum=" + sum);
                System.out.println("outOfOrder=" + outOfOrder);
            }
        }
    }

    /** The consumers' counts and sums added up, each consumer having taken every producer's messages in order. */
    private static long[] inOrderCountAndSum(List<ChildJvm.Result> consumers) {
        long count = 0;
        long sum = 0;
        for (ChildJvm.Result r : consumers) {
            assertEquals("0", r.value("outOfOrder"), r.describe());
            count += Long.parseLong(r.value("count"));
            sum += Long.parseLong(r.value("sum"));
        }
        return new long[] {count, sum};
    }

    @Test
    void twoProducersAndTwoConsumersInFourProcessesGetEveryMessageOnceInProducerOrder() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            Channel<String> ch = shm.channel("work", String.class, 16);
            try (ChildJvm c1 = ChildJvm.start(Consumer.class, name, "2");
                 ChildJvm c2 = ChildJvm.start(Consumer.class, name, "2");
                 ChildJvm p1 = ChildJvm.start(Producer.class, name, "0");
                 ChildJvm p2 = ChildJvm.start(Producer.class, name, "1")) {
                // A consumer that dies fails the test at once (the producers would wait on a full channel).
                ChildJvm.awaitCondition(() -> !p1.isAlive() && !p2.isAlive(), TIMEOUT, "the producers' end", c1, c2);
                ChildJvm.awaitAllSuccess(TIMEOUT, p1, p2);
                ch.put("stop");
                ch.put("stop");
                long[] countAndSum = inOrderCountAndSum(ChildJvm.awaitAllSuccess(TIMEOUT, c1, c2));
                long count = countAndSum[0];
                long sum = countAndSum[1];
                long n = PER_PRODUCER;
                assertEquals(2 * n, count, "every message taken once");
                assertEquals(n * (n - 1) / 2 + (n * n + n * (n - 1) / 2), sum, "and the right ones");
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }

    /** args: region. Puts PER_PRODUCER messages of producer 0 into channel "work", a channel of one producer. */
    public static final class OneProducer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<String> ch = shm.channel("work", String.class);
                if (ch.producers() != Channel.Producers.ONE) {
                    throw new AssertionError("channel work is for " + ch.producers() + " producers");
                }
                for (int i = 0; i < PER_PRODUCER; i++) {
                    if (i % 5 == 0) {
                        ch.putAll(List.of(message(0, i)));
                    } else {
                        ch.put(message(0, i));
                    }
                }
                System.out.println("put=" + PER_PRODUCER);
            }
        }
    }

    @Test
    void aOneProducerProcessGetsEveryMessageOnceInOrderToTwoConsumerProcessesThenGivesUpItsSeat() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            Channel<String> ch = shm.channel("work", String.class, 16, Channel.DEFAULT_INLINE_BYTES, Channel.Producers.ONE);
            try (ChildJvm c1 = ChildJvm.start(Consumer.class, name, "1");
                 ChildJvm c2 = ChildJvm.start(Consumer.class, name, "1");
                 ChildJvm producer = ChildJvm.start(OneProducer.class, name)) {
                ChildJvm.awaitCondition(() -> !producer.isAlive(), TIMEOUT, "the producer's end", c1, c2);
                producer.awaitSuccess(TIMEOUT);
                // The producer closed its region: its seat is free for this process's stops.
                ch.put("stop");
                ch.put("stop");
                long[] countAndSum = inOrderCountAndSum(ChildJvm.awaitAllSuccess(TIMEOUT, c1, c2));
                long count = countAndSum[0];
                long sum = countAndSum[1];
                long n = PER_PRODUCER;
                assertEquals(n, count, "every message taken once");
                assertEquals(n * (n - 1) / 2, sum, "and the right ones");
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }

    /** args: region, signal dir. Takes the seat of the one-producer channel "one" with ten puts, and waits to be killed. */
    public static final class SeatHolder {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Channel<Long> ch = shm.channel("one", Long.class);
            for (long i = 0; i < 10; i++) {
                ch.put(i);
            }
            ReadySignal.signal(Path.of(args[1], "seated"));
            Thread.sleep(TIMEOUT.toMillis());
            throw new AssertionError("not killed");
        }
    }

    @Test
    void aOneProducerChannelRefusesOtherProcessesUntilItsProducerDies() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<Long> ch = shm.channel("one", Long.class, 64, Channel.DEFAULT_INLINE_BYTES, Channel.Producers.ONE);
            try (ChildJvm child = ChildJvm.start(SeatHolder.class, name, signals.toString())) {
                ReadySignal.await(signals.resolve("seated"), TIMEOUT, child);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.put(10L));
                assertTrue(e.getMessage().contains("another handle (in process " + child.pid() + ")"), e.getMessage());
                assertEquals(10, ch.size(), "a refused put stores nothing");
                assertEquals("Channel<java.lang.Long> 10/64 waiting, one producer, seat held by pid " + child.pid() + " (alive)",
                        inspectedKind(shm, "one"), "the inspector names the seat's holder");
                child.kill9();
                assertEquals("Channel<java.lang.Long> 10/64 waiting, one producer, seat held by pid " + child.pid()
                        + " (dead: free to take)", inspectedKind(shm, "one"));
            }
            ch.put(10L);
            assertEquals("Channel<java.lang.Long> 11/64 waiting, one producer, seat held by pid " + ProcessHandle.current().pid()
                    + " (alive)", inspectedKind(shm, "one"));
            for (long i = 0; i <= 10; i++) {
                assertEquals(i, ch.poll());
            }
            assertNull(ch.poll());
            shm.verify();
        }
    }

    /** What the inspector says a named object is, read from the region's file as {@code ipc-inspect show} reads it. */
    private static String inspectedKind(SharedMemory shm, String name) {
        return SharedMemory.inspect(shm.path()).names().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow().kind();
    }

    /** args: region, signal dir. Puts 10 messages into a channel of 4, printing each. */
    public static final class Filler {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<Long> ch = shm.channel("small", Long.class);
                for (long i = 0; i < 10; i++) {
                    ch.put(i);
                    System.out.println("put=" + i);
                    if (i == 3) {
                        ReadySignal.signal(Path.of(args[1], "four"));
                    }
                }
            }
        }
    }

    @Test
    void aPutterWaitsWhileTheChannelIsFull() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<Long> ch = shm.channel("small", Long.class, 4);
            try (ChildJvm child = ChildJvm.start(Filler.class, name, signals.toString())) {
                ReadySignal.await(signals.resolve("four"), TIMEOUT, child);
                Thread.sleep(300);
                assertEquals(4, ch.size(), "the putter stopped at the capacity");
                assertFalse(child.stdoutSoFar().contains("put=4"), child.stdoutSoFar());
                for (long i = 0; i < 10; i++) {
                    assertEquals(i, ch.take(TIMEOUT));
                }
                child.awaitSuccess(TIMEOUT);
            }
        }
    }

    /** args: region, signal dir, "inline" or "heap". Claims an entry, writes part of a put, and dies. */
    public static final class DiesWritingAPut {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            RingChannel<String> ch = (RingChannel<String>) shm.channel("c", String.class);
            if (args[2].equals("claim-only")) {
                // Dies between the CAS of its claim word and its store of WRITING: the entry stays FREE.
                claimWithoutMarking(shm, ch);
                ReadySignal.signal(Path.of(args[1], "claimed"));
                Runtime.getRuntime().halt(0);
            }
            long position = ch.ring().tryClaimPut(ch.owners().ownId());
            if (args[2].equals("heap")) {
                ch.writeToHeap(position, ch.ring().payload(position), "x".repeat(1000), false);
            } else if (args[2].equals("inline-over-heap")) {
                // Dies after encoding inline bytes over the entry, before saying they are inline.
                long payload = ch.startPayload(position);
                if (ch.encodeInline(payload, "m" + "7".repeat(40)) < 0) {
                    throw new IllegalStateException("the message should fit the entry");
                }
            }
            ReadySignal.signal(Path.of(args[1], "claimed"));
            Runtime.getRuntime().halt(0);
        }
    }

    /** Claims the tail's position by its claim word, as a put does, and stops there (its entry left FREE). */
    private static void claimWithoutMarking(SharedMemory shm, RingChannel<String> ch) {
        claimWithoutMarking(TestAccess.context(shm).memory(), ch.ring(), ch.owners().ownId());
    }

    /** Claims {@code ring}'s tail position for {@code owner} by its claim word alone, as a putter that dies before marking the entry. */
    static long claimWithoutMarking(RegionMemory memory, Ring ring, int owner) {
        long position = ring.tailPosition();
        if (!memory.compareAndSetLong(ring.claimWordOffset(position), RingLayout.claimWord(position - ring.capacity(), 0),
                RingLayout.claimWord(position, owner))) {
            throw new IllegalStateException("the claim word of position " + position + " is not the last lap's");
        }
        return position;
    }

    /** A putter that dies right after it claimed its position, before it marked the entry: takers skip the position. */
    @Test
    void aWriterThatDiesBetweenItsClaimAndMarkingTheEntryStallsNobody() {
        aWriterThatDiesInsideAPut("claim-only");
    }

    @Test
    void aWriterThatDiesInsideAnInlinePutLeavesNoMessageAndStallsNobody() {
        aWriterThatDiesInsideAPut("inline");
    }

    @Test
    void aWriterThatDiesAfterStoringAHeapValueLeavesNoMessageAndNothingAllocated() {
        aWriterThatDiesInsideAPut("heap");
    }

    /**
     * The entry's last lap held a heap value (its slot zeroed by the take, its payload kind set
     * back to none when the take freed it); the writer dies with inline bytes written where that
     * slot was. Whoever skips the entry must not read those bytes as a value to free.
     */
    @Test
    void aWriterThatDiesEncodingInlineBytesOverALastLapHeapSlotLeavesNothingToFree() {
        aWriterThatDiesInsideAPut("inline-over-heap");
    }

    /**
     * Freeing an entry sets its payload's kind and length back to none, whatever the entry held
     * (a heap value, inline bytes): a put finds them so and marks nothing before its bytes.
     */
    @Test
    void aFreedEntrySaysItsPayloadIsNone() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RingChannel<String> ch = (RingChannel<String>) shm.channel("c", String.class, 4);
            Ring ring = ch.ring();
            ch.put("h" + "x".repeat(1000));
            ch.put("inline");
            assertEquals(ChannelLayout.PAYLOAD_HEAP, ring.payloadKind(0));
            assertEquals(ChannelLayout.PAYLOAD_FLAT, ring.payloadKind(1));
            assertEquals(1001, ch.take(TIMEOUT).length());
            assertEquals("inline", ch.take(TIMEOUT));
            for (long p = 0; p < 2; p++) {
                assertEquals(ChannelLayout.PAYLOAD_NONE, ring.payloadKind(p), "kind of freed position " + p);
                assertEquals(0, ring.payloadLength(p), "length of freed position " + p);
            }
        }
    }

    private void aWriterThatDiesInsideAPut(String path) {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<String> ch = shm.channel("c", String.class, 4);
            if (path.equals("inline-over-heap")) {
                for (int i = 0; i < 4; i++) { // a lap of heap values: every entry's kind says heap
                    ch.put("h" + "x".repeat(1000));
                    assertEquals(1001, ch.take(Duration.ofSeconds(30)).length());
                }
            }
            long used = shm.stats().usedBytes();
            try (ChildJvm child = ChildJvm.start(DiesWritingAPut.class, name, signals.toString(), path)) {
                ReadySignal.await(signals.resolve("claimed"), TIMEOUT, child);
                child.await(TIMEOUT);
            }
            ch.put("after");
            if (path.equals("inline") || path.equals("claim-only")) {
                // poll() does not wait: it looks for a dead writer at the head about once a millisecond.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                String polled = ch.poll();
                while (polled == null && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                    polled = ch.poll();
                }
                assertEquals("after", polled, "the dead writer's entry is skipped by poll");
            } else {
                assertEquals("after", ch.take(Duration.ofSeconds(30)), "the dead writer's entry is skipped");
            }
            assertNull(ch.poll());
            assertEquals(used, shm.stats().usedBytes(), "its heap value is freed");
            shm.verify();
        }
    }

    /** args: region, signal dir. Claims the oldest entry for a take, and dies holding it. */
    public static final class DiesReadingATake {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            RingChannel<String> ch = (RingChannel<String>) shm.channel("c", String.class);
            long position = ch.ring().tryClaimTake(ch.owners().ownId());
            System.out.println("position=" + position);
            ReadySignal.signal(Path.of(args[1], "claimed"));
            Runtime.getRuntime().halt(0);
        }
    }

    /** With {@code timed} false the put is an {@code offer} that does not wait: it must free the dead reader's entry at once. */
    @org.junit.jupiter.params.ParameterizedTest(name = "timed offer: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aReaderThatDiesInsideATakeGivesTheEntryAndTheValueBack(boolean timed) {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<String> ch = shm.channel("c", String.class, 2);
            long used = shm.stats().usedBytes();
            String first = "1".repeat(1000);
            String second = "2".repeat(1000);
            ch.put(first);
            ch.put(second);
            try (ChildJvm child = ChildJvm.start(DiesReadingATake.class, name, signals.toString())) {
                ReadySignal.await(signals.resolve("claimed"), TIMEOUT, child);
                assertEquals("0", child.await(TIMEOUT).value("position"));
            }
            assertTrue(timed ? ch.offer("3", Duration.ofSeconds(30)) : ch.offer("3"), "the dead reader's entry comes back to putters");
            assertEquals(second, ch.take(Duration.ofSeconds(5)), "the first message went with the dead reader");
            assertEquals("3", ch.take(Duration.ofSeconds(5)));
            assertEquals(used, shm.stats().usedBytes(), "the dead reader's heap value is freed");
            shm.verify();
        }
    }

    /** args: region, signal dir. Takes the oldest message with {@code pollBytes} and dies inside the reader, the message's blob in view. */
    public static final class DiesInsideAPollBytesReader {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Channel<byte[]> ch = shm.channel("b", byte[].class);
            ch.pollBytes(view -> {
                System.out.println("first=" + view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                System.out.println("length=" + view.byteSize());
                ReadySignal.signal(Path.of(args[1], "reading"));
                Runtime.getRuntime().halt(0);
            });
            throw new AssertionError("the reader halts the JVM");
        }
    }

    /** A consumer that dies while its {@code pollBytes} reader looks at a large message in place: the entry and the blob come back. */
    @Test
    void aReaderThatDiesInsidePollBytesGivesTheEntryAndTheBlobBack() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20)) {
            Channel<byte[]> ch = shm.channel("b", byte[].class, 2);
            long used = shm.stats().usedBytes();
            byte[] first = new byte[1 << 20];
            java.util.Arrays.fill(first, (byte) 1);
            byte[] second = new byte[1 << 20];
            java.util.Arrays.fill(second, (byte) 2);
            ch.put(first);
            ch.put(second);
            try (ChildJvm child = ChildJvm.start(DiesInsideAPollBytesReader.class, name, signals.toString())) {
                ReadySignal.await(signals.resolve("reading"), TIMEOUT, child);
                ChildJvm.Result result = child.await(TIMEOUT);
                assertEquals("1", result.value("first"));
                assertEquals(String.valueOf(1 << 20), result.value("length"));
            }
            assertTrue(ch.offer(new byte[] {3}, Duration.ofSeconds(30)), "the dead reader's entry comes back to putters");
            assertArrayEquals(second, ch.take(Duration.ofSeconds(5)), "the first message went with the dead reader");
            assertArrayEquals(new byte[] {3}, ch.take(Duration.ofSeconds(5)));
            assertEquals(used, shm.stats().usedBytes(), "the dead reader's blob is freed");
            shm.verify();
        }
    }

    /** Message i of producer p of {@link BytesProducer}: 1 to 120 bytes, {@code p}, {@code i} as 4 bytes, then bytes of {@code i}. */
    static byte[] bytesMessage(int producer, int i) {
        byte[] message = new byte[5 + (i * 7 + producer) % 116];
        message[0] = (byte) producer;
        java.nio.ByteBuffer.wrap(message, 1, 4).putInt(i);
        for (int k = 5; k < message.length; k++) {
            message[k] = (byte) (i + k);
        }
        return message;
    }

    /** args: region, producer number. Puts PER_PRODUCER short byte messages. */
    public static final class BytesProducer {
        public static void main(String[] args) {
            int producer = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<byte[]> ch = shm.channel("bytes", byte[].class);
                for (int i = 0; i < PER_PRODUCER; i++) {
                    ch.put(bytesMessage(producer, i));
                }
                System.out.println("put=" + PER_PRODUCER);
            }
        }
    }

    /**
     * Two producer processes put short byte messages into a channel of 16; the parent takes
     * them in place, with {@code drainBytes} and {@code pollBytes} in turn: every message once,
     * whole, in each producer's order.
     */
    @Test
    void shortMessagesTakenInPlaceFromTwoProducerProcessesComeOnceWholeAndInOrder() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            Channel<byte[]> ch = shm.channel("bytes", byte[].class, 16);
            int[] next = new int[2];
            long[] taken = new long[1];
            java.util.function.Consumer<java.lang.foreign.MemorySegment> check = view -> {
                byte[] got = view.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                int producer = got[0];
                int i = java.nio.ByteBuffer.wrap(got, 1, 4).getInt();
                assertEquals(next[producer], i, "producer " + producer + "'s messages in order, none lost or twice");
                assertArrayEquals(bytesMessage(producer, i), got, "message " + i + " of producer " + producer + " whole");
                next[producer]++;
                taken[0]++;
            };
            takeFromTwoProducers(BytesProducer.class, name,
                    () -> (taken[0] & 1) == 0 ? ch.drainBytes(check, 5) > 0 : ch.pollBytes(check),
                    () -> taken[0] == 2L * PER_PRODUCER, "every message taken");
            assertArrayEquals(new int[] {PER_PRODUCER, PER_PRODUCER}, next);
            assertEquals(0, ch.size());
            shm.verify();
        }
    }

    /**
     * Starts two children of {@code producer} (producer numbers 0 and 1) on the region
     * {@code name}, calls {@code takeSome} (true if it took anything) until {@code done}, failing
     * at once with a child's output if one dies, and then waits for both to end well.
     */
    private static void takeFromTwoProducers(Class<?> producer, String name, java.util.function.BooleanSupplier takeSome,
            java.util.function.BooleanSupplier done, String what) {
        try (ChildJvm p0 = ChildJvm.start(producer, name, "0");
             ChildJvm p1 = ChildJvm.start(producer, name, "1")) {
            ChildJvm.awaitCondition(() -> {
                if (!takeSome.getAsBoolean()) {
                    Thread.onSpinWait();
                }
                return done.getAsBoolean();
            }, TIMEOUT, what, p0, p1);
            ChildJvm.awaitAllSuccess(TIMEOUT, p0, p1);
        }
    }

    /** args: region, producer number. Puts {@link #PER_PRODUCER} numbers {@code producer * 1e9 + i}, unboxed, by putLong and offerLong in turn. */
    public static final class LongProducer {
        public static void main(String[] args) {
            long producer = Long.parseLong(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<Long> ch = shm.channel("longs", Long.class);
                for (int i = 0; i < PER_PRODUCER; i++) {
                    long value = producer * 1_000_000_000L + i;
                    if ((i & 1) == 0) {
                        ch.putLong(value);
                    } else {
                        while (!ch.offerLong(value)) {
                            Thread.onSpinWait();
                        }
                    }
                }
                System.out.println("put=" + PER_PRODUCER);
            }
        }
    }

    /**
     * Two producer processes put numbers unboxed into a channel of 16; the parent takes them
     * unboxed with drainLongs, pollLong and takeLong in turn: every number once, in each
     * producer's order.
     */
    @Test
    void numbersPutAndTakenUnboxedBetweenProcessesComeOnceAndInOrder() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            Channel<Long> ch = shm.channel("longs", Long.class, 16);
            long[] next = new long[2];
            long[] taken = new long[1];
            java.util.function.LongConsumer check = value -> {
                int producer = (int) (value / 1_000_000_000L);
                assertEquals(next[producer], value % 1_000_000_000L, "producer " + producer + "'s numbers in order, none lost or twice");
                next[producer]++;
                taken[0]++;
            };
            takeFromTwoProducers(LongProducer.class, name, () -> switch ((int) (taken[0] % 3)) {
                case 0 -> ch.drainLongs(check, 7) > 0;
                case 1 -> ch.pollLong(check);
                default -> {
                    try {
                        check.accept(ch.takeLong(Duration.ofMillis(50)));
                        yield true;
                    } catch (io.ipcobjects.WaitTimeoutException e) {
                        yield false;
                    }
                }
            }, () -> taken[0] == 2L * PER_PRODUCER, "every number taken");
            assertArrayEquals(new long[] {PER_PRODUCER, PER_PRODUCER}, next);
            assertEquals(0, ch.size());
            shm.verify();
        }
    }

    /** args: region, signal dir. Drains with {@code drainBytes} and dies inside the reader of the second message, a short one in view. */
    public static final class DiesInsideADrainBytesReader {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Channel<byte[]> ch = shm.channel("b", byte[].class);
            int[] shown = new int[1];
            ch.drainBytes(view -> {
                if (++shown[0] == 2) {
                    System.out.println("second=" + view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
                    ReadySignal.signal(Path.of(args[1], "reading"));
                    Runtime.getRuntime().halt(0);
                }
            }, 10);
            throw new AssertionError("the reader halts the JVM");
        }
    }

    /**
     * A consumer that dies while its drain's reader looks at a short message in the ring: the
     * entries of its run come back to putters, its head and freed words are passed, and the
     * messages after its run are taken in order.
     */
    @Test
    void aReaderThatDiesInsideDrainBytesGivesItsEntriesBack() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20)) {
            Channel<byte[]> ch = shm.channel("b", byte[].class, 4);
            for (byte b = 1; b <= 4; b++) {
                ch.put(new byte[] {b, b});
            }
            try (ChildJvm child = ChildJvm.start(DiesInsideADrainBytesReader.class, name, signals.toString())) {
                ReadySignal.await(signals.resolve("reading"), TIMEOUT, child);
                assertEquals("2", child.await(TIMEOUT).value("second"));
            }
            for (byte b = 5; b <= 6; b++) {
                assertTrue(ch.offer(new byte[] {b}, Duration.ofSeconds(30)), "the dead reader's entries come back to putters: " + b);
            }
            List<Byte> firsts = new ArrayList<>();
            while (ch.drainBytes(view -> firsts.add(view.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0)), 10) > 0) {
                // until empty
            }
            assertEquals(List.of((byte) 3, (byte) 4, (byte) 5, (byte) 6), firsts,
                    "the messages the dead reader had not reached, then the new ones, in order");
            shm.verify();
        }
    }

    /** A record this JVM never stores: a message naming it comes from another process. */
    public record Untrusted(String payload) {
        public Untrusted {
            System.setProperty("untrusted.constructed", "yes");
        }
    }

    /** args: region. Puts an {@link Untrusted} small enough for the inline path, and one that is not. */
    public static final class PutsUntrusted {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<Object> ch = shm.channel("c", Object.class);
                ch.put(new Untrusted("small"));
                ch.put(new Untrusted("large".repeat(100)));
            }
        }
    }

    @Test
    void aRecordOfAClassThisProcessNeitherStoredNorAllowedIsRefusedUnbuilt() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            Channel<Object> ch = shm.channel("c", Object.class, 4);
            long used = shm.stats().usedBytes();
            try (ChildJvm child = ChildJvm.start(PutsUntrusted.class, name)) {
                child.awaitSuccess(TIMEOUT);
            }
            for (int i = 0; i < 2; i++) {
                io.ipcobjects.IpcObjectsException e = org.junit.jupiter.api.Assertions.assertThrows(
                        io.ipcobjects.IpcObjectsException.class, () -> ch.take(Duration.ofSeconds(5)));
                assertTrue(e.getMessage().contains(Untrusted.class.getName()), e.getMessage());
            }
            assertNull(System.getProperty("untrusted.constructed"), "the constructor never ran here");
            assertNull(ch.poll(), "a refused message is dropped, not left at the head");
            shm.verify();
            long typeEntry = shm.stats().usedBytes() - used;
            assertTrue(typeEntry >= 0 && typeEntry < 512, "only the class's type registry entry stays: " + typeEntry);
        }
    }

    /** args: region, seed. Puts and takes small and heap messages, and {@code Long}s through a ring large enough for puts at the handle's hint, for ever (until killed). */
    public static final class Churn {
        public static void main(String[] args) {
            Random random = new Random(Long.parseLong(args[1]));
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                Channel<String> ch = shm.channel("c", String.class);
                Channel<byte[]> big = shm.channel("big", byte[].class);
                Channel<Long> longs = shm.channel("longs", Long.class);
                System.out.println("started=1");
                System.out.flush();
                for (long i = 0; ; i++) {
                    if (!longs.offer(LONG_MARK + i)) {
                        longs.poll();
                    }
                    if (random.nextBoolean()) {
                        longs.poll();
                    }
                    String m = "m" + i + "x".repeat(random.nextInt(3) == 0 ? 300 : 3);
                    if (!ch.offer(m)) {
                        ch.poll();
                    }
                    if (random.nextBoolean()) {
                        ch.poll();
                    }
                    if (random.nextInt(8) == 0) {
                        // large: copied in and out without the lock, between two lock holds
                        byte[] b = new byte[RingChannel.LARGE_COPY_BYTES + random.nextInt(1000)];
                        java.util.Arrays.fill(b, (byte) 7);
                        if (!big.offer(b)) {
                            big.poll();
                        }
                        if (random.nextBoolean()) {
                            big.poll();
                        }
                    }
                }
            }
        }
    }

    @Test
    void processesKilledAtRandomMomentsOfPutsAndTakesLeaveAWholeRegion() throws Exception {
        String name = regions.newName();
        Random random = new Random(42);
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            Channel<String> ch = shm.channel("c", String.class, 8);
            Channel<byte[]> big = shm.channel("big", byte[].class, 4);
            Channel<Long> longs = shm.channel("longs", Long.class, 16);
            long used = shm.stats().usedBytes();
            for (int kill = 0; kill < 12; kill++) {
                try (ChildJvm child = ChildJvm.start(Churn.class, name, Long.toString(kill))) {
                    ChildJvm.awaitCondition(() -> child.stdoutSoFar().contains("started=1"), TIMEOUT, "churn start", child);
                    Thread.sleep(50 + random.nextInt(200));
                    child.process().destroyForcibly();
                    child.process().waitFor();
                }
                // The survivors carry on: every message left is whole, and the channel works.
                List<String> left = new ArrayList<>();
                String m;
                while ((m = pollPatiently(ch)) != null) {
                    left.add(m);
                }
                for (String s : left) {
                    assertTrue(s.matches("m\\d+x+"), "whole message " + s);
                }
                byte[] b;
                while ((b = pollPatiently(big)) != null) {
                    for (byte x : b) {
                        assertEquals(7, x, "a whole large message");
                    }
                }
                Long n;
                while ((n = pollPatiently(longs)) != null) {
                    assertTrue(n >= LONG_MARK, "a whole Long: " + n);
                }
                for (long i = 0; i < 16; i++) { // a lap of the Long ring, put at this handle's hint after the first
                    assertTrue(longs.offer(i, Duration.ofSeconds(30)), "Long " + i + " after kill " + kill);
                }
                for (long i = 0; i < 16; i++) {
                    assertEquals(i, longs.take(Duration.ofSeconds(30)));
                }
                for (int i = 0; i < 4; i++) { // a lap of the large ring frees entries dead takers held
                    assertTrue(big.offer(new byte[RingChannel.LARGE_COPY_BYTES], Duration.ofSeconds(30)));
                }
                for (int i = 0; i < 4; i++) {
                    assertEquals(RingChannel.LARGE_COPY_BYTES, big.take(Duration.ofSeconds(30)).length);
                }
                // One lap of the ring: a putter frees any entry a dead taker held where it needs it.
                for (int i = 0; i < 8; i++) {
                    assertTrue(ch.offer("probe" + i, Duration.ofSeconds(30)), "probe " + i + " after kill " + kill);
                }
                for (int i = 0; i < 8; i++) {
                    assertEquals("probe" + i, ch.take(Duration.ofSeconds(30)));
                }
                shm.verify();
                assertEquals(used, shm.stats().usedBytes(), "nothing stays allocated after kill " + kill);
            }
        }
    }

    /** Polls, waiting out entries a dead process left half written (skipped after a liveness check). */
    /** What the churner's {@code Long}s start from: a Long below it was not put whole. */
    static final long LONG_MARK = 1L << 40;

    private static <T> T pollPatiently(Channel<T> ch) {
        try {
            return ch.take(Duration.ofMillis(50));
        } catch (io.ipcobjects.WaitTimeoutException e) {
            return null;
        }
    }
}
