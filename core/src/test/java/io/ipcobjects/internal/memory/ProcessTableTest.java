package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The process table's 64 slots between real processes: slots of consumers killed while not
 * holding the lock are reclaimed (by the creator counting consumers, and by an attach that finds
 * the table full), and many attaches racing for the last slots give exactly the free slots out,
 * the rest a clear "process table is full".
 */
class ProcessTableTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Opens (creator and consumers) the region {@code name} until its table is full; returns the consumers opened. */
    private static List<SharedMemory> fillTable(String name) {
        List<SharedMemory> opened = new ArrayList<>();
        while (true) {
            try {
                opened.add(SharedMemory.attach(name, Duration.ofSeconds(5)));
            } catch (IpcObjectsException e) {
                assertTrue(e.getMessage().contains("process table is full"), e.getMessage());
                return opened;
            }
            assertTrue(opened.size() <= ProcessTableLayout.SLOT_COUNT, "more attachments than slots");
        }
    }

    private static void assertTableFull(String name) {
        IpcObjectsException e = assertThrows(IpcObjectsException.class, () -> SharedMemory.attach(name, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("process table is full"), e.getMessage());
    }

    /** args: region name, signal file. Attaches, signals, and waits (never holding the lock) until killed. */
    public static final class AttachAndWait {
        public static void main(String[] args) throws InterruptedException {
            SharedMemory.attach(args[0], Duration.ofSeconds(60));
            ReadySignal.signal(Path.of(args[1]));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void consumersKilledWhileNotHoldingTheLockAreReclaimedAndTheirSlotsReused() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            List<ChildJvm> children = new ArrayList<>();
            List<SharedMemory> mine = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Path attached = regions.newPath("attached-" + i);
                    ChildJvm child = ChildJvm.start(AttachAndWait.class, name, attached.toString());
                    children.add(child);
                    ReadySignal.await(attached, TIMEOUT, child);
                }
                assertEquals(3, shm.consumerCount());
                children.get(0).kill9();
                children.get(1).kill9();
                assertEquals(1, shm.consumerCount(), "the two killed consumers are no longer counted (their slots reclaimed)");

                // Their slots are free again: this process gets every slot but the creator's and the live child's.
                mine.addAll(fillTable(name));
                assertEquals(ProcessTableLayout.SLOT_COUNT - 2, mine.size());
                // The last child dies without anyone counting: an attach finding the table full reclaims its slot.
                children.get(2).kill9();
                mine.add(SharedMemory.attach(name, Duration.ofSeconds(5)));
                assertTableFull(name);
                assertEquals(ProcessTableLayout.SLOT_COUNT - 1, shm.consumerCount());
            } finally {
                mine.forEach(SharedMemory::close);
                children.forEach(ChildJvm::close);
            }
            assertEquals(0, shm.consumerCount());
            try (SharedMemory again = SharedMemory.attach(name, Duration.ofSeconds(5))) {
                assertEquals(1, shm.consumerCount());
            }
        }
    }

    /**
     * args: region name, threads, ready file, go file, result file, release file. Starts the
     * threads, signals ready; on go every thread attaches at once. Writes
     * {@code attached failed} to the result file, keeps its handles until release, then closes
     * them. An attach failing with anything but a full table fails the child.
     */
    public static final class ParallelAttacher {
        public static void main(String[] args) throws Exception {
            String name = args[0];
            int threads = Integer.parseInt(args[1]);
            CountDownLatch go = new CountDownLatch(1);
            ConcurrentLinkedQueue<SharedMemory> handles = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
            AtomicInteger full = new AtomicInteger();
            List<Thread> attachers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                attachers.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        handles.add(SharedMemory.attach(name, Duration.ofSeconds(30)));
                    } catch (IpcObjectsException e) {
                        if (e.getMessage().contains("process table is full")) {
                            full.incrementAndGet();
                        } else {
                            unexpected.add(e);
                        }
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                }));
            }
            ReadySignal.signal(Path.of(args[2]));
            ReadySignal.await(Path.of(args[3]), TIMEOUT);
            go.countDown();
            for (Thread attacher : attachers) {
                attacher.join();
            }
            if (!unexpected.isEmpty()) {
                IllegalStateException e = new IllegalStateException("an attach failed unexpectedly", unexpected.peek());
                unexpected.forEach(e::addSuppressed);
                throw e;
            }
            writeAtomically(Path.of(args[4]), handles.size() + " " + full.get());
            ReadySignal.await(Path.of(args[5]), TIMEOUT);
            handles.forEach(SharedMemory::close);
            System.out.println("attached=" + handles.size());
            System.out.println("full=" + full.get());
        }
    }

    static void writeAtomically(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void parallelAttachesFromSeveralProcessesPastTheLimitGiveOutExactlyTheFreeSlots() throws IOException {
        String name = regions.newName();
        int children = 3;
        int threadsEach = 30; // 90 attaches race for the 63 slots the creator leaves
        Path go = regions.newPath("go");
        Path release = regions.newPath("release");
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            List<ChildJvm> attachers = new ArrayList<>();
            List<Path> results = new ArrayList<>();
            try {
                for (int c = 0; c < children; c++) {
                    Path ready = regions.newPath("ready-" + c);
                    Path result = regions.newPath("result-" + c);
                    regions.removeAfter(result.resolveSibling(result.getFileName() + ".tmp"));
                    results.add(result);
                    attachers.add(ChildJvm.start(ParallelAttacher.class, name, Integer.toString(threadsEach), ready.toString(),
                            go.toString(), result.toString(), release.toString()));
                    ReadySignal.await(ready, TIMEOUT, attachers.get(c));
                }
                ReadySignal.signal(go);
                int attached = 0;
                int full = 0;
                for (int c = 0; c < children; c++) {
                    ReadySignal.await(results.get(c), TIMEOUT, attachers.get(c));
                    String[] counts = Files.readString(results.get(c)).split(" ");
                    attached += Integer.parseInt(counts[0]);
                    full += Integer.parseInt(counts[1]);
                }
                assertEquals(ProcessTableLayout.SLOT_COUNT - 1, attached, "exactly the free slots were given out");
                assertEquals(children * threadsEach - attached, full, "every other attach was told the table is full");
                assertEquals(ProcessTableLayout.SLOT_COUNT - 1, shm.consumerCount());
                assertTableFull(name);
                ReadySignal.signal(release);
                for (ChildJvm attacher : attachers) {
                    attacher.awaitSuccess(TIMEOUT);
                }
            } finally {
                attachers.forEach(ChildJvm::close);
            }
            assertEquals(0, shm.consumerCount(), "the handles closed, every slot is free");
            List<SharedMemory> again = fillTable(name);
            try {
                assertEquals(ProcessTableLayout.SLOT_COUNT - 1, again.size(), "attaching works again, up to the limit");
            } finally {
                again.forEach(SharedMemory::close);
            }
        }
    }
}
