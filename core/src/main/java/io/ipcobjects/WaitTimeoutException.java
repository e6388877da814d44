package io.ipcobjects;

/** A bounded wait ran out: for the lock, for consumers, for a message. The message says which. */
public class WaitTimeoutException extends IpcObjectsException {
    public WaitTimeoutException(String message) {
        super(message);
    }
}
