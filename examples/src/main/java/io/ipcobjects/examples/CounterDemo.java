package io.ipcobjects.examples;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The foundation demo: this JVM creates a region, starts two consumer JVMs, and the three take
 * turns on the region lock over one shared counter. A process may increment only when
 * {@code counter % 3} is its own turn number, so the output shows the turns passing between
 * processes: creator, consumer 1, consumer 2, creator, ... Finally the creator closes the region,
 * which removes its file.
 *
 * <p>Run: {@code mvn -q -Pdemo -DskipTests package} (see README).
 */
public final class CounterDemo {

    private static final int ROUNDS = 4;
    private static final int PROCESSES = 3;

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("consumer")) {
            runConsumer(Integer.parseInt(args[1]));
            return;
        }
        runCreator();
    }

    /** The region's name; tests set {@code -Dipcobjects.demo.region} so runs never collide. */
    private static String regionName() {
        return System.getProperty("ipcobjects.demo.region", "counter-demo");
    }

    private static void runCreator() throws IOException, InterruptedException {
        try (SharedMemory shm = SharedMemory.create(regionName(), 1 << 20)) {
            System.out.println("[creator    pid " + ProcessHandle.current().pid() + "] created " + shm.path());
            try (Access a = shm.acquire()) {
                long counter = a.allocate(Long.BYTES);
                a.block(counter).set(ValueLayout.JAVA_LONG, 0, 0L);
                a.setUserRoot(counter);
            }
            List<Process> consumers = new ArrayList<>();
            for (int turn = 1; turn < PROCESSES; turn++) {
                consumers.add(new ProcessBuilder(javaBinary(), "-Dipcobjects.demo.region=" + regionName(),
                        "-cp", System.getProperty("java.class.path"),
                        CounterDemo.class.getName(), "consumer", Integer.toString(turn)).inheritIO().start());
            }
            shm.awaitConsumers(PROCESSES - 1, Duration.ofSeconds(60));
            System.out.println("[creator    pid " + ProcessHandle.current().pid() + "] " + shm.consumerCount()
                    + " consumers attached; taking turns");
            takeTurns(shm, 0, "creator   ");
            for (Process consumer : consumers) {
                if (consumer.waitFor() != 0) {
                    throw new IllegalStateException("a consumer failed with exit code " + consumer.exitValue());
                }
            }
            try (Access a = shm.acquire()) {
                long total = a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0);
                System.out.println("[creator    pid " + ProcessHandle.current().pid() + "] final counter " + total
                        + " (expected " + ROUNDS * PROCESSES + "); heap check: " + a.verify());
            }
            System.out.println("[creator    pid " + ProcessHandle.current().pid() + "] closing the region");
        }
        System.out.println("[creator    pid " + ProcessHandle.current().pid() + "] closed; file removed");
    }

    private static void runConsumer(int turn) {
        try (SharedMemory shm = SharedMemory.attach(regionName(), Duration.ofSeconds(60))) {
            takeTurns(shm, turn, "consumer " + turn);
        }
    }

    /** Increments the counter ROUNDS times, each time only when it is this process's turn. */
    private static void takeTurns(SharedMemory shm, int turn, String who) {
        int done = 0;
        while (done < ROUNDS) {
            try (Access a = shm.acquire()) {
                MemorySegment counter = a.block(a.userRoot());
                long seen = counter.get(ValueLayout.JAVA_LONG, 0);
                if (seen % PROCESSES == turn) {
                    counter.set(ValueLayout.JAVA_LONG, 0, seen + 1);
                    done++;
                    System.out.println("[" + who + " pid " + ProcessHandle.current().pid() + "] saw " + seen
                            + ", wrote " + (seen + 1));
                }
            }
            Thread.onSpinWait();
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }
}
