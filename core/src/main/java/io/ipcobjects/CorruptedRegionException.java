package io.ipcobjects;

/**
 * Something read from the region cannot be right: an offset outside the heap, a block header
 * that does not add up, a chain longer than the region could hold. Thrown before the bad value
 * is used, so a corrupted or hostile region never crashes the JVM.
 */
public class CorruptedRegionException extends IpcObjectsException {
    /** The region offset at which the inconsistency was found. */
    private final long offset;

    /**
     * An exception about an inconsistency found at {@code offset}; the offset is appended to the
     * message.
     *
     * @param message what is wrong
     * @param offset  the region offset at which it was found
     */
    public CorruptedRegionException(String message, long offset) {
        super(message + " (at region offset " + offset + ")");
        this.offset = offset;
    }

    /**
     * The region offset at which the inconsistency was found.
     *
     * @return the offset, in bytes from the region's start
     */
    public long offset() {
        return offset;
    }
}
