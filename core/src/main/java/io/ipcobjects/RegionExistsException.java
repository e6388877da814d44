package io.ipcobjects;

/**
 * {@code create} found a live region at the region's path (one that some process, in whatever
 * container or pid namespace, is attached to), or another file it may not replace there: a
 * stale region while {@link SharedMemoryOptions#replaceStaleRegion()} is off, or a file that is
 * not a region. Of creators racing for one path, all but one get this.
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
