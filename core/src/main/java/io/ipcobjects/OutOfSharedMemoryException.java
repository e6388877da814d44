package io.ipcobjects;

/**
 * The heap has no free block large enough. Thrown before anything is changed: the region is
 * exactly as it was before the request.
 */
public class OutOfSharedMemoryException extends IpcObjectsException {
    /** The size of the request that failed, in bytes. */
    private final long requestedBytes;
    /** Bytes free in the heap when the request failed. */
    private final long freeBytes;
    /** Size of the largest free block when the request failed, in bytes. */
    private final long largestFreeBlock;

    /**
     * A failure for another reason than the heap's free space (a full undo log, a file system
     * without room for the region), with its own message.
     *
     * @param message          what ran out and what to do
     * @param requestedBytes   the size that was needed, in bytes
     * @param freeBytes        what was free, in bytes
     * @param largestFreeBlock the largest free piece, in bytes (0 if not meaningful)
     */
    public OutOfSharedMemoryException(String message, long requestedBytes, long freeBytes, long largestFreeBlock) {
        super(message);
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.largestFreeBlock = largestFreeBlock;
    }

    /**
     * An exception for a request that did not fit; the message states all three numbers.
     *
     * @param requestedBytes   the size asked for, in bytes
     * @param freeBytes        bytes free in the heap
     * @param largestFreeBlock size of the largest free block, in bytes
     */
    public OutOfSharedMemoryException(long requestedBytes, long freeBytes, long largestFreeBlock) {
        super("out of shared memory: requested " + requestedBytes + " bytes, " + freeBytes
                + " bytes free, largest free block " + largestFreeBlock + " bytes");
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.largestFreeBlock = largestFreeBlock;
    }

    /**
     * The size of the request that failed.
     *
     * @return the requested size, in bytes
     */
    public long requestedBytes() {
        return requestedBytes;
    }

    /**
     * The heap's free space when the request failed, possibly split over many blocks.
     *
     * @return the free bytes
     */
    public long freeBytes() {
        return freeBytes;
    }

    /**
     * The largest free block when the request failed: more than this cannot be allocated at once.
     *
     * @return the largest free block's size, in bytes
     */
    public long largestFreeBlock() {
        return largestFreeBlock;
    }
}
