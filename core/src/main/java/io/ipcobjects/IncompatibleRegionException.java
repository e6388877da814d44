package io.ipcobjects;

/**
 * The file is not a region this build can use: wrong magic, another layout version, another
 * byte order, a recorded size that disagrees with the file, a truncated file; or not a regular
 * file at all (a directory, FIFO, socket, device or symbolic link, refused at once and never
 * followed); or a file this process should not trust: owned by another user (see
 * {@link SharedMemoryOptions#withAllowForeignOwner}) or with a mode wider than
 * {@link SharedMemoryOptions#permissions()}. The message says which.
 */
public class IncompatibleRegionException extends IpcObjectsException {
    /**
     * An exception saying why the file cannot be used.
     *
     * @param message what is wrong with the file
     */
    public IncompatibleRegionException(String message) {
        super(message);
    }
}
