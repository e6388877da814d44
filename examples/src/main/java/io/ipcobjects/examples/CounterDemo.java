package io.ipcobjects.examples;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The lock between processes: this JVM creates a region, starts consumer JVMs (two by default),
 * and they take turns on the region lock over one shared counter. A process may increment only
 * when {@code counter % processes} is its own turn number, so the output shows the turns passing
 * between processes: creator, consumer 1, consumer 2, creator, ... Finally the creator closes the
 * region, which removes its file.
 *
 * <p>Run: {@code mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.CounterDemo}
 * (see README); {@code -Ddemo.args=--help} for the options.
 */
@Command(name = "CounterDemo", sortOptions = false, showDefaultValues = true,
        description = {"A creator JVM and consumer JVMs take turns on the region lock over one shared counter."})
public final class CounterDemo implements Callable<Integer> {

    @Option(names = "--rounds", description = "increments per process")
    int rounds = 4;

    @Option(names = "--consumers", description = "consumer JVMs (1-8)")
    int consumers = 2;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.run(new CounterDemo(), args);
    }

    /** The region's name; tests set {@code -Dipcobjects.demo.region} so runs never collide. */
    private static String regionName() {
        return System.getProperty("ipcobjects.demo.region", "counter-demo");
    }

    @Override
    public Integer call() {
        if (rounds < 1 || consumers < 1 || consumers > 8) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1, --consumers 1 to 8");
        }
        int processes = consumers + 1;
        String me = "[creator    pid " + ProcessHandle.current().pid() + "] ";
        try (SharedMemory shm = SharedMemory.create(regionName(), 1 << 20)) {
            System.out.println(me + "created " + shm.path());
            try (Access a = shm.acquire()) {
                long counter = a.allocate(Long.BYTES);
                a.block(counter).set(ValueLayout.JAVA_LONG, 0, 0L);
                a.setUserRoot(counter);
            }
            List<ChildJvm> children = new ArrayList<>();
            for (int turn = 1; turn < processes; turn++) {
                // straight to this JVM's output, so the turns print in the order they were taken
                children.add(ChildJvm.builder(Consumer.class).jvmOptions(List.of("-Dipcobjects.demo.region=" + regionName()))
                        .args(Integer.toString(turn), Integer.toString(processes), Integer.toString(rounds))
                        .inheritIO().start());
            }
            ChildJvm.awaitCondition(() -> shm.consumerCount() == consumers, Duration.ofSeconds(60),
                    consumers + " consumers attached", children.toArray(ChildJvm[]::new));
            System.out.println(me + shm.consumerCount() + " consumers attached; taking turns");
            takeTurns(shm, 0, processes, rounds, "creator   ", () -> children.forEach(c -> c.failIfDied("its turn")));
            ChildJvm.awaitAllSuccess(Duration.ofSeconds(60), children.toArray(ChildJvm[]::new));
            try (Access a = shm.acquire()) {
                long total = a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0);
                System.out.println(me + "final counter " + total + " (expected " + rounds * processes + "); heap check: "
                        + a.verify());
            }
            System.out.println(me + "closing the region");
        }
        System.out.println(me + "closed; file removed");
        return 0;
    }

    /** A consumer JVM. args: turn, processes, rounds. */
    public static final class Consumer {
        private Consumer() {
        }

        public static void main(String[] args) {
            int turn = Integer.parseInt(args[0]);
            try (SharedMemory shm = SharedMemory.attach(regionName(), Duration.ofSeconds(60))) {
                takeTurns(shm, turn, Integer.parseInt(args[1]), Integer.parseInt(args[2]), "consumer " + turn, () -> { });
            }
        }
    }

    /** Increments the counter {@code rounds} times, each time only when it is this process's turn; {@code checkPeers} while waiting. */
    private static void takeTurns(SharedMemory shm, int turn, int processes, int rounds, String who, Runnable checkPeers) {
        int done = 0;
        while (done < rounds) {
            boolean mine = false;
            try (Access a = shm.acquire()) {
                MemorySegment counter = a.block(a.userRoot());
                long seen = counter.get(ValueLayout.JAVA_LONG, 0);
                if (seen % processes == turn) {
                    counter.set(ValueLayout.JAVA_LONG, 0, seen + 1);
                    done++;
                    mine = true;
                    System.out.println("[" + who + " pid " + ProcessHandle.current().pid() + "] saw " + seen
                            + ", wrote " + (seen + 1));
                }
            }
            if (!mine) {
                checkPeers.run();
                Thread.onSpinWait();
            }
        }
    }
}
