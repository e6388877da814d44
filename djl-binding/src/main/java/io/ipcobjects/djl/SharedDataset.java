package io.ipcobjects.djl;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.Sampler;
import ai.djl.util.Progress;

/**
 * A DJL {@link RandomAccessDataset} over shared tensors: a data tensor and, optionally, a label
 * tensor whose first dimension is the sample. DJL's {@code Trainer} and {@code EasyTrain.fit}
 * take it as they take any dataset; another process (a loader, a producer) fills the tensors.
 *
 * <pre>{@code
 * SharedDataset train = SharedDataset.builder()
 *         .setData(shm, "train-x")           // a SharedTensor [samples, features...] found by name
 *         .optLabels(shm, "train-y")         // [samples] or [samples, ...]
 *         .setSampling(64, true)             // batch size, shuffle (DJL's BatchSampler)
 *         .build();
 * EasyTrain.fit(trainer, epochs, train, null);
 * }</pre>
 *
 * <h2>What is copied</h2>
 * <ul>
 *   <li><b>A batch of consecutive samples</b> (every batch of a sequential sampler,
 *       {@code setSampling(n, false)}; any batch whose indices are {@code i, i+1, ..., i+n-1})
 *       is one slice of the shared tensors viewed as an {@code NDArray}: <b>no copy</b>. A write
 *       to the shared tensor is seen by the batch, and an in-place op on the batch writes the
 *       shared memory.</li>
 *   <li><b>Any other batch</b> (a shuffled sampler's) is gathered by PyTorch's indexing
 *       ({@code data[indices]}) from a view of the whole tensor into a new array of the batch's
 *       manager: <b>one copy per batch</b>, of exactly the batch's bytes, and no per-sample
 *       arrays.</li>
 *   <li>{@link #get(NDManager, long)} (a single {@link Record}) is a view of one sample, no copy.
 *       DJL's own paths that call it ({@code randomSplit}, {@code subDataset(List)}) stack the
 *       records with the {@code Batchifier}: one copy per batch there as well.
 *       {@link #subDataset(int, int)} gives a {@code SharedDataset} over a slice instead, so
 *       its contiguous batches stay views.</li>
 *   <li>Transforms ({@code optPipeline}, {@code addTransform}, target transforms) run on the
 *       whole batch, not on each sample; whether they copy is up to them. {@code optDevice}
 *       with a device other than the CPU copies the batch there.</li>
 * </ul>
 *
 * <h2>Why not DJL's default loader</h2>
 * {@code RandomAccessDataset.getData} fetches one {@code Record} per index and stacks them with
 * {@code Batchifier.STACK}: a copy of every batch even when its samples lie next to each other in
 * memory. This class overrides every {@code getData} to build batches from the sampler's index
 * lists itself: a run of consecutive indices becomes a slice, anything else one gather. The
 * batchifiers are kept for {@link Batch#split}, which DJL uses to spread a batch over devices.
 *
 * <h2>Managers and prefetch</h2>
 * Each pass ({@code getData(manager)}, one epoch of {@code EasyTrain.fit}) works in a sub-manager
 * of the manager DJL passes (the trainer's); each batch has its own sub-manager of that one, so
 * {@code batch.close()} frees the batch's arrays (never the shared tensor), and the pass's
 * manager, with any batch still open, is closed when the iteration ends, as in DJL's
 * {@code DataIterable} (unless {@code -Dai.djl.dataiterator.autoclose=false}). With an
 * {@code ExecutorService} ({@code TrainingConfig.optExecutorService}), up to
 * {@code optPrefetchNumber} (default 2) batches are made ahead on its threads; that matters for
 * gathered batches, views cost next to nothing.
 *
 * <h2>Shared memory</h2>
 * The tensors must be contiguous and of a dtype DJL can view ({@link SharedDjl#canView}). Tensor
 * bytes are not guarded by the region's lock: the producer finishes writing before it tells the
 * trainer (a name, a message), as for any shared tensor. A batch view keeps working after the
 * region is closed, until the batch is closed; a new pass over a closed region's tensors throws
 * {@code RegionClosedException}.
 */
