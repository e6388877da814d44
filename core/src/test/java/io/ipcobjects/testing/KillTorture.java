package io.ipcobjects.testing;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.memory.UndoLogLayout;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Kills a worker process with {@code kill -9} at random moments of heap work, again and again,
 * and checks after each kill that the region is whole: the lock is taken over, the dead
 * worker's unfinished operation is rolled back, the heap and every structure verify, and every
 * container still holds only values the workload could have written.
 *
 * <p>The worker ({@link #main}) loops over allocator churn (strings of random sizes under names),
 * map puts and removes, list growth and removal (including ranges), set adds and removes,
 * message puts and takes, and the destruction and rebuilding of a nested container, in
 * single-call operations and in {@code acquire()} scopes of several operations. Every value
 * carries its own check (a key's number inside its value), so a torn or mixed-up value shows.
 *
 * <p>Used by {@code CrashConsistencyTest} (about 100 kills, in {@code mvn verify}) and by the
 * benchmarks' harness ({@code kill-torture}, 1000 kills).
 */
public final class KillTorture {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Short, so a takeover costs little of the run; the check is kernel-based, so it never judges a live owner dead. */
    public static final Duration OWNER_CHECK = Duration.ofMillis(2);

    /** What a run saw. */
    public record Report(int kills, int takeovers, int rolledBack, long rolledBackBytes, int corrupted, int inconsistent,
                         long[] takeoverNanos, List<String> problems) {

        public long medianTakeoverNanos() {
            return percentile(0.5);
        }

        public long maxTakeoverNanos() {
            return takeoverNanos.length == 0 ? 0 : Arrays.stream(takeoverNanos).max().orElse(0);
        }

        private long percentile(double p) {
            if (takeoverNanos.length == 0) {
                return 0;
            }
            long[] sorted = takeoverNanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
        }

        public String summary() {
            return String.format("kills=%d takeovers=%d rolledBack=%d (%d log bytes) corrupted=%d inconsistent=%d "
                            + "takeoverMedianMs=%.2f takeoverMaxMs=%.2f", kills, takeovers, rolledBack, rolledBackBytes,
                    corrupted, inconsistent, medianTakeoverNanos() / 1e6, maxTakeoverNanos() / 1e6);
        }
    }

    private KillTorture() {
    }

    /** Options of the region and its workers. */
    public static SharedMemoryOptions options() {
        return SharedMemoryOptions.defaults().withOwnerCheckInterval(OWNER_CHECK);
    }

    /**
     * Runs {@code kills} rounds on a fresh region named {@code name}: each round starts a worker,
     * lets it work for a random time (up to {@code maxWorkMillis} after it is ready), kills it,
     * and checks the region from this process.
     */
    public static Report run(String name, int kills, long seed, int maxWorkMillis, Path signalDir, PrintStream log) {
        Random random = new Random(seed);
        int takeovers = 0;
        int rolledBack = 0;
        long rolledBackBytes = 0;
        int corrupted = 0;
        int inconsistent = 0;
        long[] takeoverNanos = new long[kills];
        int timed = 0;
        List<String> problems = new ArrayList<>();
        // A 512 KiB shared log (not the default 4 MiB): destroying or clearing the big map then
        // commits several steps, so kills land between them too.
        try (SharedMemory shm = SharedMemory.create(name, 64L << 20, options().withUndoLogBytes(512 << 10))) {
            try (Access a = shm.acquire()) {
                a.put("map", new HashMap<>());
                a.put("list", new ArrayList<>());
                a.put("set", new HashSet<>());
            }
            RegionMemory memory = TestAccess.context(shm).memory();
            for (int round = 0; round < kills; round++) {
                Path ready = signalDir.resolve("ready-" + round);
                try (ChildJvm worker = ChildJvm.start(List.of("-Xmx256m"), KillTorture.class, name,
                        Long.toString(random.nextLong()), ready.toString())) {
                    awaitReady(worker, ready);
                    LockSupport.parkNanos(random.nextInt(Math.max(1, maxWorkMillis)) * 1_000_000L);
                    if (!worker.process().isAlive()) {
                        problems.add("round " + round + ": worker ended by itself\n" + worker.await(TIMEOUT).describe());
                        inconsistent++;
                        continue;
                    }
                    worker.kill9();
                }
                long pending = UndoLog.uncommittedBytes(memory);
                long before = shm.lockTakeovers();
                long start = System.nanoTime();
                try (Access a = shm.acquire()) {
                    long took = System.nanoTime() - start;
                    if (shm.lockTakeovers() > before) {
                        takeovers++;
                        takeoverNanos[timed++] = took;
                        if (pending > 0) {
                            rolledBack++;
                            rolledBackBytes += pending;
                        }
                    }
                    a.verify();
                    String wrong = check(a);
                    if (wrong != null) {
                        inconsistent++;
                        problems.add("round " + round + ": " + wrong);
                    }
                    Object big = a.get("big");
                    if ((big == null || ((Map<?, ?>) big).isEmpty()) && random.nextBoolean()) {
                        a.put("big", bigMap()); // warm here; a worker's first removal or clear of it commits steps
                    }
                } catch (CorruptedRegionException e) {
                    corrupted++;
                    problems.add("round " + round + ": " + e);
                    break; // sticky: every later round would say the same
                }
                if (log != null && (round + 1) % 50 == 0) {
                    log.println("kill-torture: " + (round + 1) + " kills, " + takeovers + " takeovers, " + rolledBack
                            + " rolled back, " + corrupted + " corrupted, " + inconsistent + " inconsistent");
                }
            }
        }
        return new Report(kills, takeovers, rolledBack, rolledBackBytes, corrupted, inconsistent,
                Arrays.copyOf(takeoverNanos, timed), problems);
    }

    private static void awaitReady(ChildJvm worker, Path ready) {
        ChildJvm.awaitCondition(() -> Files.exists(ready), TIMEOUT, "the worker's ready signal", worker);
    }

    /** Checks every structure the workload writes; returns what is wrong, or null. */
    @SuppressWarnings("unchecked")
    static String check(Access a) {
        SharedMap<String, Object> map = a.get("map", SharedMap.class);
        for (Map.Entry<String, Object> e : map.entrySet()) {
            String wrong = checkKeyed(e.getKey(), e.getValue());
            if (wrong != null) {
                return "map: " + wrong;
            }
        }
        SharedList<Object> list = a.get("list", SharedList.class);
        for (Object element : list) {
            if (!(element instanceof List<?> l) || l.size() != 3 || !"e".equals(l.get(0))
                    || !Map.of("n", ((Number) l.get(1)).longValue()).equals(l.get(2))) {
                return "list element " + element;
            }
        }
        Set<Object> set = a.get("set", Set.class);
        for (Object o : set) {
            if (!(o instanceof Long n) || n < 0 || n >= 1000) {
                return "set element " + o;
            }
        }
        for (int n = 0; n < 300; n++) {
            Object named = a.get("name-" + n);
            if (named != null) {
                String wrong = checkKeyed("k" + n, named);
                if (wrong != null) {
                    return "name-" + n + ": " + wrong;
                }
            }
        }
        Object nested = a.get("nested");
        if (nested != null) {
            Map<String, Object> m = (Map<String, Object>) nested;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String wrong = checkKeyed(e.getKey(), e.getValue());
                if (wrong != null) {
                    return "nested: " + wrong;
                }
            }
        }
        Object big = a.get("big");
        if (big != null) {
            Map<String, Object> m = (Map<String, Object>) big;
            int seen = 0;
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!e.getKey().equals("b" + e.getValue())) {
                    return "big: " + e.getKey() + " -> " + e.getValue();
                }
                seen++;
            }
            if (seen != m.size()) {
                return "big: size " + m.size() + " but " + seen + " entries";
            }
        }
        long messages = a.messageCount();
        for (long i = 0; i < messages; i++) {
            Object message = a.takeMessage();
            if (!(message instanceof Map<?, ?> m) || checkKeyed("k" + m.get("id"), m.get("value")) != null) {
                return "message " + message;
            }
        }
        return null;
    }

    /** A value written under key "k<n>": a list ("v", n, a string of n % 700 'x'). */
    private static String checkKeyed(String key, Object value) {
        long n = Long.parseLong(key.substring(1));
        if (!(value instanceof List<?> l) || l.size() != 3 || !"v".equals(l.get(0)) || ((Number) l.get(1)).longValue() != n
                || !(l.get(2) instanceof String s) || s.length() != n % 700 || !s.chars().allMatch(c -> c == 'x')) {
            return key + " -> " + value;
        }
        return null;
    }

    private static List<Object> keyed(long n) {
        return List.of("v", n, "x".repeat((int) (n % 700)));
    }

    /** Entries ("b<n>" to n) of the "big" map: its destruction or clear is too big for the log and commits steps. */
    private static final int BIG_ENTRIES = 20_000;

    private static Map<String, Object> bigMap() {
        Map<String, Object> big = new HashMap<>();
        for (long i = 0; i < BIG_ENTRIES; i++) {
            big.put("b" + i, i);
        }
        return big;
    }

    /** Replaces the "big" map with a new one (destroying the old), removes it, or clears it. */
    @SuppressWarnings("unchecked")
    private static void bigMapWork(SharedMemory shm, Random random) {
        switch (random.nextInt(3)) {
            case 0 -> shm.put("big", bigMap());
            case 1 -> shm.remove("big");
            default -> {
                try (Access a = shm.acquire()) {
                    Object big = a.get("big");
                    if (big != null) {
                        ((Map<String, Object>) big).clear();
                    }
                }
            }
        }
    }

    /** The worker: attaches and works until killed. Args: region name, seed, ready-signal file. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) {
        Random random = new Random(Long.parseLong(args[1]));
        try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, options())) {
            SharedMap<String, Object> map;
            SharedList<Object> list;
            Set<Object> set;
            try (Access a = shm.acquire()) {
                map = a.get("map", SharedMap.class);
                list = a.get("list", SharedList.class);
                set = a.get("set", Set.class);
            }
            ReadySignal.signal(Path.of(args[2]));
            long id = random.nextInt(1 << 20);
            while (true) {
                if (random.nextInt(30) == 0) {
                    bigMapWork(shm, random);
                    continue;
                }
                int op = random.nextInt(12);
                int n = random.nextInt(1000);
                switch (op) {
                    case 0, 1 -> map.put("k" + n, keyed(n));
                    case 2 -> map.remove("k" + n);
                    case 3 -> {
                        if (list.size() < 2000) {
                            list.add(List.of("e", (long) n, Map.of("n", (long) n)));
                        } else {
                            list.remove(random.nextInt(list.size()));
                        }
                    }
                    case 4 -> {
                        int size = list.size();
                        if (size > 10) {
                            int from = random.nextInt(size - 5);
                            list.subList(from, from + 5).clear();
                        } else {
                            list.add(0, List.of("e", (long) n, Map.of("n", (long) n)));
                        }
                    }
                    case 5 -> {
                        if (!set.add((long) n)) {
                            set.remove((long) n);
                        }
                    }
                    case 6 -> {
                        long m = id++ % 1000;
                        shm.putMessage(Map.of("id", m, "value", keyed(m)));
                    }
                    case 7 -> {
                        if (shm.hasMessages()) {
                            try (Access a = shm.acquire()) {
                                if (a.hasMessages()) {
                                    a.takeMessage();
                                }
                            }
                        }
                    }
                    case 8 -> {
                        int k = n % 300;
                        if (random.nextBoolean()) {
                            shm.put("name-" + k, keyed(k));
                        } else {
                            shm.remove("name-" + k);
                        }
                    }
                    case 9 -> {
                        try (Access a = shm.acquire()) {
                            Map<String, Object> nested = new HashMap<>();
                            for (int i = 0; i < 1 + random.nextInt(40); i++) {
                                nested.put("k" + i, keyed(i));
                            }
                            a.put("nested", nested); // replaces (and frees) the previous one
                        }
                    }
                    case 10 -> {
                        try (Access a = shm.acquire()) { // several operations in one scope
                            for (int i = 0; i < 5; i++) {
                                int m = random.nextInt(1000);
                                a.put("name-" + (m % 300), keyed(m % 300));
                                map.put("k" + m, keyed(m));
                            }
                        }
                    }
                    default -> map.putAll(Map.of("k" + n, keyed(n), "k" + (n + 1) % 1000, keyed((n + 1) % 1000)));
                }
            }
        }
    }
}
