package io.ipcobjects.examples;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The InterProcessPyObjects README example in Java: the creator puts a nested object as a
 * message, a consumer JVM takes it and changes its nested containers and its array one at a
 * time, and after each change the creator looks through the view {@code putMessage} gave it and
 * prints what it sees. Nothing is copied back: both processes hold views of the same object.
 *
 * <p>The object: a record with an {@code int}, a {@code String}, a {@code Map} with a string key
 * and a {@code List} key (the original's tuple key), an {@code int[]} in a field typed
 * {@code Object} (stored as a tensor, read back as a {@link SharedTensor} view: the original's
 * NumPy array), and a company record with lists, a map and an employee record. Component types
 * are what comes back: {@code List}/{@code Map} interfaces (live views), {@code Object} for the
 * array.
 *
 * <p>The two processes take turns through a small shared map published by name
 * ({@code "progress"}: the consumer counts the changes it made, the creator the changes it saw).
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.SharedObjectsDemo
 * </pre>
 */
public final class SharedObjectsDemo {
    private SharedObjectsDemo() {
    }

    public record Employee(String name, int age, List<String> skills) {
    }

    public record CompanyInfo(String name, List<String> offices, Map<String, Object> metrics, Employee ceo,
            List<Object> history) {
    }

    /** {@code someArray} is typed {@code Object}: an {@code int[]} goes in, a {@code SharedTensor} comes out. */
    public record SomeSharedObject(int stage, String someString, Map<Object, Object> someDict, Object someArray,
            CompanyInfo company) {
    }

    /** One change the consumer makes and what the creator looks at afterwards. */
    private record Change(String what, Consumer<SomeSharedObject> apply, Function<SomeSharedObject, Object> look,
            String lookName) {
    }

    private static final List<Change> CHANGES = List.of(
            new Change("someDict.put(\"key1\", 100)", o -> o.someDict().put("key1", 100L),
                    o -> o.someDict().get("key1"), "someDict.get(\"key1\")"),
            new Change("someDict.put(List.of(1, 2), \"changed\")", o -> o.someDict().put(List.of(1L, 2L), "changed"),
                    o -> o.someDict().get(List.of(1L, 2L)), "someDict.get(List.of(1, 2))"),
            new Change("someArray[2] = 300 (through the SharedTensor view)", o -> tensor(o).setInt(300, 2),
                    o -> Arrays.toString(tensor(o).toIntArray()), "someArray"),
            new Change("company.offices.add(\"Paris\")", o -> o.company().offices().add("Paris"),
                    o -> o.company().offices(), "company.offices"),
            new Change("company.metrics.put(\"rating\", 5.0)", o -> o.company().metrics().put("rating", 5.0),
                    o -> o.company().metrics().get("rating"), "company.metrics.get(\"rating\")"),
            new Change("company.ceo.skills.add(\"rust\")", o -> o.company().ceo().skills().add("rust"),
                    o -> o.company().ceo().skills(), "company.ceo.skills"),
            new Change("company.history.set(0, 2025)", o -> o.company().history().set(0, 2025L),
                    o -> o.company().history(), "company.history"));

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("consumer")) {
            runConsumer();
            return;
        }
        runCreator();
    }

    /** The region's name; tests set {@code -Dipcobjects.demo.region} so runs never collide. */
    private static String regionName() {
        return System.getProperty("ipcobjects.demo.region", "objects-demo");
    }

    static SomeSharedObject example() {
        Map<Object, Object> dict = new HashMap<>();
        dict.put("key1", 1L);
        dict.put(List.of(1L, 2L), "tuple key"); // the original's tuple key: stored frozen, comes back as an unmodifiable List
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("revenue", 1_000_000.5);
        metrics.put("rating", 4.5);
        CompanyInfo company = new CompanyInfo("Example Corp", new ArrayList<>(List.of("Berlin", "Tokyo")), metrics,
                new Employee("Ada", 36, new ArrayList<>(List.of("java"))), new ArrayList<>(List.of(2024L, "founded")));
        return new SomeSharedObject(1, "hello", dict, new int[] {1, 2, 3, 4, 5}, company);
    }

    private static void runCreator() throws Exception {
        String who = "[creator  pid " + ProcessHandle.current().pid() + "] ";
        try (SharedMemory shm = SharedMemory.create(regionName(), 4 << 20)) {
            SomeSharedObject mine;
            SharedMap<String, Object> progress;
            try (Access a = shm.acquire()) {
                progress = a.put("progress", new HashMap<>(Map.of("changed", 0L, "seen", 0L)));
                mine = a.putMessage(example()); // what the consumer will take: the same live containers
                System.out.println(who + "put message: " + describe(mine));
            }
            Process consumer = new ProcessBuilder(javaBinary(), "-Dipcobjects.demo.region=" + regionName(), "-cp",
                    System.getProperty("java.class.path"), SharedObjectsDemo.class.getName(), "consumer").inheritIO().start();
            for (int k = 1; k <= CHANGES.size(); k++) {
                awaitValue(progress, "changed", k, consumer::isAlive, "the consumer");
                Change change = CHANGES.get(k - 1);
                try (Access a = shm.acquire()) {
                    System.out.println(who + "sees change " + k + ": " + change.lookName() + " = " + change.look().apply(mine));
                    progress.put("seen", (long) k);
                }
            }
            if (!consumer.waitFor(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                consumer.destroyForcibly();
                throw new IllegalStateException("the consumer did not finish within " + TIMEOUT);
            }
            try (Access a = shm.acquire()) {
                System.out.println(who + "finally: " + describe(mine));
                System.out.println(who + "heap check: " + a.verify());
            }
            System.out.println("creatorSaw=" + CHANGES.size());
            System.out.println("consumerExit=" + consumer.exitValue());
            if (consumer.exitValue() != 0) {
                System.exit(1);
            }
        }
    }

    private static void runConsumer() {
        String who = "[consumer pid " + ProcessHandle.current().pid() + "] ";
        // The consumer reads records the creator stored: it names their classes (a region's class
        // names come from another process, so only allowed classes are loaded).
        SharedMemoryOptions options = SharedMemoryOptions.defaults()
                .withAllowedClasses(SomeSharedObject.class, CompanyInfo.class, Employee.class);
        try (SharedMemory shm = SharedMemory.attach(regionName(), TIMEOUT, options)) {
            SomeSharedObject taken = shm.takeMessage(TIMEOUT);
            SharedMap<String, Object> progress = shm.get("progress");
            try (Access a = shm.acquire()) {
                System.out.println(who + "took message: " + describe(taken));
            }
            for (int k = 1; k <= CHANGES.size(); k++) {
                Change change = CHANGES.get(k - 1);
                try (Access a = shm.acquire()) {
                    change.apply().accept(taken);
                    progress.put("changed", (long) k);
                    System.out.println(who + "change " + k + ": " + change.what());
                }
                awaitValue(progress, "seen", k, () -> !shm.isClosing(), "the creator");
            }
        }
    }

    /** Waits (polling, one short lock hold per look) until {@code progress.get(key) >= value}. */
    private static void awaitValue(SharedMap<String, Object> progress, String key, long value,
            java.util.function.BooleanSupplier peerAlive, String peer) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((Long) progress.get(key) < value) { // get takes the lock for this one read
            if (!peerAlive.getAsBoolean()) {
                throw new IllegalStateException(peer + " is gone; waiting for " + key + " = " + value);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(peer + " did not set " + key + " = " + value + " within " + TIMEOUT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    private static SharedTensor tensor(SomeSharedObject o) {
        return (SharedTensor) o.someArray();
    }

    /** A one-line picture of the object (call inside an {@code acquire()} scope: one lock hold for all reads). */
    static String describe(SomeSharedObject o) {
        CompanyInfo c = o.company();
        return "stage=" + o.stage() + ", someString=" + o.someString() + ", someDict=" + o.someDict() + ", someArray="
                + (o.someArray() instanceof SharedTensor ? "SharedTensor" : o.someArray().getClass().getSimpleName())
                + Arrays.toString(tensor(o).toIntArray()) + ", company="
                + c.name() + " offices=" + c.offices() + " metrics=" + c.metrics() + " ceo=" + c.ceo().name() + "("
                + c.ceo().age() + ") skills=" + c.ceo().skills() + " history=" + c.history();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }
}
