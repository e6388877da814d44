package io.ipcobjects.testing;

import io.ipcobjects.Access;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Child-JVM programs for the foundation tests. Each prints {@code key=value} lines that the
 * test reads with {@link ChildJvm.Result#value(String)}; each exits non-zero on failure (an
 * exception escapes {@code main}): none catches an exception it was not written to report.
 * The shared counter they use is a raw 8-byte block whose offset is the region's user root.
 */
public final class Children {
    private Children() {
    }

    /** Allocates the counter the children use and makes it the user root. */
    public static void newCounter(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            long counter = a.allocate(8);
            a.block(counter).set(ValueLayout.JAVA_LONG, 0, 0L);
            a.setUserRoot(counter);
        }
    }

    public static long readCounter(Access a) {
        return a.block(a.userRoot()).get(ValueLayout.JAVA_LONG, 0);
    }

    static void writeCounter(Access a, long value) {
        a.block(a.userRoot()).set(ValueLayout.JAVA_LONG, 0, value);
    }

    /** args: region name, increments. Adds 1 to the counter {@code increments} times, each under its own acquire. */
    public static final class Increment {
        public static void main(String[] args) {
            String name = args[0];
            int increments = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.attach(name, Duration.ofSeconds(30))) {
                long counterOffset;
                try (Access a = shm.acquire()) {
                    counterOffset = a.userRoot();
                }
                for (int i = 0; i < increments; i++) {
                    try (Access a = shm.acquire()) {
                        MemorySegment counter = a.block(counterOffset);
                        counter.set(ValueLayout.JAVA_LONG, 0, counter.get(ValueLayout.JAVA_LONG, 0) + 1);
                    }
                }
                System.out.println("done=" + increments);
            }
        }
    }

    /**
     * args: region name, total, ready file, go file, racers. Attaches, signals ready, waits for
     * go, then counts itself in under the name {@code "arrived"} and waits until all
     * {@code racers} have; then loops acquire/increment/release as fast as it can until the
     * shared counter reaches {@code total} (and past it, see {@link #CONTENDED_ENOUGH}). Prints how many of the increments were its own
     * ({@code mine}), and how many of those it made while another racer was queued for the lock
     * ({@code contended}: the lock word names a successor), and its {@code ProcessStats}.
     */
    public static final class Race {
        /** Contended acquisitions a racer makes at least, past the total if it must (unless the other stopped). */
        static final long CONTENDED_ENOUGH = 1000;

        public static void main(String[] args) {
            String name = args[0];
            long total = Long.parseLong(args[1]);
            long racers = Long.parseLong(args[4]);
            long mine = 0;
            long contended = 0;
            ProcessStats stats;
            try (SharedMemory shm = SharedMemory.attach(name, Duration.ofSeconds(30))) {
                RegionMemory memory = TestAccess.context(shm).memory();
                ReadySignal.signal(Path.of(args[2]));
                ReadySignal.await(Path.of(args[3]), Duration.ofSeconds(60));
                try (Access a = shm.acquire()) {
                    Long arrived = a.contains("arrived") ? a.get("arrived", Long.class) : 0L;
                    a.put("arrived", arrived + 1);
                }
                while (shm.get("arrived", Long.class) < racers) {
                    Thread.onSpinWait();
                }
                // Past the total a racer goes on until it has contended CONTENDED_ENOUGH times, the
                // other has stopped, or a minute has passed: on a loaded machine the scheduler can
                // keep one racer off the CPU for the other's whole run of the total.
                long giveUpAt = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (true) {
                    try (Access a = shm.acquire()) {
                        long value = readCounter(a);
                        if (value >= total && (contended >= CONTENDED_ENOUGH || a.contains("stopped")
                                || System.nanoTime() - giveUpAt > 0)) {
                            a.put("stopped", true);
                            break;
                        }
                        writeCounter(a, value + 1);
                        mine++;
                        if (LockLayout.successor(memory.getLongVolatile(LockLayout.LOCK_WORD_OFFSET)) != 0) {
                            contended++;
                        }
                    }
                }
                stats = shm.processStats();
            }
            System.out.println("mine=" + mine);
            System.out.println("contended=" + contended);
            System.out.println("stats=" + stats);
        }
    }

    /** args: region name, signal file. Takes the lock, signals, and holds it until killed. */
    public static final class HoldLockForever {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30));
            Access a = shm.acquire();
            writeCounter(a, readCounter(a) + 1000);
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
            a.close();
        }
    }

    /**
     * args: region name, attach timeout millis, [signal file]. Signals (if asked) that it is
     * about to attach, attaches, reads the counter and prints it.
     */
    public static final class AttachAndRead {
        public static void main(String[] args) {
            if (args.length > 2) {
                ReadySignal.signal(Path.of(args[2]));
            }
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofMillis(Long.parseLong(args[1])))) {
                try (Access a = shm.acquire()) {
                    System.out.println("counter=" + readCounter(a));
                    writeCounter(a, readCounter(a) + 1);
                }
            }
        }
    }

    /**
     * args: region name, signal file, go file. Attaches, signals, waits for the go file, then
     * uses the region and prints the counter, or {@code error=RegionClosedException} if its
     * creator closed it meanwhile (any other exception fails the child).
     */
    public static final class AttachWaitThenUse {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                ReadySignal.signal(Path.of(args[1]));
                ReadySignal.await(Path.of(args[2]), Duration.ofSeconds(60));
                try (Access a = shm.acquire()) {
                    System.out.println("counter=" + readCounter(a));
                } catch (RegionClosedException e) {
                    System.out.println("error=" + e.getClass().getSimpleName());
                }
            }
        }
    }

    /** args: region name, signal file. Creates the region, signals, and waits to be killed. */
    public static final class CreateAndHang {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory.create(args[0], 1 << 20, SharedMemoryOptions.defaults());
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** args: region path, offset. Attaches by path and prints the long at a raw region offset (big regions). */
    public static final class ReadHighOffset {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(Path.of(args[0]), Duration.ofSeconds(30), SharedMemoryOptions.defaults());
                 Access a = shm.acquire()) {
                long offset = Long.parseLong(args[1]);
                MemorySegment block = a.block(offset);
                System.out.println("value=" + block.get(ValueLayout.JAVA_LONG, 0));
                block.set(ValueLayout.JAVA_LONG, 0, 42L);
                System.out.println("size=" + shm.size());
            }
        }
    }
}
