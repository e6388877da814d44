package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The undo log's table of words settled in a window (logged, or found in memory the window
 * allocated) must be forgotten when the window ends: a word written freely because its block was
 * new is committed data in the next window, and a scope that dies after writing it again must
 * have that write undone.
 */
class UndoWindowTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Runs {@code work} in a scope on a thread that ends without closing it: the lock stays with a dead thread. */
    private static void dieHoldingTheLock(SharedMemory shm, Consumer<Access> work) throws InterruptedException {
        Thread thread = Thread.ofPlatform().start(() -> work.accept(shm.acquire()));
        thread.join();
    }

    /** Allocates a block of {@code words} longs holding 100, 101, ... in a scope that commits; returns its offset. */
    private static long committedBlock(SharedMemory shm, RegionMemory memory, int words) {
        try (Access a = shm.acquire()) {
            long block = a.allocate(8L * words);
            for (int word = 0; word < words; word++) {
                memory.putLong(block + 8L * word, 100 + word);
            }
            return block;
        }
    }

    @Test
    void aSlotWrittenFreelyInTheScopeThatCreatedItIsLoggedInTheNextScope() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            try (Access a = shm.acquire()) {
                SharedList<Object> list = a.put("list", new ArrayList<Object>(List.of(1L, 2L, 3L)));
                // Twice in the scope that allocated the list: the second write finds the slot settled.
                list.set(0, 10L);
                list.set(0, 11L);
                list.setLong(1, 21L);
                list.setLong(1, 22L);
            }
            assertEquals(List.of(11L, 22L, 3L), listAfterDeadAllocatingScope(shm, 99L, 98L),
                    "the dead scope's writes to slots its list was created with are undone");
        }
    }

    /**
     * A thread allocates (so that its writes after that take the log's general path), sets slots
     * 0 and 1 of the list named "list", and dies holding the lock. Returns the list as the next
     * scope finds it, having checked that the lock was taken over and that the region verifies.
     */
    private static List<Object> listAfterDeadAllocatingScope(SharedMemory shm, long slot0, long slot1)
            throws InterruptedException {
        long takeovers = shm.lockTakeovers();
        dieHoldingTheLock(shm, a -> {
            @SuppressWarnings("unchecked")
            SharedList<Object> list = (SharedList<Object>) a.get("list");
            a.put("put-by-the-dead-scope", "allocates: the writes below take the log's general path");
            list.set(0, slot0);
            list.setLong(1, slot1);
        });
        try (Access a = shm.acquire()) {
            assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
            List<Object> after = new ArrayList<>((SharedList<?>) a.get("list"));
            a.verify();
            return after;
        }
    }

    @Test
    void aScopeThatRewritesThousandsOfSlotsHasEveryWriteUndone() throws Exception {
        // More slots than the table of settled words holds without collisions, each written three
        // times: a slot the table forgot is logged again (harmless), a slot it wrongly believed
        // settled would keep the dead scope's value. A log large enough that the scope never
        // commits part-way, so the whole scope is undone.
        int slots = 6000;
        List<Object> initial = new ArrayList<>(LongStream.range(0, slots).boxed().toList());
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64L << 20,
                SharedMemoryOptions.defaults().withUndoLogBytes(8L << 20))) {
            try (Access a = shm.acquire()) {
                a.put("list", new ArrayList<>(initial));
            }
            long takeovers = shm.lockTakeovers();
            dieHoldingTheLock(shm, a -> {
                @SuppressWarnings("unchecked")
                SharedList<Object> list = (SharedList<Object>) a.get("list");
                a.put("other", "allocates: the writes below take the log's general path");
                for (int round = 1; round <= 3; round++) {
                    for (int i = 0; i < slots; i++) {
                        list.set(i, -(round * (long) slots + i));
                    }
                }
            });
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                List<Object> after = new ArrayList<>((SharedList<?>) a.get("list"));
                assertEquals(slots, after.size());
                List<Integer> kept = IntStream.range(0, slots).filter(i -> !initial.get(i).equals(after.get(i))).boxed().toList();
                assertEquals(List.of(), kept.subList(0, Math.min(10, kept.size())),
                        () -> kept.size() + " slots keep the dead scope's writes; the first ones");
                a.verify();
            }
        }
    }

    @Test
    void aBlockWrittenAfterItsWindowCommittedMidScopeIsRolledBack() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            try (Access a = shm.acquire()) {
                a.put("list", new ArrayList<Object>(List.of(1L, 2L)));
                a.put("big", new ArrayList<Object>(LongStream.range(0, 3000).boxed().toList()));
            }
            long takeovers = shm.lockTakeovers();
            dieHoldingTheLock(shm, a -> {
                @SuppressWarnings("unchecked")
                SharedList<Object> list = (SharedList<Object>) a.get("list");
                @SuppressWarnings("unchecked")
                SharedList<Object> big = (SharedList<Object>) a.get("big");
                // Lists allocated in the window, written freely (fresh memory).
                List<SharedList<Object>> made = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    SharedList<Object> fresh = a.put("made" + i, new ArrayList<Object>(List.of((long) i)));
                    fresh.set(0, (long) -i);
                    made.add(fresh);
                }
                // 3000 slot writes of existing data log far more than 1/8 of the log: the window
                // commits at an operation boundary among them, and the made lists are committed
                // data from then on.
                for (int i = 0; i < 3000; i++) {
                    big.set(i, (long) -i);
                }
                // Written once more after the commit: these writes belong to the open window.
                for (SharedList<Object> m : made) {
                    m.set(0, 777L);
                }
                list.set(0, 55L);
            });
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                assertEquals(1L, ((SharedList<?>) a.get("list")).get(0), "the last window's write is undone");
                SharedList<?> big = (SharedList<?>) a.get("big");
                assertEquals(-1L, big.get(1), "the first slot writes were committed with the window");
                assertEquals(2999L, big.get(2999), "the last slot write belongs to the open window: undone");
                for (int i = 0; i < 40; i++) {
                    SharedList<?> m = (SharedList<?>) a.get("made" + i);
                    assertEquals((long) -i, m.get(0), "list " + i + ": committed with its first set, its write of the open window undone");
                }
                a.verify();
            }
        }
    }

    @Test
    void existingDataAroundTheBlockTakenLastIsStillLogged() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            try (Access a = shm.acquire()) {
                a.put("low", "a string blob that leaves a hole low in the heap once removed");
                a.put("list", new ArrayList<Object>(List.of(1L, 2L, 3L)));
            }
            try (Access a = shm.acquire()) {
                a.remove("low");
            }
            long takeovers = shm.lockTakeovers();
            dieHoldingTheLock(shm, a -> {
                @SuppressWarnings("unchecked")
                SharedList<Object> list = (SharedList<Object>) a.get("list");
                // Fills the hole: the block taken last lies below the list, which existed before.
                a.put("again", "a string blob that fills the hole low in the heap it left again");
                list.set(0, 10L);
                list.setLong(2, 30L);
            });
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                assertEquals(List.of(1L, 2L, 3L), new ArrayList<>((SharedList<?>) a.get("list")),
                        "writes to a list above the block taken last are undone");
                assertTrue(a.get("again") == null, "the dead scope's put is undone");
                a.verify();
            }
        }
    }

    @Test
    void entriesOfAnEpochBeforeTheTableWrappedAreNotTakenAsSettled() throws Exception {
        // The table keeps each entry's epoch in the bits above its key. When the epoch has used
        // all its bits, the table is cleared and the count starts at 1 again: an entry settled
        // in the first epoch 1 must not pass for settled in the second.
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            UndoLog log = TestAccess.context(shm).memory().undoLog();
            try (Access a = shm.acquire()) {
                a.put("list", new ArrayList<Object>(List.of(1L, 2L, 3L)));
            }
            try (Access a = shm.acquire()) {
                @SuppressWarnings("unchecked")
                SharedList<Object> list = (SharedList<Object>) a.get("list");
                log.epochForTest(1);
                a.put("other", "allocates: the writes below take the log's general path and fill the table");
                list.set(0, 10L);
                list.setLong(1, 20L);
            }
            log.epochForTest(log.lastEpoch()); // the next scope's first epoch wraps round to 1
            assertEquals(List.of(10L, 20L, 3L), listAfterDeadAllocatingScope(shm, 99L, 98L),
                    "the dead scope's writes are undone, though the table once held their slots at epoch 1");
        }
    }

    @Test
    void aScopeThatFreesAndTakesBackItsOwnBlocksInALoopIsUndoneAsAWhole() throws Exception {
        // Blocks the dying scope carved from free memory, freed and took back again and again
        // (messages put and taken, names put and removed) are fresh the whole time: their
        // writes are not logged. Existing data it freed and reused is, and all of it is back.
        String keep = "a named string that existed before the scope and whose hole it reuses";
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            long usedBefore;
            try (Access a = shm.acquire()) {
                a.put("list", new ArrayList<Object>(List.of(1L, 2L, 3L)));
                a.put("keep", keep);
                a.put("after-keep", "holds the heap above the string in place");
                usedBefore = a.stats().usedBytes();
            }
            long takeovers = shm.lockTakeovers();
            dieHoldingTheLock(shm, a -> {
                @SuppressWarnings("unchecked")
                SharedList<Object> list = (SharedList<Object>) a.get("list");
                a.put("first", "taken from free memory at the scope's start");
                for (int i = 0; i < 300; i++) {
                    a.putMessage(List.of("message " + i, (long) i, "x".repeat(i % 50)));
                    if (!a.takeMessage().equals(List.of("message " + i, (long) i, "x".repeat(i % 50)))) {
                        throw new AssertionError("round " + i + " took another message");
                    }
                    a.put("temp", "temp " + i + " " + "y".repeat(i % 70));
                    a.remove("temp");
                }
                a.remove("keep");
                a.put("in-the-hole", "a string that fills the hole the removed one left");
                list.set(0, 99L);
                list.setLong(2, 97L);
                a.putMessage("left queued by the dead scope");
            });
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                assertEquals(List.of(1L, 2L, 3L), new ArrayList<>((SharedList<?>) a.get("list")));
                assertEquals(keep, a.get("keep"), "the removed string is back, its hole's new contents undone");
                assertTrue(a.get("first") == null && a.get("temp") == null && a.get("in-the-hole") == null,
                        "the dead scope's names are gone");
                assertEquals(0, a.messageCount(), "no message of the dead scope is left");
                assertEquals(usedBefore, a.stats().usedBytes(), "the heap holds what it held before the scope");
                a.verify();
            }
        }
    }

    /**
     * {@code logBefore} remembers the range it settled last, so that a structure logging the same
     * words again (the allocator taking and freeing one block in a loop) skips the table. A longer
     * range that starts where a shorter one did is not covered by it: its further words must be
     * logged, on the log's fast path (nothing allocated yet) and on its general one.
     */
    @Test
    void aLongerRangeStartingWhereALoggedOneDidIsLoggedInFull() throws Exception {
        for (boolean allocateFirst : new boolean[] {false, true}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
                RegionMemory memory = TestAccess.context(shm).memory();
                long block = committedBlock(shm, memory, 4);
                long takeovers = shm.lockTakeovers();
                dieHoldingTheLock(shm, a -> {
                    if (allocateFirst) {
                        a.allocate(16); // the writes below take the log's general path
                    }
                    memory.logBefore(block, 8);
                    memory.putLongLogged(block, -1);
                    memory.logBefore(block, 24);
                    memory.putLongLogged(block, -2);
                    memory.putLongLogged(block + 8, -3);
                    memory.putLongLogged(block + 16, -4);
                    memory.logBefore(block, 16); // covered by the 24 bytes: settled
                    memory.putLongLogged(block + 8, -5);
                    memory.putLong(block + 24, -6);
                });
                try (Access a = shm.acquire()) {
                    assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                    List<Long> words = LongStream.range(0, 4).map(word -> memory.getLong(block + 8 * word)).boxed().toList();
                    assertEquals(List.of(100L, 101L, 102L, 103L), words,
                            "every word the dead scope wrote is undone (allocated first: " + allocateFirst + ")");
                    a.verify();
                }
            }
        }
    }

    @Test
    void aWordReachingPastSlotsSettledInTheWindowIsLogged() throws Exception {
        // Three value slots written side by side are logged as three 16-byte ranges. Words written
        // after them (inside them, from inside to past their end, and past it) are undone too: a
        // settled range covers only its own bytes.
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long block = committedBlock(shm, memory, 16);
            long takeovers = shm.lockTakeovers();
            dieHoldingTheLock(shm, a -> {
                a.allocate(16); // the writes below take the log's general path
                for (int slot = 0; slot < 3; slot++) {
                    memory.putIntIntLong(block + 16L * slot, -1, -2, -3);
                }
                memory.putLong(block + 40, -4); // inside the settled slots
                memory.putLong(block + 44, -5); // from inside them to past their end
                memory.putLong(block + 56, -6); // past their end
                memory.putIntIntLong(block + 48, -7, -8, -9); // where they end
            });
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                List<Long> words = LongStream.range(0, 16).map(word -> memory.getLong(block + 8 * word)).boxed().toList();
                assertEquals(LongStream.range(100, 116).boxed().toList(), words, "every word the dead scope wrote is undone");
                a.verify();
            }
        }
    }

    @Test
    void aScopeThatPutsAndTakesMessagesInALoopIsUndoneAsAWhole() throws Exception {
        // An inline message (a Long in an empty queue) sits in the slot beside the count, which a
        // put and a take each log as one range; behind it, a Long goes into a node whose links and
        // slot a put logs as one range. A scope that takes the oldest message, then puts and takes
        // in a loop, over a queue that held none, one (inline) or three (inline and nodes)
        // messages, and then puts one more, must leave the queue as it found it once rolled back.
        List<Object> committed = List.of(7L, 8L, 9L);
        for (int held : new int[] {0, 1, 3}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
                try (Access a = shm.acquire()) {
                    committed.subList(0, held).forEach(a::putMessage);
                }
                long takeovers = shm.lockTakeovers();
                dieHoldingTheLock(shm, a -> {
                    if (held > 0) {
                        a.takeMessage(); // a take first: nothing this scope put has logged the count yet
                    }
                    for (long i = 100; i < 200; i++) {
                        a.putMessage(i);
                        a.takeMessage();
                    }
                    a.putMessage(-1L);
                });
                try (Access a = shm.acquire()) {
                    assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                    List<Object> after = new ArrayList<>();
                    a.verify();
                    while (a.messageCount() > 0) {
                        after.add(a.takeMessage());
                    }
                    assertEquals(committed.subList(0, held), after, "the messages the dead scope found, " + held + " of them");
                    a.verify();
                }
            }
        }
    }
}
