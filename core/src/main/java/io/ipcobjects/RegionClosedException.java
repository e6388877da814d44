package io.ipcobjects;

/** The region was closed (by this handle, or by its creator): nothing in it may be used any more. */
public class RegionClosedException extends IpcObjectsException {
    public RegionClosedException(String message) {
        super(message);
    }
}
