package io.ipcobjects.internal.alloc;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The allocator's counters across processes: exact inside a scope of many allocations and frees,
 * the same in the region for another process once the scope ends (its {@code verify()} agrees
 * with the heap walk), and the process's byte counts counted once.
 */
class AllocatorCountersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Attaches, checks the heap against its counters, and prints the counters it read from the region. */
    public static final class CountersReader {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT); Access a = shm.acquire()) {
                HeapStats walked = a.verify(); // throws if the region's counters disagree with the heap
                HeapStats kept = a.stats();
                System.out.println("counters=" + kept.usedBytes() + "," + kept.usedBlocks() + "," + kept.freeBytes() + ","
                        + kept.freeBlocks());
                System.out.println("walked=" + walked.usedBytes() + "," + walked.usedBlocks() + "," + walked.freeBytes() + ","
                        + walked.freeBlocks());
            }
        }
    }

    private static String line(HeapStats stats) {
        return stats.usedBytes() + "," + stats.usedBlocks() + "," + stats.freeBytes() + "," + stats.freeBlocks();
    }

    @Test
    void aScopeOfManyAllocationsAndFreesLeavesExactCountersForAnotherProcess() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            HeapStats empty = shm.stats();
            ProcessStats before = shm.processStats();
            HeapStats inside;
            try (Access a = shm.acquire()) {
                List<Long> blocks = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    blocks.add(i % 3 == 0 ? a.allocateAligned(100 + 37 * i, 64) : a.allocate(16 + 53 * i));
                }
                for (int i = 0; i < blocks.size(); i += 2) {
                    a.free(blocks.get(i)); // every other one: free blocks between used ones
                }
                inside = a.stats();
                assertEquals(20 + empty.usedBlocks(), inside.usedBlocks(), "the scope's own thread sees its changes");
                assertEquals(line(a.verify()), line(inside), "inside the scope the counters agree with the heap walk");
            }
            HeapStats after = shm.stats();
            assertEquals(line(inside), line(after), "ending the scope changes none of the counters");
            ProcessStats counted = shm.processStats();
            long allocated = counted.bytesAllocated() - before.bytesAllocated();
            long freed = counted.bytesFreed() - before.bytesFreed();
            assertEquals(after.usedBytes() - empty.usedBytes(), allocated - freed,
                    "the process's byte counts, each block once: " + allocated + " allocated, " + freed + " freed");

            try (ChildJvm child = ChildJvm.start(CountersReader.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals(line(after), result.value("counters"), "the counters in the region, as another process reads them");
                assertEquals(line(after), result.value("walked"));
            }
        }
    }

    @Test
    void scopesThatEachAllocateOrFreeAddUpInTheRegion() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            long emptyBlocks = shm.stats().usedBlocks();
            List<Long> blocks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                try (Access a = shm.acquire()) {
                    blocks.add(a.allocate(200));
                    blocks.add(a.allocate(300));
                }
            }
            try (Access a = shm.acquire()) {
                a.free(blocks.get(3));
            }
            HeapStats kept = shm.stats();
            assertEquals(emptyBlocks + 9, kept.usedBlocks(), "ten allocated in five scopes, one freed in a sixth");
            try (ChildJvm child = ChildJvm.start(CountersReader.class, name)) {
                ChildJvm.Result result = child.awaitSuccess(TIMEOUT);
                assertEquals(line(kept), result.value("counters"));
                assertEquals(line(kept), result.value("walked"));
            }
        }
    }
}
