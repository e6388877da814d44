package io.ipcobjects;

/**
 * Something read from the region cannot be right: an offset outside the heap, a block header
 * that does not add up, a chain longer than the region could hold. Thrown before the bad value
 * is used, so a corrupted or hostile region never crashes the JVM.
 */
public class CorruptedRegionException extends IpcObjectsException {
    private final long offset;

    public CorruptedRegionException(String message, long offset) {
        super(message + " (at region offset " + offset + ")");
        this.offset = offset;
    }

    /** The region offset at which the inconsistency was found. */
    public long offset() {
        return offset;
    }
}
