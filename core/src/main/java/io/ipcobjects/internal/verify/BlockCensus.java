package io.ipcobjects.internal.verify;

import static io.ipcobjects.internal.alloc.BlockLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.memory.RegionMemory;

import java.util.Arrays;

/**
 * Every used block of the heap, in address order, and which of them a walk has reached. Made by
 * walking the heap from its start (after the allocator's own verification passed, so the walk is
 * sound); a payload offset is looked up by binary search, so an offset that merely looks like a
 * block (a forged header inside another block) is told apart from a real one.
 */
final class BlockCensus {

    private final RegionMemory memory;
    private long[] payloads = new long[256];
    private int count;
    private boolean[] reached;

    BlockCensus(RegionMemory memory, HeapAllocator allocator) {
        this.memory = memory;
        for (long block = allocator.heapStart(); block < allocator.heapEnd(); ) {
            long sizeFlags = memory.getLong(block);
            long size = size(sizeFlags);
            if (size < MIN_BLOCK_BYTES || size > allocator.heapEnd() - block) {
                // Only without the lock (a read-only verification): the heap changed since the allocator's walk.
                throw new CorruptedRegionException("block size " + size + " does not fit the heap (the heap changed"
                        + " while it was read without the lock)", block);
            }
            if (inUse(sizeFlags)) {
                if (count == payloads.length) {
                    payloads = Arrays.copyOf(payloads, count * 2);
                }
                payloads[count++] = block + HEADER_BYTES;
            }
            block += size;
        }
        reached = new boolean[count];
    }

    int count() {
        return count;
    }

    /** The index of the used block whose payload starts at {@code payload}, or -1. */
    int indexOf(long payload) {
        return Arrays.binarySearch(payloads, 0, count, payload);
    }

    long payload(int index) {
        return payloads[index];
    }

    int tag(int index) {
        return memory.getInt(payloads[index] - HEADER_BYTES + TYPE_TAG_OFFSET);
    }

    long blockBytes(int index) {
        return size(memory.getLong(payloads[index] - HEADER_BYTES));
    }

    boolean isReached(int index) {
        return reached[index];
    }

    /** Marks the block reached; returns whether it was reached before. */
    boolean reach(int index) {
        boolean before = reached[index];
        reached[index] = true;
        return before;
    }
}
