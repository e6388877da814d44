package io.ipcobjects.internal.inspect;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.testing.ReadySignal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Child JVMs for the inspector's tests: a populated region and a process that holds or waits for its lock. */
public final class InspectorChildren {
    private InspectorChildren() {
    }

    /** A record stored by name, so the type registry has an entry. */
    public record Point(int x, int y) {
    }

    /** What {@link Populate} stores, for the tests to compare with. */
    static void populate(Access a) {
        a.put("weights", new float[1000]);
        a.put("batch", a.newTensor(DType.INT16, 4, 3, 2));
        a.put("config", Map.of("lr", 0.1, "epochs", 3L));
        a.put("label", "a label longer than eight chars");
        a.put("step", 7L);
        a.put("origin", new Point(1, 2));
        a.putMessage(1L);
        a.putMessage("two, a longer message");
        a.putMessage(List.of(3, 4, 5));
    }

    /**
     * args: region path, ready file, go file. Creates the region, fills it ({@link #populate}),
     * takes the lock, signals, and holds the lock until the go file appears; then closes the region.
     */
    public static final class Populate {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.create(Path.of(args[0]), 4 << 20,
                    SharedMemoryOptions.defaults().withCloseTimeout(Duration.ofSeconds(2)))) {
                try (Access a = shm.acquire()) {
                    populate(a);
                }
                Access held = shm.acquire();
                ReadySignal.signal(Path.of(args[1]));
                ReadySignal.await(Path.of(args[2]), Duration.ofMinutes(5));
                held.close();
            }
            System.out.println("closed=true");
        }
    }

    /**
     * args: region path, attached file. Attaches, signals, and waits for the lock (which the
     * creator holds) until killed: it queues as the lock's successor.
     */
    public static final class WaitForLock {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(Path.of(args[0]), Duration.ofSeconds(60), SharedMemoryOptions.defaults());
            ReadySignal.signal(Path.of(args[1]));
            try (Access a = shm.acquire()) {
                System.out.println("acquired=true");
            }
        }
    }

    /**
     * args: region path, ready file, stop file. Creates the region and changes it without a
     * pause until the stop file appears: names put and removed (tensors of changing shapes,
     * maps, strings, records), messages put and taken, scopes of one and of several operations.
     * Prints the number of rounds.
     */
    public static final class Churn {
        public static void main(String[] args) {
            Path stop = Path.of(args[2]);
            try (SharedMemory shm = SharedMemory.create(Path.of(args[0]), 2 << 20, SharedMemoryOptions.defaults())) {
                ReadySignal.signal(Path.of(args[1]));
                java.util.Random random = new java.util.Random(42);
                long rounds = 0;
                while (!java.nio.file.Files.exists(stop)) {
                    try (Access a = shm.acquire()) {
                        for (int i = 0; i < 8; i++) {
                            String name = "n" + random.nextInt(40);
                            switch (random.nextInt(6)) {
                                case 0 -> a.put(name, new float[1 + random.nextInt(2000)]);
                                case 1 -> a.put(name, a.newTensor(DType.INT32, 1 + random.nextInt(9), 1 + random.nextInt(9)));
                                case 2 -> a.put(name, Map.of("k" + random.nextInt(100), List.of(1, 2, random.nextInt())));
                                case 3 -> a.put(name, "a string of some length " + "x".repeat(random.nextInt(300)));
                                case 4 -> a.put(name, new Point(random.nextInt(), i));
                                default -> a.remove(name);
                            }
                        }
                        if (random.nextBoolean()) {
                            a.putMessage("message " + rounds);
                        } else if (a.hasMessages()) {
                            a.takeMessage();
                        }
                    }
                    rounds++;
                }
                System.out.println("rounds=" + rounds);
            }
        }
    }
}
