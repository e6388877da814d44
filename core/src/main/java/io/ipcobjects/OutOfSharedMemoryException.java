package io.ipcobjects;

/**
 * The heap has no free block large enough. Thrown before anything is changed: the region is
 * exactly as it was before the request.
 */
public class OutOfSharedMemoryException extends IpcObjectsException {
    private final long requestedBytes;
    private final long freeBytes;
    private final long largestFreeBlock;

    public OutOfSharedMemoryException(long requestedBytes, long freeBytes, long largestFreeBlock) {
        super("out of shared memory: requested " + requestedBytes + " bytes, " + freeBytes
                + " bytes free, largest free block " + largestFreeBlock + " bytes");
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.largestFreeBlock = largestFreeBlock;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public long freeBytes() {
        return freeBytes;
    }

    public long largestFreeBlock() {
        return largestFreeBlock;
    }
}
