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
}
