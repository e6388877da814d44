package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.memory.UndoLogLayout;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.KillTorture;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The allocator's free-block bookkeeping is not in the undo log (a takeover rebuilds it from the
 * block headers), except where it is written over live data. These cases put such writes inside
 * one operation: a used block is freed (merging with free neighbours or not) and then split again
 * by allocations in the same operation, so that the remainder's links and footer land on the freed
 * block's payload, on its last word, or on an absorbed neighbour's header. The process is killed
 * inside that operation; after the takeover the freed block must be whole again, byte for byte,
 * and the heap exactly as before.
 */
class AllocatorRollbackTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Payload of each of the five blocks: a 1024-byte block. */
    private static final long PAYLOAD = 1008;
    private static final long BLOCK = 1024;
    private static final byte PATTERN = 0x5A;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path signals;

    /** In one operation: frees the block, allocates {@code first} and 48 bytes, fills both, signals and waits to be killed. */
    public static final class FreesAndSplitsThenDies {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, KillTorture.options());
            long target = Long.parseLong(args[2]);
            long first = Long.parseLong(args[3]);
            boolean aligned = Boolean.parseBoolean(args[4]);
            Access a = shm.acquire();
            RegionContext context = TestAccess.context(shm);
            HeapAllocator allocator = context.allocator();
            RegionMemory memory = context.memory();
            context.scope().run(() -> {
                allocator.free(target);
                long b = aligned ? allocator.allocateAligned(first, 64, BlockTypes.RAW) : allocator.allocate(first, BlockTypes.RAW);
                memory.fill(b, first, (byte) 0x77);
                long c = allocator.allocate(48, BlockTypes.RAW);
                memory.fill(c, 48, (byte) 0x66);
                ReadySignal.signal(Path.of(args[1]));
                LockSupport.park(); // inside the operation, holding the lock, until killed
            });
        }
    }

    @ParameterizedTest(name = "{0}, then allocate {1} bytes (aligned: {2})")
    @CsvSource({
            // neighbours used: the remainder's links land on the freed payload
            "none, 496, false",
            "none, 32, false",
            "none, 496, true",
            // the next block free: the merged block is split at, just before and just after the absorbed header
            "next, 992, false",
            "next, 1008, false",
            "next, 1040, false",
            "next, 1500, true",
            // the previous block free: the merged block starts there
            "previous, 992, false",
            "previous, 1040, false",
            "previous, 1500, false",
            "both, 1008, false",
            "both, 2040, false",
            "both, 1040, true",
    })
    void aProcessKilledAfterFreeingAndSplittingInOneOperationLeavesTheBlockAsItWas(String freeNeighbours, long first,
                                                                                  boolean aligned) throws Exception {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long target;
            HeapStats before;
            try (Access a = shm.acquire()) {
                long[] blocks = new long[5];
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = a.allocate(PAYLOAD);
                    memory.fill(blocks[i], PAYLOAD, (byte) i);
                }
                for (int i = 1; i < blocks.length; i++) {
                    assertEquals(blocks[i - 1] + BLOCK, blocks[i], "the blocks are adjacent");
                }
                target = blocks[2];
                memory.fill(target, PAYLOAD, PATTERN);
                if (freeNeighbours.equals("previous") || freeNeighbours.equals("both")) {
                    a.free(blocks[1]);
                }
                if (freeNeighbours.equals("next") || freeNeighbours.equals("both")) {
                    a.free(blocks[3]);
                }
                before = a.verify();
            }
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(FreesAndSplitsThenDies.class, name, ready.toString(),
                    Long.toString(target), Long.toString(first), Boolean.toString(aligned))) {
                ChildJvm.awaitCondition(() -> ready.toFile().exists(), TIMEOUT, "the child's ready signal", child);
                assertTrue(UndoLog.uncommittedBytes(memory) > 0,
                        "the open operation's old contents are in the log");
                assertNotEquals(before.usedBytes(), TestAccess.context(shm).allocator().verify().usedBytes(),
                        "the open operation changed the heap");
                child.kill9();
            }
            try (Access a = shm.acquire()) {
                assertEquals(1, shm.lockTakeovers(), "the lock was taken over from the killed child");
                HeapStats after = a.verify();
                assertEquals(before.usedBytes(), after.usedBytes(), "used bytes as before the open operation");
                assertEquals(before.usedBlocks(), after.usedBlocks());
                assertEquals(before.freeBlocks(), after.freeBlocks());
                for (long i = 0; i < PAYLOAD; i++) {
                    assertEquals(PATTERN, memory.getByte(target + i), "byte " + i + " of the freed block is back");
                }
                a.free(target); // it is a used block again, and frees normally
                assertEquals(before.usedBytes() - BLOCK, a.verify().usedBytes());
            }
        }
    }
}
