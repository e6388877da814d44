package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner stamps of used blocks (what {@code messages.Ownership} counts per process) and what
 * the allocator reports outside the heap: the process's byte counters and the failed-allocation
 * event.
 */
class HeapStampsTest {

    private static final long HEAP_START = RegionHeaderLayout.HEAP_START;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private static List<String> stamps(HeapAllocator allocator) {
        List<String> seen = new ArrayList<>();
        allocator.forEachStamp((stamp, size) -> seen.add(stamp + ":" + size));
        return seen;
    }

    private static long blockSize(RegionMemory memory, long payload) {
        return BlockLayout.size(memory.getLong(BlockLayout.blockOf(payload)));
    }

    @Test
    void everyStampedUsedBlockIsVisitedOnceUpToTheHeapsLastAndNothingPastIt() {
        long heapBytes = 4096;
        // The memory ends exactly at the heap's end: a walk that read one word past it would throw.
        RegionMemory memory = new RegionMemory(arena.allocate(HEAP_START + heapBytes, 4096));
        HeapAllocator.format(memory, HEAP_START, HEAP_START + heapBytes);
        HeapAllocator allocator = new HeapAllocator(memory);
        assertEquals(List.of(), stamps(allocator), "a new heap: no stamped block");

        long first = allocator.allocate(16, 1); // a minimum block at the heap's start
        long plain = allocator.allocate(100, 1); // used, never stamped
        long freed = allocator.allocate(200, 1);
        long middle = allocator.allocate(300, 1);
        long rest = allocator.stats().largestFreeBlock() - BlockLayout.MIN_BLOCK_BYTES;
        long filler = allocator.allocate(rest - BlockLayout.HEADER_BYTES, 1);
        long last = allocator.allocate(16, 1); // a minimum block ending at the heap's end
        assertEquals(BlockLayout.MIN_BLOCK_BYTES, blockSize(memory, first));
        assertEquals(allocator.heapEnd(), BlockLayout.blockOf(last) + BlockLayout.MIN_BLOCK_BYTES);
        assertEquals(0, allocator.stats().freeBlocks(), "the heap is full");

        allocator.stamp(first, 7);
        allocator.stamp(freed, 8);
        allocator.stamp(middle, 9);
        allocator.stamp(last, 11);
        assertEquals(7, memory.getInt(BlockLayout.blockOf(first) + BlockLayout.RESERVED_OFFSET), "the header's reserved word");
        assertEquals(1, memory.getInt(BlockLayout.blockOf(first) + BlockLayout.TYPE_TAG_OFFSET), "the tag is untouched");
        allocator.free(freed); // a stamp goes with its block
        assertEquals(List.of("7:32", "9:" + blockSize(memory, middle), "11:32"), stamps(allocator));

        allocator.stamp(middle, 0); // cleared: no longer anyone's
        assertEquals(List.of("7:32", "11:32"), stamps(allocator));
        assertEquals(0, memory.getInt(BlockLayout.blockOf(middle) + BlockLayout.RESERVED_OFFSET));
        assertTrue(allocator.holds(plain, 1) && allocator.holds(filler, 1));
        allocator.verify();
    }

    @Test
    void theWalkStopsAtABlockWhoseSizeRunsPastTheHeap() {
        long heapBytes = 4096;
        RegionMemory memory = new RegionMemory(arena.allocate(HEAP_START + heapBytes + 4096, 4096));
        HeapAllocator.format(memory, HEAP_START, HEAP_START + heapBytes);
        HeapAllocator allocator = new HeapAllocator(memory);
        long first = allocator.allocate(100, 1);
        long last = allocator.allocate(allocator.stats().largestFreeBlock() - BlockLayout.HEADER_BYTES, 1);
        allocator.stamp(first, 5);
        allocator.stamp(last, 6);
        long lastBlock = BlockLayout.blockOf(last);
        assertEquals(allocator.heapEnd(), lastBlock + blockSize(memory, last));
        assertEquals(List.of("5:" + blockSize(memory, first), "6:" + blockSize(memory, last)), stamps(allocator));
        // A damaged size 16 bytes past the heap's end: the walk stops there, it counts nothing more.
        long sizeFlags = memory.getLong(lastBlock);
        memory.putLong(lastBlock, sizeFlags + BlockLayout.GRANULE);
        assertEquals(List.of("5:" + blockSize(memory, first)), stamps(allocator));
        memory.putLong(lastBlock, sizeFlags);
        allocator.verify();
    }

