package io.ipcobjects;

/** {@code attach} waited its whole timeout and no creator made the region. */
public class RegionNotFoundException extends IpcObjectsException {
    /**
     * An exception saying which region was not found in time.
     *
     * @param message the region and how long was waited
     */
    public RegionNotFoundException(String message) {
        super(message);
    }
}
