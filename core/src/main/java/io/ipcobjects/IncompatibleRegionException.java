package io.ipcobjects;

/**
 * The file is not a region this build can use: wrong magic, another layout version, another
 * byte order, a recorded size that disagrees with the file, a truncated file. The message says
 * which.
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
