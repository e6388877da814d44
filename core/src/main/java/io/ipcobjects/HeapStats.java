package io.ipcobjects;

/**
 * A picture of the heap: sizes are in bytes and count block headers.
 *
 * @param heapBytes        bytes the heap spans
 * @param usedBytes        bytes in used blocks
 * @param usedBlocks       number of used blocks
 * @param freeBytes        bytes in free blocks
 * @param freeBlocks       number of free blocks
 * @param largestFreeBlock size of the largest free block: the largest single request that can succeed, less its header
 */
public record HeapStats(long heapBytes, long usedBytes, long usedBlocks, long freeBytes, long freeBlocks,
                        long largestFreeBlock) {

    /**
     * 1 - largest free block / free bytes: 0 when all free space is one block.
     *
     * @return the fragmentation, from 0 (none, or no free space) towards 1
     */
    public double fragmentation() {
        return freeBytes == 0 ? 0.0 : 1.0 - (double) largestFreeBlock / freeBytes;
    }
}