public final class SharedDataset extends RandomAccessDataset {

    /** DJL's switch for its own loader: {@code -Dai.djl.dataiterator.autoclose=false} keeps a finished pass's manager open. */
    private static final boolean AUTO_CLOSE =
            Boolean.parseBoolean(System.getProperty("ai.djl.dataiterator.autoclose", "true"));

    private final SharedTensor data;
    private final SharedTensor labels;

    private SharedDataset(Builder builder) {
        super(builder);
        this.data = builder.data;
        this.labels = builder.labels;
    }

    /**
     * A builder in DJL's style: {@code setData} is required, {@code setSampling} too (as for
     * every {@code RandomAccessDataset}), the rest optional.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The data tensor, samples along axis 0.
     *
     * @return the tensor batches are cut from
     */
    public SharedTensor data() {
        return data;
    }

    /**
     * The label tensor, samples along axis 0, or null if the dataset has no labels.
     *
     * @return the label tensor or null
     */
    public SharedTensor labels() {
        return labels;
    }

    /**
     * Sample {@code index} as views of one row of the data and label tensors (no copy), attached
     * to {@code manager}.
     *
     * @param manager a PyTorch manager on the CPU
     * @param index   a sample in {@code [0, size())}
     * @return the sample's data and label (an empty label list without a label tensor)
     */
    @Override
    public Record get(NDManager manager, long index) {
        Objects.checkIndex(index, size());
        NDList x = new NDList(SharedDjl.newView(data.row(index), manager));
        NDList y = labels == null ? new NDList() : new NDList(SharedDjl.newView(labels.row(index), manager));
        return new Record(x, y);
    }

    /** Nothing to prepare: the tensors are already in memory. */
    @Override
    public void prepare(Progress progress) {
    }

    @Override
    protected long availableSize() {
        return data.shape(0);
    }

    /**
     * Batches of the builder's sampler, made on the calling thread.
     *
     * @param manager the manager batches' sub-managers are made from (the trainer's)
     * @return one pass over the dataset
     */
    @Override
    public Iterable<Batch> getData(NDManager manager) {
        return getData(manager, sampler, null);
    }

    /**
     * Batches of the builder's sampler, prefetched on {@code executor} when it is not null.
     *
     * @param manager  the manager batches' sub-managers are made from (the trainer's)
     * @param executor the threads to make batches ahead on, or null
     * @return one pass over the dataset
     */
    @Override
    public Iterable<Batch> getData(NDManager manager, ExecutorService executor) {
        return getData(manager, sampler, executor);
    }

