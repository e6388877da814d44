package io.ipcobjects.internal.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.Channel;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.HeapStats;
import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.RegionNotFoundException;
import io.ipcobjects.RegionReport.Liveness;
import io.ipcobjects.RegionReport.NamedObject;
import io.ipcobjects.RegionReport.ProcessEntry;
import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TensorRing;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.alloc.AllocatorLayout;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.internal.memory.ReadOnlyRegion;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only inspector ({@code SharedMemory.inspect}, {@code verifyReadOnly},
 * {@code findRegions}) against regions other JVMs hold: what it reports, that it changes no byte
 * and takes no slot, how it reports dead processes, and what it says of files that are not
 * regions or are hostile.
 */
class RegionInspectionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void reportsALiveRegionHeldByAnotherJvmWithoutChangingAByte() throws Exception {
        Path region = regions.newPath("ipcobjects-inspect");
        Path ready = regions.newPath("inspect-ready");
        Path attached = regions.newPath("inspect-attached");
        Path go = regions.newPath("inspect-go");
        try (ChildJvm creator = ChildJvm.start(InspectorChildren.Populate.class, region.toString(), ready.toString(),
                go.toString())) {
            ReadySignal.await(ready, WAIT, creator);
            // The creator holds the lock and does nothing until the go file: the region stands still.
            byte[] before = sha256(region);

            RegionReport report = SharedMemory.inspect(region);
            HeapStats verified = SharedMemory.verifyReadOnly(region);
            RegionReport again = SharedMemory.inspect(region);

            assertArrayEquals(before, sha256(region), "inspecting changed the region file");
            assertEquals(List.of(), report.notes(), report.toString());
            assertEquals(RegionReport.State.READY, report.state());
            assertNull(report.damage());
            assertEquals(4 << 20, report.sizeBytes());
            assertEquals(RegionHeaderLayout.LAYOUT_VERSION, report.layoutVersion());
            assertEquals(creator.pid(), report.creatorPid());
            assertTrue(report.anyoneAttached());

            // One process, the child, alive: the inspections took no slot.
            assertEquals(1, report.processes().size(), report.processes().toString());
            ProcessEntry child = report.processes().getFirst();
            assertEquals(creator.pid(), child.pid());
            assertEquals("creator", child.role());
            assertEquals(Liveness.ALIVE, child.liveness());
            assertEquals(report.processes(), again.processes());
            // The child's own counts, as it wrote them in the region: three messages put, the lock
            // taken at least for the populating scope and the scope it holds, heap blocks allocated.
            assertEquals(3, child.stats().messagesPut(), child.stats().toString());
            assertEquals(0, child.stats().messagesTaken());
            assertTrue(child.stats().lockAcquisitions() >= 2, child.stats().toString());
            assertTrue(child.stats().bytesAllocated() > 4000, "the 1000-float tensor and more: " + child.stats());

            assertNotNull(report.lock().owner(), "the child holds the lock");
            assertEquals(creator.pid(), report.lock().owner().pid());
            assertTrue(report.lock().owner().alive());
            assertEquals(child.slot(), report.lock().owner().slot());
            assertNull(report.lock().successor());
            assertEquals(0, report.lock().takeovers());

            assertEquals(3, report.messages());
            Map<String, NamedObject> names = report.names().stream()
                    .collect(Collectors.toMap(NamedObject::name, n -> n));
            assertEquals(List.of("batch", "config", "label", "origin", "step", "weights"),
                    report.names().stream().map(NamedObject::name).toList());
            assertEquals(new NamedObject("weights", "SharedTensor", DType.FLOAT32, List.of(1000L), 4000), names.get("weights"));
            assertEquals(new NamedObject("batch", "SharedTensor", DType.INT16, List.of(4L, 3L, 2L), 48), names.get("batch"));
            assertEquals("SharedMap", names.get("config").kind());
            assertEquals("String", names.get("label").kind());
            assertEquals(new NamedObject("step", "Long", null, List.of(), 0), names.get("step"));
            assertEquals(InspectorChildren.Point.class.getName(), names.get("origin").kind());
            assertEquals(List.of(InspectorChildren.Point.class.getName()), report.registeredTypes());

            HeapStats heap = report.heap();
            assertNotNull(heap);
            assertEquals(verified.usedBytes(), heap.usedBytes());
            assertEquals(verified.usedBlocks(), heap.usedBlocks());
            assertEquals(verified.freeBytes(), heap.freeBytes());
            assertEquals(verified.largestFreeBlock(), heap.largestFreeBlock());
            assertEquals(heap.heapBytes(), heap.usedBytes() + heap.freeBytes());
            assertTrue(heap.usedBytes() > 4000, heap.toString());

            // A consumer that attaches and waits for the lock shows as alive and as the queued successor.
            try (ChildJvm consumer = ChildJvm.start(InspectorChildren.WaitForLock.class, region.toString(),
                    attached.toString())) {
                ReadySignal.await(attached, WAIT, consumer, creator);
                ChildJvm.awaitCondition(() -> SharedMemory.inspect(region).lock().successor() != null, WAIT,
                        "the consumer queued as the lock's successor", consumer, creator);
                RegionReport waiting = SharedMemory.inspect(region);
                ProcessEntry second = process(waiting, consumer.pid());
                assertEquals("consumer", second.role());
                assertEquals(Liveness.ALIVE, second.liveness());
                assertEquals(consumer.pid(), waiting.lock().successor().pid());
                assertTrue(waiting.lock().successor().alive());

                consumer.kill9();
                RegionReport afterKill = SharedMemory.inspect(region);
                assertEquals(Liveness.DEAD, process(afterKill, consumer.pid()).liveness(), afterKill.processes().toString());
                assertEquals(Liveness.ALIVE, process(afterKill, creator.pid()).liveness());
                assertFalse(afterKill.lock().successor().alive(), "the killed successor is not alive");
                assertTrue(afterKill.lock().owner().alive());
            }

            ReadySignal.signal(go);
            assertEquals("true", creator.awaitSuccess(WAIT).value("closed"));
        }
        assertFalse(Files.exists(region), "the creator's close removes the file");
    }

    /** A live object's interface, for the report's kind column. */
    public interface Counter {
        long count();

        void count(long value);
    }

    @Test
    void aNamedLiveObjectIsReportedWithItsInterface() {
        Path region = regions.newPath("ipcobjects-inspect");
        try (SharedMemory shm = SharedMemory.create(region, 1 << 20, SharedMemoryOptions.defaults())) {
            try (Access a = shm.acquire()) {
                Counter counter = a.newObject(Counter.class);
                counter.count(5);
                a.put("counter", counter);
            }
            RegionReport report = SharedMemory.inspect(region);
            NamedObject named = report.names().stream().filter(n -> n.name().equals("counter")).findFirst().orElseThrow();
            assertEquals("live " + Counter.class.getName(), named.kind(), report.toString());
            assertTrue(named.bytes() > 0, named.toString());
            assertEquals(List.of(), report.notes());
        }
    }

    @Test
    void channelsAndTensorRingsAreShownWithWhatWaitsAndWhoHoldsASeat() {
        Path region = regions.newPath("ipcobjects-inspect");
        try (SharedMemory shm = SharedMemory.create(region, 1 << 20, SharedMemoryOptions.defaults())) {
            shm.channel("many", Long.class, 16, 16, Channel.Producers.MANY).put(1L);
            shm.channel("one", Long.class, 16, 16, Channel.Producers.ONE);
            // A ring of 16 entries or more moves its tail once every 8 puts: the claims past it count too.
            assertEquals("Channel<java.lang.Long> 1/16 waiting", kind(region, "many"), "the put past the lagging tail counts; many producers: no seat");
            TensorRing batches = shm.tensorRing("batches", 16, DType.INT32, 4);
            batches.claim().publish(7);
            assertEquals("TensorRing of 16 slots x 1 tensors, 1 published", kind(region, "batches"));
            assertEquals("Channel<java.lang.Long> 0/16 waiting, one producer, seat free", kind(region, "one"));

            try (SharedMemory second = SharedMemory.attach(region, Duration.ofSeconds(10), SharedMemoryOptions.defaults())) {
                second.channel("one", Long.class).put(2L);
                assertEquals("Channel<java.lang.Long> 1/16 waiting, one producer, seat held by pid "
                        + ProcessHandle.current().pid() + " (alive)", kind(region, "one"));
            }
            assertEquals("Channel<java.lang.Long> 1/16 waiting, one producer, seat left by a closed attachment (free to take)",
                    kind(region, "one"), "the seat's handle closed the region");
            shm.channel("one", Long.class).put(3L);
            assertEquals("Channel<java.lang.Long> 2/16 waiting, one producer, seat held by pid "
                    + ProcessHandle.current().pid() + " (alive)", kind(region, "one"));
            assertEquals(List.of(), SharedMemory.inspect(region).notes());
        }
    }

    private static String kind(Path region, String name) {
        return SharedMemory.inspect(region).names().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().kind();
    }

    @Test
    void aKilledCreatorShowsAsDeadAndItsLockAsHeldByNobodyAlive() throws Exception {
        Path region = regions.newPath("ipcobjects-inspect");
        Path ready = regions.newPath("inspect-ready");
        Path never = regions.newPath("inspect-never");
        try (ChildJvm creator = ChildJvm.start(InspectorChildren.Populate.class, region.toString(), ready.toString(),
                never.toString())) {
            ReadySignal.await(ready, WAIT, creator);
            creator.kill9();

            RegionReport report = SharedMemory.inspect(region);
            assertFalse(report.anyoneAttached());
            assertEquals(1, report.processes().size());
            assertEquals(Liveness.DEAD, report.processes().getFirst().liveness());
            assertEquals(0, report.aliveProcesses());
            assertEquals(creator.pid(), report.lock().owner().pid(), "the dead owner is still named by the lock word");
            assertFalse(report.lock().owner().alive());
            assertEquals(3, report.messages());
            assertEquals(6, report.names().size());
            // Nothing changes a region nobody is attached to: its whole-region check passes read-only.
            assertEquals(report.heap().usedBytes(), SharedMemory.verifyReadOnly(region).usedBytes());
        }
    }

    @Test
    void aRegionChangedWithoutPauseIsReadWithoutHangOrUnexpectedException() throws Exception {
        Path region = regions.newPath("ipcobjects-inspect");
        Path ready = regions.newPath("inspect-ready");
        Path stop = regions.newPath("inspect-stop");
        try (ChildJvm churn = ChildJvm.start(InspectorChildren.Churn.class, region.toString(), ready.toString(),
                stop.toString())) {
            ReadySignal.await(ready, WAIT, churn);
            int reports = 0;
            int withNotes = 0;
            int verified = 0;
            int inconsistent = 0;
            String aNote = "";
            String aFinding = "";
            for (int i = 0; i < 300; i++) {
                churn.failIfDied("inspections of a changing region");
                // Every report comes back (what changed while it was read becomes a note) ...
                RegionReport report = SharedMemory.inspect(region);
                reports++;
                assertEquals(RegionReport.State.READY, report.state());
                assertEquals(churn.pid(), report.processes().getFirst().pid());
                if (!report.notes().isEmpty()) {
                    withNotes++;
                    aNote = report.notes().getFirst();
                }
                if (i % 10 == 0) {
                    // ... and a verification passes or names what it found, nothing else.
                    try {
                        SharedMemory.verifyReadOnly(region);
                        verified++;
                    } catch (CorruptedRegionException e) {
                        inconsistent++;
                        aFinding = e.getMessage();
                    }
                }
            }
            ReadySignal.signal(stop);
            ChildJvm.Result result = churn.awaitSuccess(WAIT);
            assertTrue(Long.parseLong(result.value("rounds")) > 0, result.describe());
            assertEquals(300, reports);
            assertEquals(30, verified + inconsistent);
            System.out.println("changing region: " + withNotes + " of 300 reports with notes, " + inconsistent
                    + " of 30 verifications inconsistent, " + result.value("rounds") + " rounds of changes; a note: " + aNote
                    + "; a finding: " + aFinding);
        }
    }

    @Test
    void filesThatAreNotRegionsGiveClearErrors(@TempDir Path dir) throws IOException {
        RegionNotFoundException missing = assertThrows(RegionNotFoundException.class,
                () -> SharedMemory.inspect(dir.resolve("nothing")));
        assertTrue(missing.getMessage().contains("no region file"), missing.getMessage());

        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, this is not a region at all");
        IncompatibleRegionException notRegion = assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.inspect(text));
        assertTrue(notRegion.getMessage().contains("not an ipc-objects region"), notRegion.getMessage());

        Path empty = Files.createFile(dir.resolve("empty"));
        IncompatibleRegionException tooShort = assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.inspect(empty));
        assertTrue(tooShort.getMessage().contains("too few for a region header"), tooShort.getMessage());

        IncompatibleRegionException directory = assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.inspect(dir));
        assertTrue(directory.getMessage().contains("is a directory"), directory.getMessage());

        Path copy = regionCopy(dir.resolve("whole"));
        Path truncated = dir.resolve("truncated");
        try (FileChannel in = FileChannel.open(copy); FileChannel out = FileChannel.open(truncated,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            in.transferTo(0, 4096, out);
        }
        IncompatibleRegionException cut = assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.inspect(truncated));
        assertTrue(cut.getMessage().contains("truncated region"), cut.getMessage());

        Path shortened = dir.resolve("shortened");
        Files.copy(copy, shortened);
        try (FileChannel out = FileChannel.open(shortened, StandardOpenOption.WRITE)) {
            out.truncate(Files.size(copy) - 4096);
        }
        IncompatibleRegionException size = assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.inspect(shortened));
        assertTrue(size.getMessage().contains("truncated region: header of"), size.getMessage());
    }

    @Test
    void aHostileRegionGivesNotesNotAHangOrACrash(@TempDir Path dir) throws IOException {
        Path copy = regionCopy(dir.resolve("hostile"));
        RegionReport clean = SharedMemory.inspect(copy);
        assertEquals(List.of(), clean.notes());
        SharedMemory.verifyReadOnly(copy);

        // The lock word names slot 199, the message count is negative, the name directory root
        // points into the header, the type registry's head points at a name entry, and the first
        // heap block claims a size of 0.
        putLong(copy, LockLayout.LOCK_WORD_OFFSET, LockLayout.word(0, 200 | (5L << 8)));
        putLong(copy, MessageQueueLayout.COUNT_OFFSET, -5);
        putLong(copy, RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET, 64);
        putLong(copy, RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET, RegionHeaderLayout.HEAP_START + 16);
        putLong(copy, RegionHeaderLayout.HEAP_START, 0);

        RegionReport report = SharedMemory.inspect(copy);
        String notes = String.join("\n", report.notes());
        assertTrue(notes.contains("the lock's owner names slot 199"), notes);
        assertTrue(notes.contains("message count -5"), notes);
        assertTrue(notes.contains("names:"), notes);
        assertTrue(notes.contains("type registry:"), notes);
        assertTrue(notes.contains("heap walk stopped at offset " + RegionHeaderLayout.HEAP_START), notes);
        assertNull(report.heap());
        assertFalse(report.lock().owner().alive());
        assertThrows(CorruptedRegionException.class, () -> SharedMemory.verifyReadOnly(copy));

        // Heap bounds outside the region: the report still comes, with the header and processes.
        putLong(copy, AllocatorLayout.HEAP_END_OFFSET, Long.MAX_VALUE - 15);
        RegionReport bounds = SharedMemory.inspect(copy);
        assertTrue(String.join("\n", bounds.notes()).contains("heap bounds"), bounds.notes().toString());
        assertEquals(List.of(), bounds.names());
        CorruptedRegionException bad = assertThrows(CorruptedRegionException.class, () -> SharedMemory.verifyReadOnly(copy));
        assertTrue(bad.getMessage().contains("heap bounds"), bad.getMessage());
    }

    @Test
    void theMappingRefusesWrites(@TempDir Path dir) throws IOException {
        Path copy = regionCopy(dir.resolve("read-only"));
        byte[] before = sha256(copy);
        try (ReadOnlyRegion region = ReadOnlyRegion.open(copy)) {
            RegionMemory memory = region.memory();
            assertTrue(memory.segment().isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> memory.putLong(RegionHeaderLayout.STATE_OFFSET, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> memory.compareAndSetLong(LockLayout.LOCK_WORD_OFFSET, 0, 1));
            assertEquals(RegionHeaderLayout.MAGIC, memory.getLongAcquire(RegionHeaderLayout.MAGIC_OFFSET));
        }
        assertArrayEquals(before, sha256(copy));
    }

    @Test
    void findRegionsListsRegionFilesAndSkipsTheRest(@TempDir Path dir) throws IOException {
        Path region = regionCopy(dir.resolve("b-region"));
        Files.writeString(dir.resolve("a-notes.txt"), "not a region");
        Files.createFile(dir.resolve("c-empty"));
        Files.createDirectory(dir.resolve("d-directory"));
        Files.createSymbolicLink(dir.resolve("e-link"), region);
        Path wiped = dir.resolve("f-wiped");
        Files.copy(region, wiped);
        putLong(wiped, RegionHeaderLayout.MAGIC_OFFSET, 0);

        assertEquals(List.of(region), SharedMemory.findRegions(dir));
        IllegalArgumentException notDirectory = assertThrows(IllegalArgumentException.class,
                () -> SharedMemory.findRegions(region));
        assertTrue(notDirectory.getMessage().contains("not a directory"), notDirectory.getMessage());
    }

    // ---- helpers ----

    private static ProcessEntry process(RegionReport report, long pid) {
        return report.processes().stream().filter(p -> p.pid() == pid).findFirst()
                .orElseThrow(() -> new AssertionError("no process " + pid + " in " + report.processes()));
    }

    /**
     * A copy of a populated region, made in this JVM while it holds the region idle; the
     * original is closed (and removed) afterwards. Nobody is attached to the copy.
     */
    private Path regionCopy(Path copy) throws IOException {
        Path original = regions.newPath("ipcobjects-inspect-source");
        try (SharedMemory shm = SharedMemory.create(original, 1 << 20, SharedMemoryOptions.defaults())) {
            try (Access a = shm.acquire()) {
                InspectorChildren.populate(a);
            }
            Files.copy(original, copy);
        }
        return copy;
    }

    private static void putLong(Path file, long offset, long value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer word = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, value);
            channel.write(word, offset);
        }
    }

    private static byte[] sha256(Path file) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
