package io.ipcobjects.nd4j;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DL4J / ND4J {@link DataSetIterator} over a features tensor and a labels tensor in shared
 * memory, samples on the first axis of both: what {@code MultiLayerNetwork.fit(iterator, epochs)}
 * and {@code ComputationGraph.fit(iterator, epochs)} take, with no adapter and no copy of the
 * dataset into the training JVM.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.attach("mnist", Duration.ofSeconds(30))) {
 *     SharedDataSetIterator train = SharedDataSetIterator.builder()
 *             .features(shm, "train-x")          // [samples, 784] FLOAT32, put by another process
 *             .labels(shm, "train-y")            // [samples, 10] one-hot
 *             .batchSize(128)
 *             .shuffle(42)                       // or leave out: sequential, zero-copy batches
 *             .build();
 *     net.fit(train, 10);                        // DL4J prefetches through its AsyncDataSetIterator
 * }
 * }</pre>
 *
 * <h2>Which batches are copies</h2>
 * <ul>
 *   <li><b>Sequential</b> (the default): each batch's features and labels are ND4J views of a
 *       contiguous range of rows of the shared tensors, with no copy. A process that writes the
 *       shared tensor changes the batch, and a write into the batch writes shared memory.</li>
 *   <li><b>Shuffled</b> ({@link Builder#shuffle(long)}): each batch is gathered from its rows
 *       with one copy (ND4J's {@code pullRows}) into a new array of the JVM, allocated where ND4J
 *       allocates: in the current workspace if one is open (DL4J's prefetch thread opens one).</li>
 *   <li><b>With a pre-processor</b>: a sequential batch is copied once ({@code dup}) before the
 *       pre-processor runs, so a normalizer that works in place ({@code subi}, {@code divi})
 *       changes the copy and never the shared data. A shuffled batch is already a copy and is
 *       handed to the pre-processor as is.</li>
 * </ul>
 *
 * <h2>Epochs and order</h2>
 * {@link #reset()} starts a new epoch: the cursor goes back to the first sample and, when
 * shuffling, the order is a new permutation drawn from a seed derived from the base seed and the
 * epoch number ({@link #epochSeed}). The same base seed gives the same sequence of orders in any
 * process. The last batch of an epoch holds the remaining samples and may be smaller than
 * {@link #batch()}.
 *
 * <h2>Workspaces and DL4J's prefetch</h2>
 * {@link #asyncSupported()} is true, so DL4J's {@code fit} wraps this iterator in ND4J's
 * {@code AsyncDataSetIterator}: a prefetch thread calls {@link #next()} inside a cyclic workspace
 * of its own and queues the {@code DataSet}s. A view over shared memory is safe there: its buffer
 * wraps memory ND4J did not allocate, so it is never attached to a workspace (even when made
 * inside one), workspace resets and closes do not touch it, ND4J never frees it, and
 * {@code detach()} and {@code leverageTo(...)} return it as it is. {@code migrate()} inside a
 * workspace copies it into that workspace, leaving the shared memory as it was. A shuffled batch
 * is an ordinary workspace array, as those of ND4J's own iterators are.
 *
 * <p>A batch view keeps the region's mapping alive while it is reachable (see {@link SharedNd4j});
 * the shared tensors must stay allocated while the iterator is used. The element types are those
 * of the tensors (ND4J's {@code DataType} of each {@code DType}); DL4J networks want floating
 * point features. Not thread-safe: one thread calls it at a time, as DL4J's prefetch does. Not
 * serializable, although the interface extends {@code Serializable}: it holds views of memory
 * mapped in this process, and {@code writeObject} throws {@code NotSerializableException}.
 */
public final class SharedDataSetIterator implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    /** Added once per epoch to the base seed before mixing; the golden-ratio increment of {@link SplittableRandom}. */
    private static final long EPOCH_SEED_STEP = 0x9E3779B97F4A7C15L;

    /** The whole features tensor as an ND4J view, at least 2-D (a 1-D tensor is seen as one column). */
    private final transient INDArray features;
    private final transient INDArray labels;
    /** The same memory as {@code [samples, elements per sample]}, for gathering rows. */
    private final transient INDArray featureRows;
    private final transient INDArray labelRows;
    private final transient long samples;
    private final transient int batchSize;
    private final transient boolean shuffle;
    private final transient long seed;
    private final transient List<String> labelNames;

    private transient DataSetPreProcessor preProcessor;
    private transient int epoch;
    /** The next sample of the epoch: an index into the samples, or into {@code order} when shuffling. */
    private transient long cursor;
    /** The order of the current epoch when shuffling; null when sequential. */
    private transient int[] order;

    private SharedDataSetIterator(Builder b) {
        this.features = atLeast2d(b.features);
        this.labels = atLeast2d(b.labels);
        this.samples = features.size(0);
        if (labels.size(0) != samples) {
            throw new IllegalArgumentException("features hold " + samples + " samples and labels "
                    + labels.size(0) + " (both must have the samples on their first axis)");
        }
        if (samples == 0) {
            throw new IllegalArgumentException("the features and labels tensors hold no samples");
        }
        if (b.shuffle && samples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shuffling supports at most " + Integer.MAX_VALUE + " samples, not " + samples);
        }
        this.featureRows = features.reshape('c', samples, features.length() / samples);
        this.labelRows = labels.reshape('c', samples, labels.length() / samples);
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.labelNames = b.labelNames;
        this.order = shuffle ? permutation((int) samples, epochSeed(seed, 0)) : null;
    }

    /**
     * A builder: {@link Builder#features}, {@link Builder#labels} and {@link Builder#batchSize}
     * are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link SharedDataSetIterator}. */
    public static final class Builder {
        private INDArray features;
        private INDArray labels;
        private int batchSize;
        private boolean shuffle;
        private long seed;
        private List<String> labelNames;

        private Builder() {
        }

        /**
         * The features tensor, samples on its first axis.
         *
         * @param tensor a shared tensor of any dtype and rank at least 1
         * @return this builder
         */
        public Builder features(SharedTensor tensor) {
            this.features = SharedNd4j.newView(Objects.requireNonNull(tensor, "tensor"));
            return this;
        }

        /**
         * The features tensor stored in {@code shm} under {@code name} (a {@code SharedTensor}, or
         * a tensor stored from an {@code INDArray}, which reads back as an {@code INDArray} view).
         *
         * @param shm  the region
         * @param name the name the tensor was put under
         * @return this builder
         * @throws IllegalArgumentException if the name holds no tensor
         */
        public Builder features(SharedMemory shm, String name) {
            this.features = named(shm, name);
            return this;
        }

        /**
         * The labels tensor, samples on its first axis (one-hot rows for classification).
         *
         * @param tensor a shared tensor of any dtype and rank at least 1
         * @return this builder
         */
        public Builder labels(SharedTensor tensor) {
            this.labels = SharedNd4j.newView(Objects.requireNonNull(tensor, "tensor"));
            return this;
        }

        /**
         * The labels tensor stored in {@code shm} under {@code name}, as for
         * {@link #features(SharedMemory, String)}.
         *
         * @param shm  the region
         * @param name the name the tensor was put under
         * @return this builder
         * @throws IllegalArgumentException if the name holds no tensor
         */
        public Builder labels(SharedMemory shm, String name) {
            this.labels = named(shm, name);
            return this;
        }

        /**
         * Samples per batch (the last batch of an epoch may hold fewer).
         *
         * @param batchSize at least 1
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Visits the samples in a new random order each epoch, drawn from {@code seed} and the
         * epoch number; batches are then gathered with one copy each. Without this call the order
         * is sequential and batches are views.
         *
         * @param seed the base seed: the same seed gives the same orders in any process
         * @return this builder
         */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /**
         * Visits the samples in their stored order, each batch a view (the default).
         *
         * @return this builder
         */
        public Builder sequential() {
            this.shuffle = false;
            return this;
        }

        /**
         * Names of the label columns, returned by {@link SharedDataSetIterator#getLabels()}
         * (null, as by default, when there are none).
         *
         * @param names one name per label column
         * @return this builder
         */
        public Builder labelNames(List<String> names) {
            this.labelNames = names == null ? null : List.copyOf(names);
            return this;
        }

        /**
         * The iterator, positioned at the first batch of epoch 0.
         *
         * @return a new iterator
         * @throws IllegalStateException    if features, labels or the batch size are missing
         * @throws IllegalArgumentException if the tensors hold different numbers of samples, or none
         */
        public SharedDataSetIterator build() {
            if (features == null || labels == null) {
                throw new IllegalStateException("both features and labels must be given");
            }
            if (batchSize == 0) {
                throw new IllegalStateException("a batch size must be given");
            }
            return new SharedDataSetIterator(this);
        }

        private static INDArray named(SharedMemory shm, String name) {
            Object value = shm.get(Objects.requireNonNull(name, "name"));
            if (value instanceof SharedTensor tensor) {
                return SharedNd4j.newView(tensor);
            }
            if (value instanceof INDArray array) {
                return array; // a tensor stored from an INDArray reads back as a view of it
            }
            throw new IllegalArgumentException("name \"" + name + "\" holds "
                    + (value == null ? "nothing" : "a " + value.getClass().getName()) + ", not a tensor");
        }
    }

    /**
     * The seed of epoch {@code epoch}'s order: the base seed advanced by the epoch number and
     * mixed, so consecutive epochs get unrelated permutations.
     *
     * @param seed  the base seed
     * @param epoch the epoch number, 0 for the first
     * @return the seed the epoch's permutation is drawn from
     */
    static long epochSeed(long seed, int epoch) {
        return new SplittableRandom(seed + EPOCH_SEED_STEP * epoch).nextLong();
    }

    /** A uniform permutation of {@code [0, n)} (Fisher-Yates), the same for the same seed in every JVM. */
    private static int[] permutation(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static INDArray atLeast2d(INDArray array) {
        if (array.rank() == 0) {
            throw new IllegalArgumentException("a tensor of samples needs at least one axis; this one is a scalar");
        }
        return array.rank() == 1 ? array.reshape('c', array.length(), 1) : array;
    }

    /**
     * The number of samples in each tensor.
     *
     * @return the size of the first axis
     */
    public long samples() {
        return samples;
    }

    /**
     * The current epoch: 0 after {@link Builder#build()}, one more after each {@link #reset()}.
     *
     * @return the epoch number
     */
    public int epoch() {
        return epoch;
    }

    /**
     * Whether batches are gathered in a shuffled order (copies) rather than sequentially (views).
     *
     * @return true when built with {@link Builder#shuffle(long)}
     */
    public boolean isShuffled() {
        return shuffle;
    }

    @Override
    public boolean hasNext() {
        return cursor < samples;
    }

    /**
     * The next batch of {@link #batch()} samples (fewer at the end of the epoch): views of the
     * shared tensors when sequential, one gathered copy when shuffled; then the pre-processor.
     *
     * @throws NoSuchElementException at the end of the epoch
     */
    @Override
    public DataSet next() {
        return next(batchSize);
    }

    /**
     * As {@link #next()} with {@code num} samples instead of {@link #batch()}.
     *
     * @param num at least 1
     * @throws NoSuchElementException at the end of the epoch
     */
    @Override
    public DataSet next(int num) {
        if (num < 1) {
            throw new IllegalArgumentException("a batch needs at least 1 sample, not " + num);
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has no more samples; reset() starts the next one");
        }
        long from = cursor;
        long to = Math.min(samples, from + num);
        cursor = to;
        DataSet batch;
        if (order == null) {
            batch = new DataSet(rows(features, from, to), rows(labels, from, to));
            if (preProcessor != null) {
                batch = new DataSet(batch.getFeatures().dup(), batch.getLabels().dup()); // the pre-processor may work in place
            }
        } else {
            int[] picked = Arrays.copyOfRange(order, (int) from, (int) to);
            batch = new DataSet(gather(featureRows, features, picked), gather(labelRows, labels, picked));
        }
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    /** A view of samples {@code [from, to)}: an interval on the first axis, every other axis whole. */
    private static INDArray rows(INDArray whole, long from, long to) {
        INDArrayIndex[] index = new INDArrayIndex[whole.rank()];
        index[0] = NDArrayIndex.interval(from, to);
        for (int axis = 1; axis < index.length; axis++) {
            index[axis] = NDArrayIndex.all();
        }
        return whole.get(index);
    }

    /** One copy of the picked samples, in their order, with the sample shape of {@code whole}. */
    private static INDArray gather(INDArray rows, INDArray whole, int[] picked) {
        INDArray gathered = Nd4j.pullRows(rows, 1, picked, 'c');
        long[] shape = whole.shape();
        shape[0] = picked.length;
        return gathered.reshape('c', shape);
    }

    /** Starts a new epoch: back to the first sample, in a new order when shuffling. */
    @Override
    public void reset() {
        epoch++;
        cursor = 0;
        if (shuffle) {
            order = permutation((int) samples, epochSeed(seed, epoch));
        }
    }

    /** Always true: {@link #reset()} starts a new epoch. */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** Always true: DL4J may prefetch batches on another thread (see the class comment on workspaces). */
    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    /** The number of feature elements per sample (the second axis of a 2-D features tensor). */
    @Override
    public int inputColumns() {
        return Math.toIntExact(featureRows.size(1));
    }

    /** The number of label elements per sample (the classes of one-hot labels). */
    @Override
    public int totalOutcomes() {
        return Math.toIntExact(labelRows.size(1));
    }

    /**
     * Applied to each batch from the next one on; a sequential batch is copied first (see the
     * class comment), so the shared data is never changed by it.
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

    @Override
    public List<String> getLabels() {
        return labelNames;
    }

    /**
     * Not supported: samples live in shared memory, this iterator only reads them.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void remove() {
        throw new UnsupportedOperationException("a SharedDataSetIterator does not remove samples");
    }

    /**
     * Refuses to serialize: the iterator holds views of memory mapped in this process.
     *
     * @param out the stream
     * @throws NotSerializableException always
     */
    private void writeObject(ObjectOutputStream out) throws NotSerializableException {
        throw new NotSerializableException(getClass().getName() + " holds views of shared memory mapped in this process");
    }

    @Override
    public String toString() {
        return "SharedDataSetIterator[" + samples + " samples, batch " + batchSize
                + (shuffle ? ", shuffled, seed " + seed : ", sequential") + ", epoch " + epoch + ", at " + cursor + "]";
    }
}
