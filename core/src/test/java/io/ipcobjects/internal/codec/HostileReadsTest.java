package io.ipcobjects.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.ListLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.internal.names.NameDirectoryLayout;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A writer can make slots share blocks (a DAG) or hold themselves (a cycle); every read is
 * bounded by the handle's decode budget, so the worst it gets is a CorruptedRegionException,
 * quickly and without filling the Java heap. The DAG and shared-blob cases run in a child JVM
 * with a 64 MiB heap, which would die of OutOfMemoryError without the budget.
 */
class HostileReadsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static final Duration BOUND = Duration.ofSeconds(10);

    /** The value slot of the oldest queued message (in a node: the value is not inline). */
    static long oldestMessageSlot(RegionMemory memory) {
        return memory.getLong(MessageQueueLayout.HEAD_OFFSET) + MessageQueueLayout.VALUE_SLOT_OFFSET;
    }

    /** Makes slot {@code to} a copy of slot {@code from}: both now refer to one block. */
    static void share(RegionMemory memory, long from, long to) {
        memory.putLong(to, memory.getLong(from));
        memory.putLong(to + 8, memory.getLong(from + 8));
    }

    /** A chain of {@code levels} Object[2] tuples whose second slot is then made to share the first's child. */
    static void queueTupleDag(Access a, RegionMemory memory, int levels) {
        Object[] chain = {"leaf", null};
        for (int i = 1; i < levels; i++) {
            chain = new Object[] {chain, null};
        }
        a.putMessage(chain);
        long slot = oldestMessageSlot(memory);
        for (int i = 0; i < levels; i++) {
            long tuple = memory.getLong(slot + SlotLayout.BITS_OFFSET);
            share(memory, TupleLayout.slotOffset(tuple, 0), TupleLayout.slotOffset(tuple, 1));
            slot = TupleLayout.slotOffset(tuple, 0);
        }
    }

    /** 4096 slots of one Object[] that all refer to the 8 MiB blob of the first. */
    static void queueSharedBlob(Access a, RegionMemory memory) {
        Object[] values = new Object[4096];
        Arrays.fill(values, "tiny");
        values[0] = "x".repeat(8 << 20);
        a.putMessage(values);
        long tuple = memory.getLong(oldestMessageSlot(memory) + SlotLayout.BITS_OFFSET);
        for (int i = 1; i < values.length; i++) {
            share(memory, TupleLayout.slotOffset(tuple, 0), TupleLayout.slotOffset(tuple, i));
        }
    }

    /**
     * Child JVM (-Xmx64m): builds the hostile region named by args[0], of the case args[1], reads
     * it as a user would and prints what happened. Exits 0 only if the read was refused.
     */
    public static final class HostileReader {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.create(args[0], 24L << 20); Access a = shm.acquire()) {
                RegionMemory memory = TestAccess.context(shm).memory();
                Runnable read;
                switch (args[1]) {
                    case "dag" -> {
                        queueTupleDag(a, memory, 41);
                        read = a::takeMessage;
                    }
                    case "blob" -> {
                        queueSharedBlob(a, memory);
                        read = a::takeMessage;
                    }
                    case "list" -> {
                        List<Object> strings = new ArrayList<>(java.util.Collections.nCopies(4096, "tiny"));
                        strings.set(0, "x".repeat(8 << 20));
                        SharedList<Object> list = a.share(strings);
                        long elements = memory.getLong(((ContainerView) list).offset() + ListLayout.ELEMENTS_OFFSET);
                        for (int i = 1; i < 4096; i++) {
                            share(memory, ListLayout.slotOffset(elements, 0), ListLayout.slotOffset(elements, i));
                        }
                        read = () -> new ArrayList<>(list); // toArray: one read of every element
                    }
                    default -> throw new IllegalArgumentException(args[1]);
                }
                long start = System.nanoTime();
                try {
                    read.run();
                    System.out.println("read=completed");
                    System.exit(1);
                } catch (CorruptedRegionException e) {
                    System.out.println("refused=" + e.getMessage());
                    System.out.println("millis=" + (System.nanoTime() - start) / 1_000_000);
                }
                try {
                    a.verify();
                } catch (CorruptedRegionException e) {
                    System.out.println("verify=" + e.getMessage());
                }
            }
        }
    }

    private void refusedInAChildWithASmallHeap(String hostileCase) {
        try (ChildJvm child = ChildJvm.start(List.of("-Xmx64m"), HostileReader.class, regions.newName(), hostileCase)) {
            ChildJvm.Result r = child.await(Duration.ofSeconds(60));
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.value("refused").contains("share a block"), r.describe());
            assertTrue(Long.parseLong(r.value("millis")) < BOUND.toMillis(), r.describe());
            assertTrue(r.value("verify").contains("referred to a second time"), "verify names the shared block: " + r.describe());
        }
    }

    @Test
    void aDagOf41NestedTuplesIsRefusedNotExpanded() {
        refusedInAChildWithASmallHeap("dag");
    }

    @Test
    void slotsSharingAnEightMegabyteBlobAreRefusedBeforeTheHeapFills() {
        refusedInAChildWithASmallHeap("blob");
    }

    @Test
    void copyingAListWhoseSlotsShareABlobIsRefused() {
        refusedInAChildWithASmallHeap("list");
    }

    @Test
    void aTupleThatHoldsItselfIsACycle() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long inner;
            try (Access a = shm.acquire()) {
                a.putMessage(new Object[] {new Object[] {"inner", 1L}, "outer"});
                long outer = memory.getLong(oldestMessageSlot(memory) + SlotLayout.BITS_OFFSET);
                inner = memory.getLong(TupleLayout.slotOffset(outer, 0) + SlotLayout.BITS_OFFSET);
                share(memory, TupleLayout.slotOffset(outer, 0), TupleLayout.slotOffset(inner, 1)); // inner[1] = inner
            }
            // The read runs on the timeout's own thread, which takes the lock for it.
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class,
                    () -> assertTimeoutPreemptively(BOUND, () -> shm.readMessage()));
            assertTrue(e.getMessage().contains("cycle"), e.getMessage());
            assertEquals(inner, e.offset());
            assertThrows(CorruptedRegionException.class, () -> assertTimeoutPreemptively(BOUND, () -> shm.takeMessage()));
            try (Access a = shm.acquire()) {
                assertEquals(1, a.messageCount(), "a refused take changes nothing");
            }
        }
    }

    @Test
    void theNamesOfADirectoryChainThatComesBackAreBounded() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            try (Access a = shm.acquire()) {
                RegionMemory memory = TestAccess.context(shm).memory();
                a.put("n".repeat(NameDirectoryLayout.MAX_NAME_BYTES), 1L);
                long directory = memory.getLong(RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET);
                long entry = 0;
                for (long i = 0; entry == 0; i++) {
                    entry = memory.getLong(directory + NameDirectoryLayout.bucketOffset(i));
                }
                memory.putLong(entry + NameDirectoryLayout.NEXT_OFFSET, entry); // the chain comes back to itself
                memory.putLong(directory + NameDirectoryLayout.ENTRY_COUNT_OFFSET, 10_000); // as many as the heap could hold
            }
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class,
                    () -> assertTimeoutPreemptively(BOUND, () -> shm.names()));
            assertTrue(e.getMessage().contains("share a block"), e.getMessage());
        }
    }

    @Test
    void aSmallDagWithinTheBudgetIsReadOncePerReference() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage(new Object[] {"a string too long to be inline", "other"});
            long tuple = memory.getLong(oldestMessageSlot(memory) + SlotLayout.BITS_OFFSET);
            share(memory, TupleLayout.slotOffset(tuple, 0), TupleLayout.slotOffset(tuple, 1));
            assertArrayEquals(new Object[] {"a string too long to be inline", "a string too long to be inline"},
                    (Object[]) a.readMessage());
        }
    }

    @Test
    void legitimateValuesNeverTripTheBudget() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            // Nested as deep as a writer may nest.
            Object deep = "bottom";
            for (int i = 0; i <= ValueSlots.MAX_DEPTH; i++) {
                deep = new Object[] {deep};
            }
            a.put("deep", deep);
            Object read = a.get("deep");
            for (int i = 0; i <= ValueSlots.MAX_DEPTH; i++) {
                read = ((Object[]) read)[0];
            }
            assertEquals("bottom", read);
            // One value that fills most of the heap: its blocks add up to nearly all of it.
            long free = a.stats().largestFreeBlock();
            String big = "y".repeat((int) (free - 4096));
            a.put("big", new Object[] {big});
            assertEquals(big, ((Object[]) a.get("big"))[0]);
            a.verify();
        }
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20); Access a = shm.acquire()) {
            // Many small blocks: a list of strings copied out in one read.
            List<String> strings = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                strings.add("string number " + i);
            }
            SharedList<String> list = a.share(strings);
            assertEquals(strings, new ArrayList<>(list));
            assertEquals(strings.toString(), list.toString());
            a.verify();
        }
    }
}
