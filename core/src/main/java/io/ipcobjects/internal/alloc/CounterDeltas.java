package io.ipcobjects.internal.alloc;

/**
 * How much the allocator's calls in the open scope changed its counters (used and free bytes
 * and blocks, {@link AllocatorLayout}; this process's bytes allocated and freed,
 * {@code memory.ProcessCountersLayout}) that is not in the region yet.
 *
 * <p>Why not write them at once: that is ten region accesses per allocate or free, each a
 * bounds and liveness check, and C2 inlines a method's calls only until a budget of nodes runs
 * out. With the undo log's checks in the same methods, the counter writes of {@code free}
 * pushed its free-list writes out of line, and an allocate-and-free pair in one scope cost
 * 80-93 ns where it cost 62-66 ns without the counter writes (and 64-68 without the log). Kept
 * here, they reach the region once per commit ({@code UndoLog.onCommit}), before the lock is
 * released, so another process always reads them whole. A scope that is rolled back (its
 * thread died holding the lock) leaves them behind: the takeover drops them when it counts the
 * heap again ({@code HeapAllocator.rebuildAfterRollback}).
 *
 * <p>Only the lock holder touches an instance, under the lock: plain fields.
 */
final class CounterDeltas {
    long usedBytes;
    long usedBlocks;
    long freeBytes;
    long freeBlocks;
    long bytesAllocated;
    long bytesFreed;
    /** Whether any field is not 0: the commit then has something to write. */
    boolean any;

    void add(long usedBytes, long usedBlocks, long freeBytes, long freeBlocks, long bytesAllocated, long bytesFreed) {
        this.usedBytes += usedBytes;
        this.usedBlocks += usedBlocks;
        this.freeBytes += freeBytes;
        this.freeBlocks += freeBlocks;
        this.bytesAllocated += bytesAllocated;
        this.bytesFreed += bytesFreed;
        any = true;
    }

    void clear() {
        usedBytes = 0;
        usedBlocks = 0;
        freeBytes = 0;
        freeBlocks = 0;
        bytesAllocated = 0;
        bytesFreed = 0;
        any = false;
    }
}
