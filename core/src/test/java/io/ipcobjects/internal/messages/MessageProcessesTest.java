package io.ipcobjects.internal.messages;

import io.ipcobjects.internal.lock.IdleStrategies;
import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue between real processes: several producers and consumers, waiting, lock-free polling. */
class MessageProcessesTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(180);
    private static final int PRODUCERS = 4;
    private static final int CONSUMERS = 2;
    private static final int PER_PRODUCER = 10_000;
    /** Poison message: tells a consumer to stop. Real messages are producer << 32 | sequence, never negative. */
    private static final long STOP = -1;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void fourProducersTwoConsumersEveryMessageExactlyOnceInOrderPerProducer() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            List<ChildJvm> consumers = new ArrayList<>();
            List<ChildJvm> producers = new ArrayList<>();
            try {
                for (int c = 0; c < CONSUMERS; c++) {
                    consumers.add(ChildJvm.start(Consumer.class, name));
                }
                for (int p = 0; p < PRODUCERS; p++) {
                    producers.add(ChildJvm.start(Producer.class, name, Integer.toString(p), Integer.toString(PER_PRODUCER)));
                }
                for (ChildJvm producer : producers) {
                    ChildJvm.Result r = producer.awaitSuccess(CHILD_TIMEOUT);
                    assertEquals(Integer.toString(PER_PRODUCER), r.value("put"), r.describe());
                }
                for (int c = 0; c < CONSUMERS; c++) {
                    shm.putMessage(STOP); // behind every real message: FIFO makes the consumers drain first
                }
                // Global take order: the consumers number their takes through the named counter "order".
                TreeMap<Long, Long> byOrder = new TreeMap<>();
                Set<Long> seen = new HashSet<>();
                int[] perConsumer = new int[CONSUMERS];
                for (int c = 0; c < CONSUMERS; c++) {
                    ChildJvm.Result r = consumers.get(c).awaitSuccess(CHILD_TIMEOUT);
                    long[] lastSeqOfProducer = {-1, -1, -1, -1};
                    for (String line : r.lines()) {
                        if (!line.startsWith("m=")) {
                            continue;
                        }
                        String[] parts = line.substring(2).split(",");
                        long order = Long.parseLong(parts[0]);
                        long message = Long.parseLong(parts[1]);
                        int producer = (int) (message >>> 32);
                        long seq = message & 0xFFFF_FFFFL;
                        assertTrue(seen.add(message), "message taken twice: producer " + producer + " seq " + seq);
                        assertNull(byOrder.put(order, message), "take number " + order + " given twice");
                        assertTrue(seq > lastSeqOfProducer[producer], "consumer " + c + " saw producer " + producer
                                + " out of order: " + seq + " after " + lastSeqOfProducer[producer]);
                        lastSeqOfProducer[producer] = seq;
                        perConsumer[c]++;
                    }
                }
                assertEquals(PRODUCERS * PER_PRODUCER, seen.size(), "messages lost");
                // In take order across both consumers, each producer's sequence is 0, 1, 2, ...
                long[] next = new long[PRODUCERS];
                for (long message : byOrder.values()) {
                    int producer = (int) (message >>> 32);
                    assertEquals(next[producer], message & 0xFFFF_FFFFL, "producer " + producer + " out of FIFO order");
                    next[producer]++;
                }
                assertEquals(PRODUCERS * PER_PRODUCER, byOrder.lastKey() + 1);
                assertFalse(shm.hasMessages());
                try (Access a = shm.acquire()) {
                    assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
                    a.verify();
                }
                System.out.println("consumer shares: " + perConsumer[0] + " / " + perConsumer[1]);
            } finally {
                producers.forEach(ChildJvm::close);
                consumers.forEach(ChildJvm::close);
            }
        }
    }

    /** Puts {@code count} messages {@code id << 32 | seq}, each with the single-operation shortcut. */
    public static final class Producer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60))) {
                long id = Long.parseLong(args[1]);
                int count = Integer.parseInt(args[2]);
                for (long seq = 0; seq < count; seq++) {
                    shm.putMessage(id << 32 | seq);
                }
                System.out.println("put=" + count);
            }
        }
    }

    /**
     * Takes messages until it takes {@link #STOP}. Each take happens in one lock scope with an
     * increment of the named counter "order", so the output gives the global take order.
     */
    public static final class Consumer {
        public static void main(String[] args) {
            StringBuilder out = new StringBuilder();
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60))) {
                IdleStrategy idle = IdleStrategies.of(WaitStrategy.BACKOFF).get();
                long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                boolean stop = false;
                while (!stop) {
                    Access access = shm.acquireIfHasMessages();
                    if (access == null) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("no STOP message within 150 s");
                        }
                        idle.idle();
                        continue;
                    }
                    idle.reset();
                    try (access) {
                        long message = access.takeMessage();
                        if (message == STOP) {
                            stop = true;
                        } else {
                            Long order = access.get("order");
                            long mine = order == null ? 0 : order;
                            access.put("order", mine + 1);
                            out.append("m=").append(mine).append(',').append(message).append('\n');
                        }
                    }
                }
            }
            System.out.print(out);
            System.out.println("done=1");
        }
    }

    @Test
    void takeWithTimeoutWakesForAMessageFromAnotherProcess() {
        String name = regions.newName();
        Path waiting = regions.newPath("waiting");
        SharedMemoryOptions backoff = SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.backoff());
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, backoff);
             ChildJvm child = ChildJvm.start(Waiter.class, name, waiting.toString())) {
            ReadySignal.await(waiting, Duration.ofSeconds(60), child);
            assertFalse(shm.hasMessages());
            shm.putMessage("wake up");
            ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
            assertEquals("false", r.value("hadMessageBefore"), r.describe());
            assertEquals("wake up", r.value("took"), r.describe());
            assertFalse(shm.hasMessages());
        }
    }

    /** Signals that it is about to wait, then waits up to 60 s for one message. */
    public static final class Waiter {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60))) {
                System.out.println("hadMessageBefore=" + shm.hasMessages());
                ReadySignal.signal(Path.of(args[1]));
                String message = shm.takeMessage(Duration.ofSeconds(60));
                System.out.println("took=" + message);
            }
        }
    }

    @Test
    void hasMessagesNeedsNoLockWhileAnotherProcessHoldsIt() {
        String name = regions.newName();
        Path holding = regions.newPath("holding");
        Path release = regions.newPath("release");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            shm.putMessage(41L);
            try (ChildJvm child = ChildJvm.start(Holder.class, name, holding.toString(), release.toString())) {
                ReadySignal.await(holding, Duration.ofSeconds(60), child);
                assertNull(shm.tryAcquire(Duration.ZERO), "the child holds the lock");
                assertTrue(shm.hasMessages(), "answered without the lock");
                ReadySignal.signal(release);
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                assertEquals("41", r.value("took"), r.describe());
            }
            assertFalse(shm.hasMessages());
            assertNull(shm.acquireIfHasMessages());
        }
    }

    /** Holds the lock until told to release; takes the message before releasing. */
    public static final class Holder {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60)); Access a = shm.acquire()) {
                ReadySignal.signal(Path.of(args[1]));
                ReadySignal.await(Path.of(args[2]), Duration.ofSeconds(60));
                long took = a.takeMessage();
                System.out.println("took=" + took);
            }
        }
    }
}
