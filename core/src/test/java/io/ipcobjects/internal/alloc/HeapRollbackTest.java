package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the allocator owes the undo log: a scope whose thread died holding the lock is rolled
 * back by the next acquisition (a takeover): its last operation is undone, and the heap must then
 * be exactly as the operation before left it, including the bytes of blocks the dead scope freed (free-list links
 * and footers were written into them) and the headers of blocks it merged and carved up again.
 */
class HeapRollbackTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Runs {@code work} in a scope on a thread that ends without closing it: the lock stays with a dead thread. */
    private static void dieHoldingTheLock(SharedMemory shm, java.util.function.Consumer<Access> work) throws InterruptedException {
        Thread thread = Thread.ofPlatform().start(() -> work.accept(shm.acquire()));
        thread.join();
    }

    private static byte[] payload(Access a, long offset, long bytes) {
        return a.block(offset).asSlice(0, bytes).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void freesMergesAndAllocationsOfADeadScopeAreUndoneToTheByte() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            long x;
            long y;
            long z;
            HeapStats before;
            byte[] yBytes;
            try (Access a = shm.acquire()) {
                x = a.allocate(208); // blocks of 224 bytes
                y = a.allocate(208);
                z = a.allocate(208);
                a.allocate(8); // a guard: z does not merge with the tail
                a.block(y).fill((byte) 0x6B);
                yBytes = payload(a, y, 208);
            }
            try (Access a = shm.acquire()) {
                a.free(x);
                a.free(z);
                before = a.verify();
            }
            long takeovers = shm.lockTakeovers();
            // The dead scope's last operation frees y between two free blocks (one merged block of
            // 672 bytes), then carves that block into blocks of 112 bytes, whose headers land on y's
            // and z's old headers (the allocator called directly: one operation, rolled back whole).
            List<Long> carved = new ArrayList<>();
            dieHoldingTheLock(shm, a -> {
                a.verify(); // the operation starts here
                HeapAllocator allocator = TestAccess.context(shm).allocator();
                allocator.free(y);
                for (int i = 0; i < 6; i++) {
                    carved.add(allocator.allocate(96, 1));
                }
            });
            assertEquals(6, carved.size());
            assertEquals(BlockLayout.blockOf(x) + BlockLayout.HEADER_BYTES, carved.getFirst(), "the merged block was carved up");
            try (Access a = shm.acquire()) {
                assertEquals(takeovers + 1, shm.lockTakeovers(), "the lock was taken from the dead thread");
                assertEquals(before, a.verify(), "the heap is as the last committed operation left it");
                assertArrayEquals(yBytes, payload(a, y, 208), "y's bytes, where free-list links and a footer were written");
                a.free(y);
                a.verify();
            }
        }
    }

    @Test
    void aBlockFreedAloneByADeadScopeGetsItsBytesBack() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            long y;
            HeapStats before;
            byte[] yBytes;
            try (Access a = shm.acquire()) {
                a.allocate(100);
                y = a.allocate(300);
                a.allocate(100);
                a.block(y).fill((byte) 0x3C);
                yBytes = payload(a, y, 300);
                before = a.stats();
            }
            dieHoldingTheLock(shm, a -> a.free(y));
            try (Access a = shm.acquire()) {
                assertEquals(before, a.verify());
                assertArrayEquals(yBytes, payload(a, y, 300), "links and footer written into the freed block were undone");
            }
        }
    }
}
