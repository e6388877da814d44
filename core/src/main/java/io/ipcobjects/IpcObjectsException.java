package io.ipcobjects;

/** Base of every exception this library throws about a region or a value in it. */
public class IpcObjectsException extends RuntimeException {
    /**
     * An exception with a message.
     *
     * @param message what went wrong
     */
    public IpcObjectsException(String message) {
        super(message);
    }

    /**
     * An exception with a message and the exception that caused it.
     *
     * @param message what went wrong
     * @param cause   the underlying exception (such as an {@code IOException}), or null
     */
    public IpcObjectsException(String message, Throwable cause) {
        super(message, cause);
    }
}
