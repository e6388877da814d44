package io.ipcobjects.internal.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.memory.UndoLogLayout;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.CapturedLog;
import io.ipcobjects.testing.KillTorture;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The undo log and the takeover that replays it: a process killed inside its scope, a thread
 * that dies holding the lock, an operation too large for the log, sticky damage, and a kill
 * torture of about a hundred {@code kill -9}s.
 */
class CrashConsistencyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path signals;

    @RegisterExtension
    final CapturedLog log = new CapturedLog();

    /** Holds the lock after three operations that change existing state (none committed), signals, and waits to be killed. */
    public static final class DiesInsideItsScope {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, KillTorture.options());
            Access a = shm.acquire();
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) a.get("list");
            list.add("uncommitted");            // three small operations of one scope:
            a.put("counter", 2L);               // a crash undoes them all
            a.remove("keep");
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park();                 // holds the lock until killed
        }
    }

    @Test
    void aProcessKilledInsideAShortScopeIsRolledBackToTheScopesStart() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            HeapStats baseline;
            try (Access a = shm.acquire()) {
                a.put("list", new ArrayList<>(List.of("a", "b")));
                a.put("counter", 1L);
                a.put("keep", "kept");
                baseline = a.verify();
            }
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(DiesInsideItsScope.class, name, ready.toString())) {
                awaitReady(child, ready);
                RegionMemory memory = TestAccess.context(shm).memory();
                assertTrue(UndoLog.uncommittedBytes(memory) > 0, "the open scope's old contents are in the log");
                child.kill9();
            }
            try (Access a = shm.acquire()) {
                assertEquals(1, shm.lockTakeovers());
                assertEquals(List.of("a", "b"), a.get("list"), "the scope's operations were all rolled back");
                assertEquals(1L, (Object) a.get("counter"));
                assertEquals("kept", a.get("keep"));
                assertEquals(baseline.usedBytes(), a.verify().usedBytes(), "nothing leaked");
            }
        }
    }

    /** In one scope: an operation that writes more than 1/8 of the log, then a small one; signals and waits to be killed. */
    public static final class DiesAfterALargeOperation {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, KillTorture.options());
            Access a = shm.acquire();
            @SuppressWarnings("unchecked")
            List<Long> list = (List<Long>) a.get("list");
            list.add(0, -1L);                   // moves 94 KiB of slots: committed by the start of the next operation
            a.put("counter", 2L);               // the last operation, still open
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park();
        }
    }

    @Test
    void aScopeThatWroteMuchIsRolledBackOnlyToItsLastCommittedOperation() throws Exception {
        String name = regions.newName();
        // 4 MiB region: a 256 KiB shared log; the insert's 94 KiB is past 1/8 of it.
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            putBigList(shm);
            shm.put("counter", 1L);
            HeapStats baseline = shm.verify();
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(DiesAfterALargeOperation.class, name, ready.toString())) {
                awaitReady(child, ready);
                child.kill9();
            }
            try (Access a = shm.acquire()) {
                assertEquals(1, shm.lockTakeovers());
                List<?> list = (List<?>) a.get("list");
                assertEquals(5901, list.size(), "the large operation was committed");
                assertEquals(-1L, (Object) list.get(0));
                assertEquals(5899L, (Object) list.get(5900));
                assertEquals(1L, (Object) a.get("counter"), "the open operation was rolled back");
                assertEquals(baseline.usedBytes(), a.verify().usedBytes());
            }
        }
    }

    @Test
    void aThreadThatDiesHoldingTheLockIsDetectedAndItsOpenScopeRolledBack() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            shm.put("x", "before");
            Thread dying = new Thread(() -> {
                Access a = shm.acquire(); // never closed
                a.put("y", "new in the open scope");
                a.put("x", "changed in the open scope");
            });
            dying.start();
            dying.join();
            assertFalse(dying.isAlive());
            assertEquals("before", shm.get("x"), "the open scope was undone before anyone read");
            assertNull(shm.get("y"), "so was the name it added");
            assertEquals(1, shm.lockTakeovers());
            shm.verify();
            shm.put("z", 1L); // the lock works as before
            assertEquals(1L, (Object) shm.get("z"));
        }
    }

    /** A list of 6000 longs with room to spare: inserting at its front moves 94 KiB of existing slots. */
    private static void putBigList(SharedMemory shm) {
        try (Access a = shm.acquire()) {
            List<Long> values = new ArrayList<>();
            for (long i = 0; i < 6000; i++) {
                values.add(i);
            }
            @SuppressWarnings("unchecked")
            List<Long> list = (List<Long>) a.put("list", values);
            list.subList(5900, 6000).clear(); // capacity stays: the next insert shifts in place
        }
    }

    /** A thread of this live process takes the lock, changes something and ends without releasing; main stays alive. */
    public static final class ThreadDiesHoldingTheLock {
        public static void main(String[] args) throws Exception {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, KillTorture.options());
            Thread dying = new Thread(() -> {
                Access a = shm.acquire(); // never closed
                a.put("x", "changed by a thread that then ended");
            });
            dying.start();
            dying.join();
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park(); // alive, and never asks for the lock again
        }
    }

    @Test
    void anotherProcessGetsTheLockWhenAThreadOfALiveProcessDiedHoldingIt() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            shm.put("x", "before");
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(ThreadDiesHoldingTheLock.class, name, ready.toString())) {
                awaitReady(child, ready);
                try (Access a = shm.tryAcquire(Duration.ofSeconds(10))) {
                    assertTrue(a != null, "the child's watch released the lock its dead thread held");
                    assertEquals("before", a.get("x"), "the dead thread's open operation was rolled back");
                    assertTrue(child.process().isAlive());
                }
                assertEquals(1, shm.lockTakeovers());
                shm.verify();
                child.kill9();
            }
        }
    }

    @Test
    void anOperationLargerThanTheLogCompletesAndLeavesNoDamage() {
        String name = regions.newName();
        // 1 MiB region: a 64 KiB log, smaller than the 94 KiB the insert moves.
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            putBigList(shm);
            HeapStats before = shm.verify();
            try (Access a = shm.acquire()) {
                @SuppressWarnings("unchecked")
                SharedList<Long> list = (SharedList<Long>) a.get("list");
                list.add(0, -1L);
                assertEquals(RegionHeaderLayout.DAMAGE_ROLLBACK_PENDING,
                        TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET),
                        "while the oversized operation is open, a crash could not be undone: the header says so");
                list.add(5901L); // the next operation commits it
                assertEquals(RegionHeaderLayout.DAMAGE_NONE,
                        TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET));
            }
            List<?> list = (List<?>) shm.get("list");
            assertEquals(5902, list.size());
            assertEquals(-1L, (Object) list.get(0));
            assertEquals(0L, (Object) list.get(1));
            assertEquals(before.usedBytes(), shm.verify().usedBytes());
        }
    }

    @Test
    void aThreadThatDiesInsideAnOperationLargerThanTheLogIsRolledBackCompletely() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            putBigList(shm);
            Thread dying = new Thread(() -> {
                Access a = shm.acquire(); // never closed
                @SuppressWarnings("unchecked")
                List<Long> list = (List<Long>) a.get("list");
                list.add(0, -1L);
            });
            dying.start();
            dying.join();
            List<?> list = (List<?>) shm.get("list");
            assertEquals(5900, list.size());
            assertEquals(0L, (Object) list.get(0));
            assertEquals(5899L, (Object) list.get(5899));
            shm.verify();
            assertEquals(RegionHeaderLayout.DAMAGE_NONE, TestAccess.context(shm).memory().getInt(RegionHeaderLayout.DAMAGE_OFFSET));
        }
    }

    /**
     * A damage code set while a thread's operation spills past the log (a memory fault in
     * another process needs no lock) outlives the rollback of that operation: the spill does not
     * overwrite it, the rollback clears only a pending code of its own, and the takeover from the
     * dead thread refuses the region, for good.
     */
    @Test
    void aDamageCodeSetWhileAnOversizedOperationRunsOutlivesItsRollback() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            putBigList(shm);
            RegionMemory memory = TestAccess.context(shm).memory();
            int fault = RegionHeaderLayout.DAMAGE_MEMORY_FAULT;
            CountDownLatch spilled = new CountDownLatch(1);
            CountDownLatch die = new CountDownLatch(1);
            Thread dying = new Thread(() -> {
                Access a = shm.acquire(); // never closed
                @SuppressWarnings("unchecked")
                List<Long> list = (List<Long>) a.get("list");
                assertTrue(memory.compareAndSetInt(RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_NONE, fault));
                list.add(0, -1L); // moves more than the log holds: spills
                spilled.countDown();
                try {
                    die.await();
                } catch (InterruptedException ignored) {
                    // ends either way
                }
            });
            dying.start();
            spilled.await();
            // The reader, not the per-JVM watch, must take the lock over, so that the check after
            // the rollback is the reader's: the watch forgets this handle first.
            Class<?> watch = Class.forName("io.ipcobjects.internal.lock.DeadHolderWatch");
            java.lang.reflect.Method forget = watch.getDeclaredMethod("forget", io.ipcobjects.internal.lock.LockScope.class);
            forget.setAccessible(true);
            forget.invoke(null, TestAccess.handle(shm).scope());
            CompletableFuture<Object> read =
                    CompletableFuture.supplyAsync(() -> shm.get("list"));
            Thread.sleep(20);
            die.countDown();
            dying.join();
            ExecutionException thrown =
                    assertThrows(ExecutionException.class, () -> read.get(60, TimeUnit.SECONDS));
            CorruptedRegionException e = assertInstanceOf(CorruptedRegionException.class, thrown.getCause());
            assertTrue(e.getMessage().contains(RegionHeaderLayout.damageName(fault)), e.getMessage());
            assertEquals(fault, memory.getInt(RegionHeaderLayout.DAMAGE_OFFSET), "the first code stays");
            assertThrows(CorruptedRegionException.class, shm::acquire, "sticky");
        }
    }

    /** Inserts at the front of the big list (an operation larger than the log), signals, and waits to be killed. */
    public static final class DiesInsideAnOversizedOperation {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            Access a = shm.acquire();
            @SuppressWarnings("unchecked")
            List<Long> list = (List<Long>) a.get("list");
            list.add(0, -1L);
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park();
        }
    }

    @Test
    void aProcessKilledInsideAnOperationLargerThanTheLogLeavesTheRegionRefusedByEveryone() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, KillTorture.options())) {
            putBigList(shm);
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(DiesInsideAnOversizedOperation.class, name, ready.toString())) {
                awaitReady(child, ready);
                child.kill9();
            }
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> shm.get("list"));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
            assertThrows(CorruptedRegionException.class, shm::acquire, "sticky");
            try (ChildJvm child = ChildJvm.start(AcquiresDamaged.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                String refused = result.value("refused");
                assertTrue(refused != null && refused.contains("damaged"), result.describe());
            }
        }
    }

    @Test
    void destroyingAContainerLargerThanTheLogCommitsInConsistentSteps() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20)) {
            shm.put("big", 0L);
            shm.put("bigList", 0L);
            shm.remove("big");
            shm.remove("bigList"); // the name directory's own blocks, before the baseline
            HeapStats empty = shm.verify();
            Map<String, Object> big = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                big.put("k" + i, List.of(i, "v" + i));
            }
            try (Access a = shm.acquire()) {
                a.put("big", big);
                a.put("bigList", new ArrayList<>(big.values()));
            }
            shm.remove("big");
            shm.remove("bigList");
            assertEquals(empty.usedBytes(), shm.verify().usedBytes());
        }
    }

    /** Number of elements (or entries) of {@link #putBigContainers}: each frees two blocks when destroyed. */
    private static final int BIG = 20_000;

    /** A list and a map of {@link #BIG} values each, {@code [i, "v" + i]}, the map's keyed {@code "k" + i}. */
    private static void putBigContainers(SharedMemory shm) {
        List<Object> list = new ArrayList<>();
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < BIG; i++) {
            list.add(List.of((long) i, "v" + i));
            map.put("k" + i, List.of((long) i, "v" + i));
        }
        try (Access a = shm.acquire()) {
            a.put("bigList", list);
            a.put("bigMap", map);
        }
    }

    /**
     * In one scope: {@code remove:<name>} removes the name (a container too big for the log),
     * {@code clear:<name>} empties the map in place; then signals and waits to be killed.
     */
    public static final class DiesAfterEmptyingABigContainer {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, KillTorture.options());
            empty(shm.acquire(), args[2]);
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park();
        }

        /** {@code remove:<name>} or {@code clear:<name>} in the scope of {@code a}, left open. */
        static void empty(Access a, String what) {
            String[] parts = what.split(":");
            if (parts[0].equals("remove")) {
                a.remove(parts[1]);             // commits steps as the log fills; the rest stays open
            } else {
                ((Map<?, ?>) a.get(parts[1])).clear();
            }
        }
    }

    /** Log lines of this test saying a takeover finished a pending destruction. */
    private long finishedDestructions() {
        return log.records().stream().filter(r -> r.getMessage().contains("finished destroying")).count();
    }

    /**
     * Runs {@link DiesAfterEmptyingABigContainer} with {@code what} over the region {@code name}
     * and kills it; or, {@code inThisProcess}, runs the same in a thread of this process that
     * ends holding the lock (the same rollback and takeover, where a mutation tester sees them).
     */
    private void dieAfter(SharedMemory shm, String name, String what, boolean inThisProcess) throws InterruptedException {
        if (inThisProcess) {
            Thread dying = new Thread(() -> DiesAfterEmptyingABigContainer.empty(shm.acquire(), what)); // never closed
            dying.start();
            dying.join();
            return;
        }
        Path ready = signals.resolve("ready-" + what.replace(':', '-'));
        try (ChildJvm child = ChildJvm.start(DiesAfterEmptyingABigContainer.class, name, ready.toString(), what)) {
            awaitReady(child, ready);
            child.kill9();
        }
    }

    /**
     * Removing a name whose container is too big for the log commits in steps; a process killed
     * after that leaves a record of the destruction in the region header, and the process that
     * takes the lock over rolls back to the last step and finishes the destruction: the region is
     * as after the whole {@code remove}, with nothing leaked and nothing freed still referred to.
     */
    @Test
    void aProcessKilledWhileRemovingAContainerTooBigForTheLogLeavesItRemovedWhole() throws Exception {
        for (String each : List.of("bigList", "bigMap", "bigList in this process", "bigMap in this process")) {
            boolean inThisProcess = each.endsWith(" in this process");
            String removed = each.replace(" in this process", "");
            String other = removed.equals("bigList") ? "bigMap" : "bigList";
            String name = regions.newName();
            try (SharedMemory shm = SharedMemory.create(name, 8 << 20, KillTorture.options())) {
                shm.put("bigList", 0L);
                shm.put("bigMap", 0L); // the names' entries exist before the baseline
                HeapStats baseline = shm.verify();
                putBigContainers(shm);
                long finishedBefore = finishedDestructions();
                dieAfter(shm, name, "remove:" + removed, inThisProcess);
                RegionMemory memory = TestAccess.context(shm).memory();
                try (Access a = shm.acquire()) {
                    assertEquals(1, shm.lockTakeovers());
                    assertEquals(finishedBefore + 1, finishedDestructions(),
                            removed + ": the dead process committed steps of the destruction, and the takeover finished it");
                    assertEquals(0, memory.getLong(RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET), "no destruction is pending");
                    assertFalse(a.contains(removed), removed + " is removed, as the operation said");
                    Object kept = a.get(other);
                    assertEquals(BIG, kept instanceof Map<?, ?> m ? m.size() : ((List<?>) kept).size(), "the other is untouched");
                    a.verify(); // throws on a freed block still referred to, a leak, or a size that does not match
                }
                if (removed.equals("bigList")) {
                    // The finish left no root behind: a big clear of this handle still steps.
                    dieAfter(shm, name, "clear:bigMap", true);
                    assertEquals(0, ((Map<?, ?>) shm.get("bigMap")).size(), "the clear's last step was committed");
                }
                try (Access a = shm.acquire()) {
                    a.put(removed, 0L);
                    a.put(other, 0L);
                    assertEquals(baseline.usedBytes(), a.verify().usedBytes(), "every block of both freed");
                }
            }
        }
    }

    /**
     * A pending destruction the region header names is checked before a takeover finishes it:
     * a slot kind that is no container, or a container that is not marked as being destroyed
     * (a live list), is refused as corrupt, the region marked damaged for good, and the live
     * list is not freed.
     */
    @Test
    void aTakeoverRefusesAPendingDestructionThatNamesNoContainerBeingDestroyed() throws Exception {
        for (String record : List.of("no container", "a live list")) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
                shm.put("live", List.of("still", "here"));
                RegionMemory memory = TestAccess.context(shm).memory();
                long live = ((io.ipcobjects.internal.containers.ContainerView) shm.get("live")).offset();
                // Written straight into the mapping, as a hostile writer would: committed state.
                memory.segment().set(ValueLayout.JAVA_INT, RegionHeaderLayout.PENDING_DESTRUCTION_KIND_OFFSET,
                        record.equals("no container") ? io.ipcobjects.internal.codec.SlotKinds.STRING
                                : io.ipcobjects.internal.codec.SlotKinds.LIST);
                memory.segment().set(ValueLayout.JAVA_LONG, RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET, live);
                Thread dying = new Thread(shm::acquire); // never closed: the next acquisition takes over
                dying.start();
                dying.join();
                assertThrows(CorruptedRegionException.class, () -> shm.get("live"), record);
                assertEquals(RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT, memory.getInt(RegionHeaderLayout.DAMAGE_OFFSET),
                        record + ": the takeover's check refused it");
                assertThrows(CorruptedRegionException.class, shm::acquire, record + ": sticky");
                assertTrue(memory.getLong(live + io.ipcobjects.internal.containers.ContainerLayout.IDENTITY_OFFSET) != 0,
                        record + ": the live list was not destroyed");
            }
        }
    }

    /**
     * A big container inside another commits no step while it is destroyed (its parent, marked
     * as being destroyed, still refers to it): it writes on past the log, into this process's
     * memory, and the first step falls between the parent's elements, where the parent is
     * recorded as pending. A thread that dies after the removal leaves the region as after the
     * whole removal: the takeover finishes it, nothing leaked.
     */
    @Test
    void aBigContainerNestedInAnotherIsRemovedWhole() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 8 << 20, KillTorture.options())) {
            putBigContainers(shm);
            try (Access a = shm.acquire()) {
                List<Object> outer = new ArrayList<>();
                outer.add(a.get("bigList")); // the big list, held by a second slot
                a.put("outer", outer);
                a.remove("bigList"); // now only the outer list holds it
            }
            long finishedBefore = finishedDestructions();
            dieAfter(shm, name, "remove:outer", true);
            try (Access a = shm.acquire()) {
                assertEquals(1, shm.lockTakeovers());
                assertEquals(finishedBefore + 1, finishedDestructions(), "the takeover finished the removal");
                assertFalse(a.contains("outer"));
                assertEquals(BIG, ((Map<?, ?>) a.get("bigMap")).size());
                a.verify(); // nothing leaked, nothing freed still referred to
            }
        }
    }

    /**
     * A destruction that fits the log commits no step of its own: a process killed after
     * removing a small list or map, or clearing a small map, in its scope is rolled back to the
     * scope's start, with the container whole again.
     */
    @Test
    void aProcessKilledAfterASmallDestructionIsRolledBackToItsScopesStart() throws Exception {
        List<Object> list = List.of(1L, "two and more", List.of(3L));
        Map<String, Object> map = Map.of("a", 1L, "b", "two and more", "c", List.of(3L));
        for (String each : List.of("remove:smallList", "remove:smallMap", "clear:smallMap",
                "remove:smallList in this process", "remove:smallMap in this process", "clear:smallMap in this process")) {
            boolean inThisProcess = each.endsWith(" in this process");
            String what = each.replace(" in this process", "");
            String name = regions.newName();
            try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
                try (Access a = shm.acquire()) {
                    a.put("smallList", new ArrayList<>(list));
                    a.put("smallMap", new HashMap<>(map));
                }
                HeapStats baseline = shm.verify();
                dieAfter(shm, name, what, inThisProcess);
                try (Access a = shm.acquire()) {
                    assertEquals(1, shm.lockTakeovers());
                    assertEquals(list, a.get("smallList"), what);
                    assertEquals(map, a.get("smallMap"), what);
                    assertEquals(baseline.usedBytes(), a.verify().usedBytes(), what);
                }
            }
        }
    }

    /**
     * Clearing a map too big for the log commits in steps, each leaving a live, shorter map, the
     * last one an empty map, before its table is replaced; a process killed after the clear is
     * rolled back to that step: the map is empty, its size says so, and nothing is leaked.
     */
    @Test
    void aProcessKilledWhileClearingAMapTooBigForTheLogLeavesItShorterAndIntact() throws Exception {
        for (boolean inThisProcess : new boolean[] {false, true}) {
            String name = regions.newName();
            try (SharedMemory shm = SharedMemory.create(name, 8 << 20, KillTorture.options())) {
                putBigContainers(shm);
                shm.destroy(shm.share(new ArrayList<>(List.of(1L)))); // a destruction before: it leaves no root behind
                dieAfter(shm, name, "clear:bigMap", inThisProcess);
                try (Access a = shm.acquire()) {
                    assertEquals(1, shm.lockTakeovers());
                    a.verify(); // throws on a size that does not count what the map holds, or a freed entry that keeps a value
                    Map<?, ?> left = (Map<?, ?>) a.get("bigMap");
                    int size = left.size();
                    assertEquals(0, size, "the clear's last step, before its table is replaced, leaves the map empty");
                    int seen = 0;
                    for (Map.Entry<?, ?> entry : left.entrySet()) {
                        long i = Long.parseLong(((String) entry.getKey()).substring(1));
                        assertEquals(List.of(i, "v" + i), entry.getValue(), "entry " + entry.getKey());
                        seen++;
                    }
                    assertEquals(size, seen, "the size counts what the map holds");
                    left.clear();
                    assertTrue(left.isEmpty());
                    a.verify();
                }
            }
        }
    }

    /** Attaches and acquires: expected to be refused because the region is damaged. */
    public static final class AcquiresDamaged {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                try (Access a = shm.acquire()) {
                    System.out.println("acquired");
                } catch (CorruptedRegionException e) {
                    System.out.println("refused=" + e.getMessage());
                }
            }
        }
    }

    @Test
    void anUnreplayableLogMakesTheRegionDamagedForEveryProcess() throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long logBase = memory.getLong(RegionHeaderLayout.UNDO_LOG_OFFSET_FIELD);
            Thread dying = new Thread(() -> {
                shm.acquire(); // never closed
                // A hostile or broken writer: an entry whose target lies beyond the heap.
                long ownLog = logBase + UndoLogLayout.ownLogOffset(0);
                long entry = ownLog + UndoLogLayout.OWN_ENTRIES_OFFSET;
                // Written past the region memory's accessors, which would log these very writes.
                memory.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, entry,
                        UndoLogLayout.entryHead(memory.size() - 4, UndoLogLayout.KIND_LONG));
                memory.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, ownLog + UndoLogLayout.LENGTH_OFFSET,
                        UndoLogLayout.WORD_ENTRY_BYTES);
            });
            dying.start();
            dying.join();
            CorruptedRegionException first = assertThrows(CorruptedRegionException.class, () -> shm.get("x"));
            assertTrue(first.getMessage().contains("undo log"), first.getMessage());
            CorruptedRegionException again = assertThrows(CorruptedRegionException.class, shm::acquire);
            assertTrue(again.getMessage().contains("damaged"), again.getMessage());
            try (ChildJvm child = ChildJvm.start(AcquiresDamaged.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                String refused = result.value("refused");
                assertTrue(refused != null && refused.contains("damaged"), result.describe());
            }
        }
    }

    @Test
    void aHundredKillsAtRandomMomentsLeaveNoCorruptionAndNoInconsistentContainer() throws Exception {
        int kills = Integer.getInteger("ipcobjects.killTorture.kills", 100);
        KillTorture.Report report = KillTorture.run(regions.newName(), kills, 20261201L, 120, signals, null);
        System.out.println("kill torture: " + report.summary());
        assertEquals(0, report.corrupted(), String.join("\n", report.problems()));
        assertEquals(0, report.inconsistent(), String.join("\n", report.problems()));
        assertTrue(report.takeovers() > kills / 2, "most kills should hit a worker inside its scope: " + report.summary());
        assertTrue(report.rolledBack() > 0, "some kills should leave an operation to roll back: " + report.summary());
    }

    private static void awaitReady(ChildJvm child, Path ready) {
        ChildJvm.awaitCondition(() -> Files.exists(ready), TIMEOUT, "the child's ready signal", child);
    }
}
