package io.ipcobjects;

/** {@code create} found a region of that name whose creator is still alive. */
public class RegionExistsException extends IpcObjectsException {
    public RegionExistsException(String message) {
        super(message);
    }
}
