package io.ipcobjects;

/** {@code attach} waited its whole timeout and no creator made the region. */
public class RegionNotFoundException extends IpcObjectsException {
    public RegionNotFoundException(String message) {
        super(message);
    }
}
