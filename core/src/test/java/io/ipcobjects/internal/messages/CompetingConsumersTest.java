package io.ipcobjects.internal.messages;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumers competing for the same message: several of them see the count go to 1 without the
 * lock, all go for the lock, one takes the message and the others must find the queue empty
 * under the lock and wait on, not fail and not take anything twice. Checked by message id:
 * every id taken exactly once, none lost. The producer puts one message at a time and waits for
 * it to be taken before the next (so every message is raced for), then a burst.
 *
 * <p>The same race with threads of this JVM (on two handles, and two threads per handle) is
 * here too: it runs the parent's own code, which is what mutation testing changes.
 */
class CompetingConsumersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** Tells one consumer to stop; ids are never negative. */
    private static final long STOP = -1;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Message {@code id}: a Long (the queue's inline head when it is empty) or, for odd ids, a string in a node. */
    static Object message(long id) {
        return (id & 1) == 0 ? (Object) id : "message " + id;
    }

    /** The id of a taken message, or {@link #STOP}. */
    static long idOf(Object message) {
        return message instanceof Long id ? id : Long.parseLong(((String) message).substring("message ".length()));
    }

    /**
     * Puts {@code count} messages: the first half one at a time, each after the previous one was
     * taken (so the consumers race for every one), the rest in one burst; then one STOP per
     * consumer, behind them all.
     */
    private static void produce(SharedMemory shm, int count, int consumers, ChildJvm... watched) {
        for (long id = 0; id < count; id++) {
            shm.putMessage(message(id));
            if (id < count / 2) {
                ChildJvm.awaitCondition(() -> !shm.hasMessages(), TIMEOUT, "message taken", watched);
            }
        }
        for (int c = 0; c < consumers; c++) {
            shm.putMessage(STOP);
        }
    }

    /** Asserts that {@code taken} holds every id in [0, count) exactly once. */
    private static void assertEveryIdOnce(List<Long> taken, int count) {
        boolean[] seen = new boolean[count];
        for (long id : taken) {
            assertTrue(id >= 0 && id < count, "an id that was never put: " + id);
            assertFalse(seen[(int) id], "message " + id + " was taken twice");
            seen[(int) id] = true;
        }
        for (int id = 0; id < count; id++) {
            assertTrue(seen[id], "message " + id + " was lost");
        }
        assertEquals(count, taken.size());
    }

    // ---- consumers in child JVMs ----

    /**
     * args: region name, mode ({@code timed}: {@code takeMessage(Duration)}, {@code async}:
     * {@code nextMessage()}). Takes messages until it takes STOP; prints {@code id=} for each.
     */
    public static final class Consumer {
        public static void main(String[] args) throws Exception {
            boolean async = args[1].equals("async");
            StringBuilder out = new StringBuilder();
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60))) {
                System.out.println("attached=1");
                System.out.flush();
                while (true) {
                    Object message = async ? shm.nextMessage().get(100, TimeUnit.SECONDS) : shm.takeMessage(Duration.ofSeconds(100));
                    long id = idOf(message);
                    if (id == STOP) {
                        break;
                    }
                    out.append("id=").append(id).append('\n');
                }
            }
            System.out.print(out);
            System.out.println("done=1");
        }
    }

    @Test
    void consumerJvmsCompetingWithTakeMessageAndNextMessageTakeEveryIdExactlyOnce() {
        String name = regions.newName();
        int count = 3000;
        List<String> modes = List.of("timed", "timed", "async", "async");
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20)) {
            List<ChildJvm> consumers = new ArrayList<>();
            try {
                for (String mode : modes) {
                    consumers.add(ChildJvm.start(Consumer.class, name, mode));
                }
                ChildJvm[] watched = consumers.toArray(ChildJvm[]::new);
                ChildJvm.awaitCondition(() -> shm.consumerCount() == modes.size(), TIMEOUT, "consumers attached", watched);
                produce(shm, count, modes.size(), watched);
                List<Long> taken = new ArrayList<>();
                int[] perConsumer = new int[modes.size()];
                for (int c = 0; c < modes.size(); c++) {
                    ChildJvm.Result r = consumers.get(c).awaitSuccess(TIMEOUT);
                    assertEquals("1", r.value("done"), r.describe());
                    for (String line : r.lines()) {
                        if (line.startsWith("id=")) {
                            taken.add(Long.parseLong(line.substring(3)));
                            perConsumer[c]++;
                        }
                    }
                }
                assertEveryIdOnce(taken, count);
                System.out.println("competing consumers (timed, timed, async, async): " + java.util.Arrays.toString(perConsumer));
            } finally {
                consumers.forEach(ChildJvm::close);
            }
            assertFalse(shm.hasMessages());
            try (Access a = shm.acquire()) {
                assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
                a.verify();
            }
        }
    }

    // ---- consumers as threads of this JVM ----

    /** Runs {@code takeOne} on two threads of each of two handles until each takes a STOP; returns the ids. */
    private List<Long> competeInThisJvm(Function<SharedMemory, Object> takeOne) throws Exception {
        String name = regions.newName();
        int count = 2000;
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20);
             SharedMemory second = SharedMemory.attach(name, Duration.ofSeconds(5))) {
            ConcurrentLinkedQueue<Long> taken = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (SharedMemory handle : List.of(shm, shm, second, second)) {
                threads.add(Thread.ofPlatform().name("consumer").start(() -> {
                    try {
                        while (true) {
                            long id = idOf(takeOne.apply(handle));
                            if (id == STOP) {
                                return;
                            }
                            taken.add(id);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            produce(shm, count, threads.size());
            for (Thread thread : threads) {
                thread.join(TIMEOUT.toMillis());
                assertFalse(thread.isAlive(), "a consumer thread is still waiting");
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError("a consumer failed: " + failures.peek());
                failures.forEach(e::addSuppressed);
                throw e;
            }
            assertFalse(shm.hasMessages());
            try (Access a = shm.acquire()) {
                a.verify();
            }
            return new ArrayList<>(taken);
        }
    }

    @Test
    void threadsCompetingWithTakeMessageTimeoutTakeEveryIdExactlyOnce() throws Exception {
        assertEveryIdOnce(competeInThisJvm(shm -> shm.takeMessage(Duration.ofSeconds(100))), 2000);
    }

    @Test
    void threadsCompetingWithNextMessageTakeEveryIdExactlyOnce() throws Exception {
        assertEveryIdOnce(competeInThisJvm(shm -> {
            try {
                return shm.nextMessage().get(100, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }), 2000);
    }
}
