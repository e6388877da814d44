package io.ipcobjects.nd4j;

import io.ipcobjects.TensorSpec;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.loader.LoaderBatch;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A DL4J / ND4J {@link DataSetIterator} over a {@link DataLoader}: each {@link #next()} is a batch
 * made by the loader's worker JVMs, its features and labels ND4J views of the ring slot the
 * workers wrote (no copy). {@code MultiLayerNetwork.fit(iterator, epochs)} and
 * {@code ComputationGraph.fit} take it as it is.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(shm, Augmented.class).workers(4).samples(60_000).batchSize(128)
 *         .part(DType.FLOAT32, 784).part(DType.FLOAT32, 10).shuffle(true).seed(42).build()) {
 *     net.fit(new LoaderDataSetIterator(loader), 10);
 * }
 * }</pre>
 *
 * <h2>Slots</h2>
 * The batch handed out last holds its slot until the next call of {@link #next()}, a
 * {@link #reset()}, the {@link #hasNext()} that ends the epoch, or {@link #release()}; then
 * the workers write another batch into it, so a {@code DataSet} must not be read after that
 * (DL4J's {@code fit} does not). A pre-processor runs on the views in place: the slot is the
 * trainer's while it holds it, and nothing else reads it. The {@code INDArray} views of a full
 * batch are made once per slot, are this iterator's own (never shared with another caller), and
 * are handed out again each time the slot comes back, unless their user closed them; an epoch's
 * partial last batch gets new ones. So a batch costs no ND4J array construction.
 *
 * <h2>No DL4J prefetch</h2>
 * {@link #asyncSupported()} is false, so {@code fit} uses the iterator as it is instead of
 * wrapping it in ND4J's {@code AsyncDataSetIterator}. The loader already makes batches ahead, in
 * its workers, up to its ring's slots; a prefetch thread calling {@code next()} ahead of the
 * network would give back the slot of a batch still waiting in its queue.
 *
 * <h2>Epochs</h2>
 * The first {@link #hasNext()} or {@link #next()} starts the loader's next epoch; {@link #reset()}
 * ends the current one (its unread batches are dropped) so that the next call starts a new one.
 * A reset before any batch of an epoch was read does nothing, so DL4J's habit of resetting at
 * the start of {@code fit} costs no epoch. Not thread-safe: one thread calls it at a time.
 */
public final class LoaderDataSetIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;

    private final transient DataLoader loader;
    private final transient int featuresPart;
    private final transient int labelsPart;
    private transient DataLoader.Epoch epoch;
    private transient LoaderBatch current;
    private transient boolean epochRead;
    private transient DataSetPreProcessor preProcessor;
    /** The views of each slot's full-batch tensors, made once (a slot is the same memory every time it comes back). */
    private final transient INDArray[] featureViews;
    private final transient INDArray[] labelViews;

    /**
     * Features from the loader's part 0 and labels from its part 1.
     *
     * @param loader a loader with at least two parts
     */
    public LoaderDataSetIterator(DataLoader loader) {
        this(loader, 0, 1);
    }

    /**
     * Features and labels from the loader's parts {@code featuresPart} and {@code labelsPart}.
     *
     * @param loader       the loader
     * @param featuresPart the part that holds the features
     * @param labelsPart   the part that holds the labels
     */
    public LoaderDataSetIterator(DataLoader loader, int featuresPart, int labelsPart) {
        this.loader = Objects.requireNonNull(loader, "loader");
        Objects.checkIndex(featuresPart, loader.batchSpecs().size());
        Objects.checkIndex(labelsPart, loader.batchSpecs().size());
        this.featuresPart = featuresPart;
        this.labelsPart = labelsPart;
        this.featureViews = new INDArray[loader.slotCount()];
        this.labelViews = new INDArray[loader.slotCount()];
    }

    /**
     * The loader the batches come from.
     *
     * @return the loader
     */
    public DataLoader loader() {
        return loader;
    }

    /** Gives the slot of the batch handed out last back to the workers, if it still holds one. */
    public void release() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    private DataLoader.Epoch epoch() {
        if (epoch == null) {
            epoch = loader.epoch();
            epochRead = false;
        }
        return epoch;
    }

    /**
     * Whether the epoch has another batch; the first call after {@link #reset()} starts one. The
     * call that answers false gives the last batch's slot back.
     */
    @Override
    public boolean hasNext() {
        boolean more = epoch().hasNext();
        if (!more) {
            release();
        }
        return more;
    }

    /**
     * The next batch: views of a ring slot the workers filled, after the pre-processor. Gives
     * the previous batch's slot back first.
     *
     * @throws NoSuchElementException at the end of the epoch
     * @throws io.ipcobjects.loader.LoaderException if the loader failed
     */
    @Override
    public DataSet next() {
        release();
        LoaderBatch batch = epoch().next();
        current = batch;
        epochRead = true;
        DataSet dataSet = new DataSet(features(batch), labels(batch));
        if (preProcessor != null) {
            preProcessor.preProcess(dataSet);
        }
        return dataSet;
    }

    /**
     * {@link #next()}: the workers make batches of the loader's size only.
     *
     * @param num the loader's batch size
     * @throws IllegalArgumentException for another size
     */
    @Override
    public DataSet next(int num) {
        if (num != loader.batchSize()) {
            throw new IllegalArgumentException("the loader's workers make batches of " + loader.batchSize() + ", not " + num);
        }
        return next();
    }

    /** The features of a batch: for a full batch the view made for its slot the first time, else a new one. */
    private INDArray features(LoaderBatch batch) {
        return view(batch, featuresPart, featureViews);
    }

    private INDArray labels(LoaderBatch batch) {
        return view(batch, labelsPart, labelViews);
    }

    /**
     * The view of {@code part} of {@code batch}: for a full batch the one this iterator made for
     * its slot before, unless its user closed it; else a new one ({@link SharedNd4j#newView}),
     * this iterator's own.
     */
    private INDArray view(LoaderBatch batch, int part, INDArray[] cache) {
        if (batch.size() != loader.batchSize()) {
            return atLeast2d(SharedNd4j.newView(batch.tensor(part)));
        }
        int slot = batch.slot().index();
        INDArray cached = cache[slot];
        if (cached == null || cached.wasClosed() || cached.data().wasClosed()) {
            cached = atLeast2d(SharedNd4j.newView(batch.tensor(part)));
            cache[slot] = cached;
        }
        return cached;
    }

    private static INDArray atLeast2d(INDArray array) {
        return array.rank() == 1 ? array.reshape('c', array.length(), 1) : array;
    }

    /** Ends the current epoch if any of its batches was read; the next call starts a new one. */
    @Override
    public void reset() {
        release();
        if (epoch != null && epochRead) {
            epoch = null;
        }
    }

    /** Always true: {@link #reset()} starts a new epoch of the loader. */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Always false: the loader's workers prefetch (see the class comment). */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return loader.batchSize();
    }

    /** Feature elements per sample: the product of the features part's sample shape. */
    @Override
    public int inputColumns() {
        return perSample(loader.batchSpecs().get(featuresPart));
    }

    /** Label elements per sample: the product of the labels part's sample shape (the classes of one-hot labels). */
    @Override
    public int totalOutcomes() {
        return perSample(loader.batchSpecs().get(labelsPart));
    }

    private int perSample(TensorSpec spec) {
        return Math.toIntExact(spec.elementCount() / loader.batchSize());
    }

    /**
     * Applied to each batch from the next one on, in place on the slot's views.
     *
     * @param preProcessor the pre-processor, or null for none
     */
    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** No label names. */
    @Override
    public List<String> getLabels() {
        return null;
    }

    /**
     * Not supported: batches are made by the workers.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void remove() {
        throw new UnsupportedOperationException("a LoaderDataSetIterator does not remove samples");
    }

    /**
     * Refuses to serialize: the iterator holds a loader of this JVM.
     *
     * @param out the stream
     * @throws NotSerializableException always
     */
    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException(getClass().getName() + " holds a DataLoader of this JVM");
    }

    @Override
    public String toString() {
        return "LoaderDataSetIterator[" + loader + "]";
    }
}
