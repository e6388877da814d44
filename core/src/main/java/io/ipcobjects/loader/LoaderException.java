package io.ipcobjects.loader;

import io.ipcobjects.IpcObjectsException;

/**
 * A {@link DataLoader} cannot go on: a worker's {@link BatchSource} threw, workers died more
 * often than {@link DataLoader.Builder#maxRestarts} allows, or no batch came within
 * {@link DataLoader.Builder#batchTimeout}. The message holds what the workers printed last.
 */
public class LoaderException extends IpcObjectsException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what went wrong, with the workers' output
     */
    public LoaderException(String message) {
        super(message);
    }
}
