package io.ipcobjects.loader;

import io.ipcobjects.SharedTensor;

import java.util.List;

/**
 * The user's data: reads samples, transforms them (decode, augment) and writes a batch into
 * shared memory. A {@link DataLoader} names the implementing class; each worker JVM makes one
 * instance with its public no-argument constructor, calls {@link #open} once, then
 * {@link #fill} for every batch the trainer assigns it, and {@link #close} when it stops.
 *
 * <pre>{@code
 * public final class Images implements BatchSource {
 *     private Decoder decoder;
 *
 *     public void open(WorkerContext context) {
 *         decoder = new Decoder(Path.of(context.arg("dir")));
 *     }
 *
 *     public void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) {
 *         SharedTensor x = tensors.get(0), y = tensors.get(1);  // [samples.length, ...] each
 *         for (int row = 0; row < samples.length; row++) {
 *             Random random = new Random(epoch * 1_000_003 + samples[row]);  // reproducible augmentation
 *             float[] pixels = augment(decoder.image(samples[row]), random);
 *             x.copyFrom(pixels, 0, (long) row * pixels.length, pixels.length);
 *             y.setLong(decoder.label(samples[row]), row);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>A worker is single-threaded: one instance fills one batch at a time. An exception thrown
 * by {@link #open} or {@link #fill} ends the worker with {@link LoaderWorker#SOURCE_FAILED}, and
 * the loader fails with the worker's output instead of restarting it (a restart would throw
 * again); a worker that dies otherwise (killed, out of memory, {@code Runtime.halt}) is
 * replaced.
 */
public interface BatchSource {

    /**
     * Called once in the worker before the first batch.
     *
     * @param context the worker's index, the loader's plan and the arguments given to
     *                {@link DataLoader.Builder#sourceArg}
     * @throws Exception anything that stops the worker
     */
    default void open(WorkerContext context) throws Exception {
    }

    /**
     * Writes the samples {@code samples} into the rows of {@code tensors}: row {@code i} of every
     * tensor is sample {@code samples[i]}. The tensors are zero-copy views of a slot of the
     * loader's ring, one per part of the loader, with {@code samples.length} rows (fewer than
     * the batch size only in an epoch's last batch). Whatever the previous batch left in the slot
     * is still there: write every element the trainer reads.
     *
     * @param epoch   the epoch the batch belongs to, from 0 (with the sample index, a seed for
     *                augmentation that is the same whichever worker fills the batch)
     * @param batch   the batch's index in its epoch, from 0
     * @param samples the sample indices, in {@code [0, sampleCount)}
     * @param tensors the slot's tensors, in the order of the loader's parts
     * @throws Exception anything that stops the worker
     */
    void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) throws Exception;

    /**
     * Called once when the worker stops cleanly.
     *
     * @throws Exception reported on the worker's standard error; the worker exits all the same
     */
    default void close() throws Exception {
    }
}
