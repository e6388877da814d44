package io.ipcobjects;

/**
 * The file is not a region this build can use: wrong magic, another layout version, another
 * byte order, a recorded size that disagrees with the file, a truncated file. The message says
 * which.
 */
public class IncompatibleRegionException extends IpcObjectsException {
    public IncompatibleRegionException(String message) {
        super(message);
    }
}
