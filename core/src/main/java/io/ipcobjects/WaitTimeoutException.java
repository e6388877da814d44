package io.ipcobjects;

/** A bounded wait ran out: for the lock, for consumers, for a message. The message says which. */
public class WaitTimeoutException extends IpcObjectsException {
    /**
     * An exception saying what was waited for, and how long.
     *
     * @param message what the wait was for
     */
    public WaitTimeoutException(String message) {
        super(message);
    }
}
