package io.ipcobjects;

/**
 * {@code create} found a region of that name whose creator is still alive, or another file it
 * may not replace at the region's path: a stale region while
 * {@link SharedMemoryOptions#replaceStaleRegion()} is off, or a file that is not a region.
 */
public class RegionExistsException extends IpcObjectsException {
    /**
     * An exception saying what is at the region's path.
     *
     * @param message the path and what was found there
     */
    public RegionExistsException(String message) {
        super(message);
    }
}