    /**
     * Batches of {@code sampler}, made on the calling thread.
     *
     * @param manager the manager batches' sub-managers are made from
     * @param sampler the index lists of the batches
     * @return one pass over the dataset
     */
    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler) {
        return getData(manager, sampler, null);
    }

    /**
     * Batches of {@code sampler}, prefetched on {@code executor} when it is not null: consecutive
     * indices as views, others gathered with one copy (see the class comment).
     *
     * @param manager  the manager batches' sub-managers are made from
     * @param sampler  the index lists of the batches
     * @param executor the threads to make batches ahead on, or null
     * @return one pass over the dataset; the iteration starts when {@code iterator()} is called
     */
    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler, ExecutorService executor) {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(sampler, "sampler");
        return new Pass(manager, sampler, executor);
    }

    /**
     * The samples {@code [fromIndex, toIndex)} as a {@code SharedDataset} over slices of the same
     * tensors, with this dataset's sampler, transforms, prefetch and device: its contiguous
     * batches are views too (DJL's default {@code subDataset} stacks per-sample records).
     *
     * @param fromIndex the first sample, inclusive
     * @param toIndex   the end sample, exclusive
     * @return a dataset sharing memory with this one
     */
    @Override
    public SharedDataset subDataset(int fromIndex, int toIndex) {
        Objects.checkFromToIndex(fromIndex, toIndex, size());
        Builder b = builder()
                .setData(data.slice(fromIndex, toIndex))
                .setSampling(sampler)
                .optDataBatchifier(dataBatchifier)
                .optLabelBatchifier(labelBatchifier)
                .optPipeline(pipeline)
                .optTargetPipeline(targetPipeline)
                .optPrefetchNumber(prefetchNumber)
                .optDevice(device);
        if (labels != null) {
            b.optLabels(labels.slice(fromIndex, toIndex));
        }
        return b.build();
    }

    /** The batch of {@code indices}, in a new sub-manager of {@code parent}. */
    private Batch fetch(NDManager parent, List<Long> indices, long progress) {
        NDManager batchManager = parent.newSubManager();
        batchManager.setName("sharedDataset batch");
        try {
            int n = indices.size();
            long first = indices.getFirst();
            boolean run = isRun(indices);
            NDList x = new NDList(run ? SharedDjl.newView(data.slice(first, first + n), batchManager)
                    : gather(data, indices, batchManager));
            NDList y = labels == null ? new NDList()
                    : new NDList(run ? SharedDjl.newView(labels.slice(first, first + n), batchManager)
                    : gather(labels, indices, batchManager));
            if (pipeline != null) {
                x = pipeline.transform(x);
            }
            if (targetPipeline != null) {
                y = targetPipeline.transform(y);
            }
            if (device != null) {
                x = x.toDevice(device, false);
                y = y.toDevice(device, false);
            }
            return new Batch(batchManager, x, y, n, dataBatchifier, labelBatchifier, progress, size(), indices);
        } catch (RuntimeException | Error e) {
            batchManager.close();
            throw e;
        }
    }

    /** Whether {@code indices} are {@code i, i+1, ..., i+n-1}: the batch is one slice. */
    static boolean isRun(List<Long> indices) {
        long first = indices.getFirst();
        for (int i = 1; i < indices.size(); i++) {
            if (indices.get(i) != first + i) {
                return false;
            }
        }
        return true;
    }

    /**
     * Rows {@code indices} of {@code tensor} in one new array of {@code target}: PyTorch's
     * advanced indexing of a view of the whole tensor, the only copy. The whole-tensor view and
     * the index array live in a scratch manager closed at once.
     */
    private static NDArray gather(SharedTensor tensor, List<Long> indices, NDManager target) {
        long[] rows = new long[indices.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Objects.checkIndex(indices.get(i), tensor.shape(0));
        }
        try (NDManager scratch = target.newSubManager()) {
            NDArray whole = SharedDjl.newView(tensor, scratch);
            NDArray index = scratch.create(rows);
            NDArray rowsOfBatch = whole.get(target, new NDIndex("{}", index));
            rowsOfBatch.attach(target); // the copy outlives the scratch manager
            return rowsOfBatch;
        }
    }

    /** One pass over the dataset: an {@code Iterable} whose iterator starts the pass. */
    private final class Pass implements Iterable<Batch> {
        private final NDManager manager;
        private final Sampler sampler;
        private final ExecutorService executor;

        Pass(NDManager manager, Sampler sampler, ExecutorService executor) {
            this.manager = manager;
            this.sampler = sampler;
            this.executor = executor;
        }

        @Override
        public Iterator<Batch> iterator() {
            return new Batches(manager, sampler, executor);
        }
    }

    /**
     * The batches of one pass. Without an executor each {@code next()} makes its batch; with one,
     * {@code prefetchNumber} batches (at least one) are in flight, and each {@code next()} takes
     * the oldest and starts one more. The pass's sub-manager is closed when {@code hasNext()}
     * first answers false (see {@link #AUTO_CLOSE}).
     */
    private final class Batches implements Iterator<Batch> {
        private final NDManager passManager;
        private final Iterator<List<Long>> indexLists;
        private final ExecutorService executor;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private long progress;
        private boolean done;

        Batches(NDManager manager, Sampler sampler, ExecutorService executor) {
            this.passManager = manager.newSubManager();
            this.passManager.setName("sharedDataset pass");
            this.indexLists = sampler.sample(SharedDataset.this);
            this.executor = executor;
            if (executor != null) {
                for (int i = 0; i < Math.max(1, prefetchNumber); i++) {
                    submitNext();
                }
            }
        }

        private void submitNext() {
            if (indexLists.hasNext()) {
                List<Long> indices = indexLists.next();
                long p = progress += indices.size();
                inFlight.add(executor.submit(() -> fetch(passManager, indices, p)));
            }
        }

        @Override
        public boolean hasNext() {
            boolean more = executor == null ? indexLists.hasNext() : !inFlight.isEmpty();
            if (!more && !done) {
                done = true;
                if (AUTO_CLOSE) {
                    passManager.close();
                }
            }
            return more;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the pass over the dataset is over");
            }
            if (executor == null) {
                List<Long> indices = indexLists.next();
                progress += indices.size();
                return fetch(passManager, indices, progress);
            }
            submitNext();
            Future<Batch> oldest = inFlight.poll();
            try {
                return oldest.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a prefetched batch", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("making a batch failed: " + e.getCause(), e.getCause());
            }
        }
    }

    /** Builds a {@link SharedDataset}; DJL's {@code BaseBuilder} options apply as documented in the class comment. */
    public static final class Builder extends BaseBuilder<Builder> {
        private SharedTensor data;
        private SharedTensor labels;

        private Builder() {
        }

        /**
         * The data tensor, samples along axis 0 (required).
         *
         * @param data a contiguous tensor of a dtype DJL can view
         * @return this builder
         */
        public Builder setData(SharedTensor data) {
            this.data = Objects.requireNonNull(data, "data");
            return this;
        }

        /**
         * The data tensor published under {@code name} in {@code shm} (read under the lock, outside
         * any {@link SharedDjl#bind} scope of this thread).
         *
         * @param shm  the region
         * @param name the name the tensor was put under
         * @return this builder
         * @throws IllegalArgumentException if nothing is under {@code name}
         */
        public Builder setData(SharedMemory shm, String name) {
            return setData(named(shm, name));
        }

        /**
         * The label tensor, samples along axis 0, as many as the data's.
         *
         * @param labels a contiguous tensor of a dtype DJL can view
         * @return this builder
         */
        public Builder optLabels(SharedTensor labels) {
            this.labels = Objects.requireNonNull(labels, "labels");
            return this;
        }

        /**
         * The label tensor published under {@code name} in {@code shm}.
         *
         * @param shm  the region
         * @param name the name the tensor was put under
         * @return this builder
         * @throws IllegalArgumentException if nothing is under {@code name}
         */
        public Builder optLabels(SharedMemory shm, String name) {
            return optLabels(named(shm, name));
        }

        private static SharedTensor named(SharedMemory shm, String name) {
            SharedTensor t = shm.get(name, SharedTensor.class);
            if (t == null) {
                throw new IllegalArgumentException("no tensor named '" + name + "' in the region");
            }
            return t;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The dataset.
         *
         * @return a dataset over the tensors
         * @throws NullPointerException     if no data tensor or no sampler was set
         * @throws IllegalArgumentException if a tensor is a scalar, not contiguous, of a dtype DJL
         *                                  cannot view, or the label count differs from the sample count
         */
        public SharedDataset build() {
            Objects.requireNonNull(data, "the data tensor must be set (setData)");
            check("data", data);
            if (labels != null) {
                check("labels", labels);
                if (labels.shape(0) != data.shape(0)) {
                    throw new IllegalArgumentException("labels have " + labels.shape(0) + " samples, data "
                            + data.shape(0) + " (shapes " + Arrays.toString(labels.shape()) + " and "
                            + Arrays.toString(data.shape()) + ")");
                }
            }
            getSampler(); // DJL's message if none was set
            return new SharedDataset(this);
        }

        private static void check(String what, SharedTensor t) {
            if (t.rank() == 0) {
                throw new IllegalArgumentException(what + " is a scalar: samples go along axis 0");
            }
            if (!t.isContiguous()) {
                throw new IllegalArgumentException(what + " is not contiguous (strides "
                        + Arrays.toString(t.strides()) + "); DJL views need contiguous tensors");
            }
            if (!SharedDjl.canView(t.dtype())) {
                throw new IllegalArgumentException(what + " is " + t.dtype() + ", which DJL cannot view (SharedDjl.canView)");
            }
        }
    }
}
