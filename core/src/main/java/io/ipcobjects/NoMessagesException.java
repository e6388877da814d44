package io.ipcobjects;

/**
 * {@code takeMessage()} or {@code readMessage()} found the region's message queue empty. Use
 * {@code hasMessages()} to look first, or {@code SharedMemory.takeMessage(Duration)} to wait.
 */
public class NoMessagesException extends IpcObjectsException {
    public NoMessagesException(String message) {
        super(message);
    }
}
