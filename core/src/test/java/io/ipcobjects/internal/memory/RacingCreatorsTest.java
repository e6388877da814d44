package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.RegionExistsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Of creators racing for one path, over a stale file or none, exactly one wins and the others
 * get {@link RegionExistsException}; nothing else is thrown and nothing is left behind. Threads
 * of one JVM race as processes do (each has its own descriptor, so its own locks); two child
 * JVMs race too, over fewer rounds.
 */
class RacingCreatorsTest {

    private static final long REGION_BYTES = 64 << 10;
    private static final int THREAD_ROUNDS = 200;
    private static final int PROCESS_ROUNDS = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private Path directory;
    private Path staleTemplate;

    @BeforeEach
    void staleTemplate() throws IOException {
        directory = Files.createTempDirectory(Path.of("/dev/shm"), "ipcobjects-race");
        Path source = directory.resolve("source");
        staleTemplate = Files.createTempFile("ipcobjects-stale", ".region");
        try (SharedMemory region = SharedMemory.create(source, REGION_BYTES, SharedMemoryOptions.defaults())) {
            Files.copy(source, staleTemplate, StandardCopyOption.REPLACE_EXISTING); // READY, and nobody attached to the copy
        }
    }

    @AfterEach
    void removeAll() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
        Files.deleteIfExists(staleTemplate);
    }

    @Test
    void twoThreadsRacingForOnePathOneWinsEveryRound() throws Exception {
        Path path = directory.resolve("region");
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < THREAD_ROUNDS; round++) {
                boolean stale = round % 2 == 0;
                if (stale) {
                    Files.copy(staleTemplate, path);
                }
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<SharedMemory>> results = new ArrayList<>();
                for (int racer = 0; racer < 2; racer++) {
                    results.add(racers.submit(() -> {
                        start.await();
                        try {
                            return SharedMemory.create(path, REGION_BYTES, SharedMemoryOptions.defaults());
                        } catch (RegionExistsException e) {
                            return null;
                        }
                    }));
                }
                List<SharedMemory> winners = new ArrayList<>();
                for (Future<SharedMemory> result : results) {
                    SharedMemory winner = result.get(); // any other exception fails the test here
                    if (winner != null) {
                        winners.add(winner);
                    }
                }
                try {
                    assertEquals(1, winners.size(), "round " + round + (stale ? " (over a stale file)" : " (no file)"));
                    try (SharedMemory consumer = SharedMemory.attach(path, TIMEOUT, SharedMemoryOptions.defaults())) {
                        assertEquals(1, winners.get(0).consumerCount(), "the path names the winner's region");
                    }
                } finally {
                    winners.forEach(SharedMemory::close);
                }
                assertEquals(List.of(), names(), "round " + round + " left a file behind");
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void twoProcessesRacingForTheSamePathsOneWinsEach() throws IOException {
        for (int round = 0; round < PROCESS_ROUNDS; round++) {
            if (round % 4 != 3) { // mostly over stale files, some over none
                Files.copy(staleTemplate, directory.resolve("region-" + round));
            }
        }
        Path readyA = directory.resolve("ready-a");
        Path readyB = directory.resolve("ready-b");
        Path go = directory.resolve("go");
        Path doneA = directory.resolve("done-a");
        Path doneB = directory.resolve("done-b");
        Path exit = directory.resolve("exit");
        String rounds = Integer.toString(PROCESS_ROUNDS);
        try (ChildJvm a = ChildJvm.start(Racer.class, directory.toString(), rounds, readyA.toString(), go.toString(),
                doneA.toString(), exit.toString());
             ChildJvm b = ChildJvm.start(Racer.class, directory.toString(), rounds, readyB.toString(), go.toString(),
                     doneB.toString(), exit.toString())) {
            ReadySignal.await(readyA, TIMEOUT);
            ReadySignal.await(readyB, TIMEOUT);
            ReadySignal.signal(go);
            ReadySignal.await(doneA, TIMEOUT.multipliedBy(2));
            ReadySignal.await(doneB, TIMEOUT.multipliedBy(2));
            ReadySignal.signal(exit); // the winners held their regions until both were done
            ChildJvm.Result ra = a.await(TIMEOUT);
            ChildJvm.Result rb = b.await(TIMEOUT);
            String winsA = ra.value("wins");
            String winsB = rb.value("wins");
            assertNotNull(winsA, ra.describe() + "\n" + rb.describe());
            assertNotNull(winsB, rb.describe() + "\n" + ra.describe());
            int contested = 0;
            for (int round = 0; round < PROCESS_ROUNDS; round++) {
                assertNotEquals(winsA.charAt(round), winsB.charAt(round),
                        "round " + round + ": exactly one process wins\n" + winsA + "\n" + winsB);
            }
            System.out.printf("racing creators: process A won %d of %d paths, B %d%n",
                    winsA.chars().filter(c -> c == '1').count(), PROCESS_ROUNDS,
                    winsB.chars().filter(c -> c == '1').count());
        }
        try (Stream<Path> files = Files.list(directory)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("region-")
                    || f.getFileName().toString().contains(".new-")), "the winners' close removed their files; no temporary files");
        }
    }

    /**
     * args: directory, rounds, ready file, go file, done file, exit file. Tries to create
     * {@code region-<i>} for every round, keeps what it won until told to exit, and prints
     * {@code wins=} one digit per round (1: won, 0: RegionExistsException). The two racers meet
     * at a barrier (a counter in a small mapped file) before every round, so each round is a
     * race and not one process running ahead through all of them.
     */
    public static final class Racer {
        public static void main(String[] args) throws IOException {
            Path directory = Path.of(args[0]);
            int rounds = Integer.parseInt(args[1]);
            // Warm up (class loading, linking the native calls) so both start the rounds at full speed.
            SharedMemory.create(directory.resolve("warm-up-" + ProcessHandle.current().pid()), REGION_BYTES,
                    SharedMemoryOptions.defaults()).close();
            MemorySegment barrier;
            try (FileChannel channel = FileChannel.open(directory.resolve("barrier"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                barrier = channel.map(FileChannel.MapMode.READ_WRITE, 0, Long.BYTES, Arena.ofAuto());
            }
            ReadySignal.signal(Path.of(args[2]));
            ReadySignal.await(Path.of(args[3]), TIMEOUT);
            List<SharedMemory> won = new ArrayList<>();
            StringBuilder wins = new StringBuilder();
            try {
                for (int round = 0; round < rounds; round++) {
                    long arrived = (long) COUNTER.getAndAdd(barrier, 0L, 1L) + 1;
                    long deadline = System.nanoTime() + TIMEOUT.toNanos();
                    while (arrived < 2L * (round + 1)) {
                        if (System.nanoTime() - deadline >= 0) {
                            throw new IllegalStateException("the other racer did not reach round " + round);
                        }
                        Thread.onSpinWait();
                        arrived = (long) COUNTER.getVolatile(barrier, 0L);
                    }
                    try {
                        won.add(SharedMemory.create(directory.resolve("region-" + round), REGION_BYTES,
                                SharedMemoryOptions.defaults()));
                        wins.append('1');
                    } catch (RegionExistsException e) {
                        wins.append('0');
                    }
                }
                System.out.println("wins=" + wins);
            } catch (RuntimeException e) {
                System.out.println("error=" + e);
            }
            ReadySignal.signal(Path.of(args[4]));
            ReadySignal.await(Path.of(args[5]), TIMEOUT);
            won.forEach(SharedMemory::close);
        }
    }

    private static final VarHandle COUNTER = ValueLayout.JAVA_LONG.varHandle();

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