    @Test
    void aProcessCountsTheWholeBlocksItAllocatesAndFrees() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            ProcessStats before = shm.processStats();
            HeapStats heapBefore = shm.stats();
            long block;
            try (Access a = shm.acquire()) {
                block = a.allocate(1000);
            }
            HeapStats heapAfter = shm.stats();
            ProcessStats allocated = shm.processStats();
            long blockBytes = heapAfter.usedBytes() - heapBefore.usedBytes();
            assertTrue(blockBytes >= 1000 + BlockLayout.HEADER_BYTES, "header and payload: " + blockBytes);
            assertEquals(blockBytes, allocated.bytesAllocated() - before.bytesAllocated(), "the whole block");
            assertEquals(before.bytesFreed(), allocated.bytesFreed());
            try (Access a = shm.acquire()) {
                a.free(block);
            }
            ProcessStats freed = shm.processStats();
            assertEquals(blockBytes, freed.bytesFreed() - before.bytesFreed(), "the whole block back");
            assertEquals(allocated.bytesAllocated(), freed.bytesAllocated());
        }
    }

    @Test
    void anAllocationThatDoesNotFitIsReported() {
        Logger logger = Logger.getLogger(RegionEvents.LOGGER_NAME);
        List<String> lines = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (lines) {
                    lines.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Level level = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            long free = a.stats().freeBytes();
            OutOfSharedMemoryException e = assertThrows(OutOfSharedMemoryException.class, () -> a.allocate(2 << 20));
            assertNotNull(e.getMessage());
            synchronized (lines) {
                assertTrue(lines.stream().anyMatch(line -> line.startsWith("allocation of " + (2 << 20) + " bytes failed: " + free
                        + " bytes free")), lines.toString());
            }
        } finally {
            logger.removeHandler(handler);
            logger.setLevel(level);
        }
    }

    @Test
    void aBlockTakenFromAFreeListWhoseNextBlockLiesPast4GiBStartsUnstamped(@TempDir Path dir) throws IOException {
        // A sparse file: only the pages the allocator writes are ever backed.
        long heapBytes = (4L << 30) + (1 << 20);
        try (FileChannel file = FileChannel.open(dir.resolve("heap"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            file.truncate(HEAP_START + heapBytes);
            file.write(java.nio.ByteBuffer.allocate(1), HEAP_START + heapBytes - 1);
            RegionMemory memory = new RegionMemory(file.map(FileChannel.MapMode.READ_WRITE, 0, HEAP_START + heapBytes, arena));
            HeapAllocator.format(memory, HEAP_START, HEAP_START + heapBytes);
            HeapAllocator allocator = new HeapAllocator(memory);
            long low = allocator.allocate(100, 1);
            allocator.allocate((4L << 30) - 4096, 1); // a filler: the next blocks start past 4 GiB
            long high = allocator.allocate(100, 1);
            allocator.allocate(100, 1); // keeps the high block from merging with the heap's free rest
            assertTrue(BlockLayout.blockOf(high) >= 1L << 32, "past 4 GiB: " + high);
            allocator.free(high);
            allocator.free(low); // the head of its bin now, linked to the high block
            assertEquals(1, memory.getInt(BlockLayout.blockOf(low) + BlockLayout.RESERVED_OFFSET),
                    "the free block's next link's high half lies where a used block's stamp is");
            assertEquals(low, allocator.allocate(100, 1), "the list's head is taken");
            assertEquals(List.of(), stamps(allocator), "a new block belongs to nobody");
            allocator.verify();
        }
    }
}
