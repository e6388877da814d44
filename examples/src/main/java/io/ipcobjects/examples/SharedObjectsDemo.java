package io.ipcobjects.examples;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The InterProcessPyObjects README example in Java: the creator makes a shared object and puts
 * it as a message, a consumer JVM takes it and changes it one piece at a time (its nested
 * containers, its array, its employee's years through the default method
 * {@code increaseYearsOfEmployment()}, and at last its processing-stage flag), and after each
 * change the creator looks through its own view and prints what it sees. Nothing is copied
 * back: both processes hold views of the same object in shared memory.
 *
 * <p>The object and its parts are live objects ({@code Access.newObject}): interfaces of
 * accessors whose implementation the library generates over the region, so a method the
 * consumer calls changes the state the creator reads. The array is an {@code int[]} copied once
 * into a tensor, read as a {@link SharedTensor} view (the original's NumPy array); the dictionary
 * has a string key and a {@code List} key (the original's tuple key).
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

    /** The original's employee class: state in accessors, behaviour in a default method. */
    public interface Employee {
        String name();

        void name(String name);

        int yearsOfEmployment();

        void yearsOfEmployment(int years);

        List<String> skills();

        default void increaseYearsOfEmployment() {
            yearsOfEmployment(yearsOfEmployment() + 1);
        }
    }

    public interface CompanyInfo {
        String name();

        void name(String name);

        List<String> offices();

        Map<String, Object> metrics();

        Employee ceo();

        void ceo(Employee ceo);

        List<Object> history();
    }

    /** The original's {@code SomeSharedObject}, with its processing-stage control flag. */
    public interface SomeSharedObject {
        boolean someProcessingStageControl();

        void someProcessingStageControl(boolean stage);

        int intValue();

        void intValue(int value);

        String someString();

        void someString(String value);

        Map<Object, Object> someDict();

        SharedTensor someArray();

        void someArray(SharedTensor array);

        CompanyInfo company();

        void company(CompanyInfo company);
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
            new Change("someArray[2] = 300 (through the SharedTensor view)", o -> o.someArray().setInt(300, 2),
                    o -> Arrays.toString(o.someArray().toIntArray()), "someArray"),
            new Change("company.offices.add(\"Paris\")", o -> o.company().offices().add("Paris"),
                    o -> o.company().offices(), "company.offices"),
            new Change("company.metrics.put(\"rating\", 5.0)", o -> o.company().metrics().put("rating", 5.0),
                    o -> o.company().metrics().get("rating"), "company.metrics.get(\"rating\")"),
            new Change("company.ceo.skills.add(\"rust\")", o -> o.company().ceo().skills().add("rust"),
                    o -> o.company().ceo().skills(), "company.ceo.skills"),
            new Change("company.history.set(0, 2025)", o -> o.company().history().set(0, 2025L),
                    o -> o.company().history(), "company.history"),
            new Change("company.ceo.increaseYearsOfEmployment()", o -> o.company().ceo().increaseYearsOfEmployment(),
                    o -> o.company().ceo().yearsOfEmployment(), "company.ceo.yearsOfEmployment"),
            new Change("someProcessingStageControl(true)", o -> o.someProcessingStageControl(true),
                    SomeSharedObject::someProcessingStageControl, "someProcessingStageControl"));

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

    /** Builds the example object in the region, inside the caller's scope. */
    static SomeSharedObject example(Access a) {
        SomeSharedObject o = a.newObject(SomeSharedObject.class);
        o.intValue(18);
        o.someString("hello");
        o.someDict().put("key1", 1L);
        o.someDict().put(List.of(1L, 2L), "tuple key"); // the original's tuple key: stored frozen, read as an unmodifiable List
        o.someArray(a.copyToTensor(new int[] {1, 2, 3, 4, 5}));
        CompanyInfo company = a.newObject(CompanyInfo.class);
        company.name("Example Corp");
        company.offices().addAll(List.of("Berlin", "Tokyo"));
        company.metrics().put("revenue", 1_000_000.5);
        company.metrics().put("rating", 4.5);
        company.history().addAll(List.of(2024L, "founded"));
        Employee ceo = a.newObject(Employee.class);
        ceo.name("Ada");
        ceo.yearsOfEmployment(12);
        ceo.skills().add("java");
        company.ceo(ceo);                 // a reference: the company holds the same employee
        o.company(company);
        return o;
    }

    private static void runCreator() throws Exception {
        String who = "[creator  pid " + ProcessHandle.current().pid() + "] ";
        try (SharedMemory shm = SharedMemory.create(regionName(), 4 << 20)) {
            SomeSharedObject mine;
            SharedMap<String, Object> progress;
            try (Access a = shm.acquire()) {
                progress = a.put("progress", new HashMap<>(Map.of("changed", 0L, "seen", 0L)));
                mine = example(a);
                a.putMessage(mine); // the consumer takes a view of the same object
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
        // The consumer reads live objects the creator made: it names their types (a region's class
        // names come from another process, so only allowed types are loaded and generated).
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

    /** A one-line picture of the object (call inside an {@code acquire()} scope: one lock hold for all reads). */
    static String describe(SomeSharedObject o) {
        CompanyInfo c = o.company();
        return "someProcessingStageControl=" + o.someProcessingStageControl() + ", intValue=" + o.intValue()
                + ", someString=" + o.someString() + ", someDict=" + o.someDict() + ", someArray=SharedTensor"
                + Arrays.toString(o.someArray().toIntArray()) + ", company=" + c.name() + " offices=" + c.offices()
                + " metrics=" + c.metrics() + " ceo=" + c.ceo().name() + "(" + c.ceo().yearsOfEmployment() + " years) skills="
                + c.ceo().skills() + " history=" + c.history();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
    }
}
