package io.ipcobjects.loader;

/**
 * A moment of a {@link DataLoader}'s progress, as its {@link LoaderListener} and its log lines
 * report it. Rates are over the interval since the previous report (for
 * {@link LoaderListener#epochFinished}, over the whole epoch).
 *
 * @param epoch             the epoch being delivered, from 0
 * @param epochBatches      batches of this epoch handed to the trainer so far
 * @param batchesPerEpoch   batches in an epoch
 * @param batchesPerSecond  batches handed to the trainer per second
 * @param bytesPerSecond    bytes of those batches per second (every part of every batch)
 * @param totalBatches      batches handed over since the loader started
 * @param totalBytes        their bytes
 * @param trainerWaitNanos  how long the trainer waited in {@code next()} for a worker to publish a batch, over the same interval
 * @param intervalNanos     the interval the rates are over
 * @param workersReplaced   workers that died and were replaced since the loader started
 */
public record LoaderProgress(long epoch, long epochBatches, long batchesPerEpoch, double batchesPerSecond,
                             double bytesPerSecond, long totalBatches, long totalBytes, long trainerWaitNanos,
                             long intervalNanos, int workersReplaced) {

    /**
     * The share of the interval the trainer spent waiting for batches, from 0 to 1: near 0 the
     * loader keeps up, near 1 the trainer starves.
     *
     * @return the waiting share of the interval
     */
    public double trainerWaitShare() {
        return intervalNanos <= 0 ? 0 : Math.min(1.0, (double) trainerWaitNanos / intervalNanos);
    }

    /**
     * One line, as the loader logs it: {@code epoch 2: 120/500 batches, 85.3 batches/s, 1.12 GB/s, trainer waited 3%}.
     *
     * @return the line
     */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "epoch %d: %d/%d batches, %.1f batches/s, %s, trainer waited %.0f%%%s",
                epoch, epochBatches, batchesPerEpoch, batchesPerSecond, rate(bytesPerSecond), 100 * trainerWaitShare(),
                workersReplaced == 0 ? "" : ", " + workersReplaced + " workers replaced");
    }

    private static String rate(double bytesPerSecond) {
        if (bytesPerSecond >= 1e9) {
            return String.format(java.util.Locale.ROOT, "%.2f GB/s", bytesPerSecond / 1e9);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
    }
}
