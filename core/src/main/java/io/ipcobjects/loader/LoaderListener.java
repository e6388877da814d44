package io.ipcobjects.loader;

/**
 * Receives a {@link DataLoader}'s progress. Every method is called on the trainer's thread that
 * is inside the loader ({@code next()}, a batch's {@code close()}) or on the thread that saw a
 * worker exit, never concurrently; keep them short.
 */
public interface LoaderListener {

    /**
     * Called at most once per {@link DataLoader.Builder#progressInterval} while batches are handed over.
     *
     * @param progress the rates since the previous call
     */
    default void progress(LoaderProgress progress) {
    }

    /**
     * Called when the last batch of an epoch is handed over.
     *
     * @param progress the epoch's totals, rates over the whole epoch
     */
    default void epochFinished(LoaderProgress progress) {
    }

    /**
     * Called when a worker died and a new one was started in its place.
     *
     * @param worker        the worker's index
     * @param deadPid       the pid of the worker that died
     * @param exitCode      its exit code (137 for {@code kill -9})
     * @param newPid        the pid of its replacement
     * @param batchesRedone batches it owed, now assigned again
     */
    default void workerReplaced(int worker, long deadPid, int exitCode, long newPid, int batchesRedone) {
    }
}
