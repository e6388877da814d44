package io.ipcobjects;

/**
 * {@code takeMessage()} or {@code readMessage()} found the region's message queue empty. Use
 * {@code hasMessages()} to look first, or {@code SharedMemory.takeMessage(Duration)} to wait.
 */
public class NoMessagesException extends IpcObjectsException {
    /**
     * An exception saying which queue was empty.
     *
     * @param message what found the queue empty
     */
    public NoMessagesException(String message) {
        super(message);
    }
}
