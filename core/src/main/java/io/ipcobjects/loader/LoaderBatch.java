package io.ipcobjects.loader;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.TensorRing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One batch handed over by a {@link DataLoader}: zero-copy views of a slot of its ring, which
 * the trainer owns until it closes the batch. Closing gives the slot back to the workers; the
 * views must not be read after that (a worker is writing the next batch into them).
 */
public final class LoaderBatch implements AutoCloseable {
    private final DataLoader loader;
    private final TensorRing.Slot slot;
    private final long epoch;
    private final long index;
    private final int size;
    private final int batchSize;
    private final long bytes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private List<SharedTensor> tensors;

    LoaderBatch(DataLoader loader, TensorRing.Slot slot, long epoch, long index, int size, int batchSize, long bytes) {
        this.loader = loader;
        this.slot = slot;
        this.epoch = epoch;
        this.index = index;
        this.size = size;
        this.batchSize = batchSize;
        this.bytes = bytes;
    }

    /**
     * The epoch the batch belongs to, from 0.
     *
     * @return the epoch
     */
    public long epoch() {
        return epoch;
    }

    /**
     * The batch's index in its epoch, from 0.
     *
     * @return the index
     */
    public long index() {
        return index;
    }

    /**
     * Samples in the batch: the batch size, or fewer in an epoch's last batch.
     *
     * @return the sample count
     */
    public int size() {
        return size;
    }

    /**
     * Bytes of the batch's tensors, all parts.
     *
     * @return the bytes
     */
    public long byteSize() {
        return bytes;
    }

    /**
     * The sample indices the batch holds, row by row (computed from the loader's plan, as the
     * worker computed them).
     *
     * @return the indices
     */
    public long[] sampleIndices() {
        return loader.sampleIndices(epoch, index);
    }

    /**
     * The ring slot the batch lives in.
     *
     * @return the slot
     */
    public TensorRing.Slot slot() {
        return slot;
    }

    /**
     * The tensor of part {@code part}: a zero-copy view of {@link #size()} rows of the slot.
     *
     * @param part the part, in the order of {@link DataLoader.Builder#part}
     * @return the view
     * @throws IllegalStateException if the batch is closed
     */
    public SharedTensor tensor(int part) {
        return tensors().get(part);
    }

    /**
     * The tensors of every part, as {@link #tensor(int)} gives them.
     *
     * @return the views, one per part
     * @throws IllegalStateException if the batch is closed
     */
    public List<SharedTensor> tensors() {
        if (closed.get()) {
            throw new IllegalStateException("batch " + index + " of epoch " + epoch + " is closed: its slot was given back");
        }
        if (tensors == null) {
            int parts = loader.batchSpecs().size();
            List<SharedTensor> views = new ArrayList<>(parts);
            for (int p = 0; p < parts; p++) {
                SharedTensor t = slot.tensor(p);
                views.add(size == batchSize ? t : t.slice(0, size));
            }
            tensors = List.copyOf(views);
        }
        return tensors;
    }

    /**
     * Whether the batch was closed.
     *
     * @return true after {@link #close()}
     */
    public boolean isClosed() {
        return closed.get();
    }

    /** Gives the slot back to the workers; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            loader.release(slot);
        }
    }

    @Override
    public String toString() {
        return "LoaderBatch[epoch " + epoch + ", batch " + index + ", " + size + " samples]";
    }
}
