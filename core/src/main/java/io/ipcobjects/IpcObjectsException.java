package io.ipcobjects;

/** Base of every exception this library throws about a region or a value in it. */
public class IpcObjectsException extends RuntimeException {
    public IpcObjectsException(String message) {
        super(message);
    }

    public IpcObjectsException(String message, Throwable cause) {
        super(message, cause);
    }
}
