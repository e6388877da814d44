package io.ipcobjects.djl;

import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.loader.LoaderBatch;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.Batchifier;
import ai.djl.util.Progress;

/**
 * A DJL {@link Dataset} over a {@link DataLoader}: each pass ({@code getData}, one epoch of
 * {@code EasyTrain.fit}) is an epoch of the loader, and each {@link Batch} holds {@code NDArray}
 * views of the ring slot a worker JVM filled (no copy), attached to a sub-manager of the
 * manager DJL passes (the trainer's).
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(shm, Augmented.class).workers(4).samples(50_000).batchSize(128)
 *         .part(DType.FLOAT32, 3, 32, 32).part(DType.INT64).shuffle(true).seed(42).build()) {
 *     EasyTrain.fit(trainer, 10, new LoaderDataset(loader), null);
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Closing a batch ({@code EasyTrain} closes each after its step) frees its views and gives
 *       the slot back to the workers. A batch must not be read after that.</li>
 *   <li>When a pass ends (its iterator's {@code hasNext()} answers false), batches of it still
 *       open are closed, as DJL's own iterator closes its pass's manager (unless
 *       {@code -Dai.djl.dataiterator.autoclose=false}).</li>
 *   <li>DJL's prefetch executor is not used: the loader's workers already make batches ahead,
 *       up to its ring's slots.</li>
 *   <li>The dtypes of the parts must be ones DJL can view ({@link SharedDjl#canView}).</li>
 * </ul>
 */
public final class LoaderDataset implements Dataset {
    private static final boolean AUTO_CLOSE =
            Boolean.parseBoolean(System.getProperty("ai.djl.dataiterator.autoclose", "true"));

    private final DataLoader loader;
    private final int[] dataParts;
    private final int[] labelParts;

    /**
     * Data from the loader's part 0 and labels from its other parts.
     *
     * @param loader the loader
     */
    public LoaderDataset(DataLoader loader) {
        this(loader, new int[] {0}, rest(loader.batchSpecs().size()));
    }

    /**
     * Data and labels from the parts named.
     *
     * @param loader     the loader
     * @param dataParts  the parts that make a batch's data {@code NDList}, in order
     * @param labelParts the parts that make its labels {@code NDList}, in order
     */
    public LoaderDataset(DataLoader loader, int[] dataParts, int[] labelParts) {
        this.loader = Objects.requireNonNull(loader, "loader");
        int parts = loader.batchSpecs().size();
        for (int p : dataParts) {
            Objects.checkIndex(p, parts);
            if (!SharedDjl.canView(loader.batchSpecs().get(p).dtype())) {
                throw new IllegalArgumentException("DJL cannot view part " + p + " of dtype " + loader.batchSpecs().get(p).dtype());
            }
        }
        for (int p : labelParts) {
            Objects.checkIndex(p, parts);
            if (!SharedDjl.canView(loader.batchSpecs().get(p).dtype())) {
                throw new IllegalArgumentException("DJL cannot view part " + p + " of dtype " + loader.batchSpecs().get(p).dtype());
            }
        }
        this.dataParts = dataParts.clone();
        this.labelParts = labelParts.clone();
    }

    private static int[] rest(int parts) {
        int[] rest = new int[parts - 1];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = i + 1;
        }
        return rest;
    }

    /**
     * The loader the batches come from.
     *
     * @return the loader
     */
    public DataLoader loader() {
        return loader;
    }

    /**
     * One epoch of the loader: the epoch starts when the iterator is made.
     *
     * @param manager the manager batches' sub-managers are made from (the trainer's)
     * @return one pass
     */
    @Override
    public Iterable<Batch> getData(NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        return () -> new Pass(manager);
    }

    /**
     * As {@link #getData(NDManager)}: the executor is not used, the workers make batches ahead.
     *
     * @param manager  the manager batches' sub-managers are made from
     * @param executor ignored
     * @return one pass
     */
    @Override
    public Iterable<Batch> getData(NDManager manager, ExecutorService executor) {
        return getData(manager);
    }

    /** Nothing to prepare: the workers are running. */
    @Override
    public void prepare(Progress progress) {
    }

    /** The batches of one epoch. */
    private final class Pass implements Iterator<Batch> {
        private final NDManager manager;
        private final DataLoader.Epoch epoch;
        private final Set<SlotBatch> open = ConcurrentHashMap.newKeySet();
        private long progress;
        private boolean done;

        Pass(NDManager manager) {
            this.manager = manager;
            this.epoch = loader.epoch();
        }

        @Override
        public boolean hasNext() {
            boolean more = epoch.hasNext();
            if (!more && !done) {
                done = true;
                if (AUTO_CLOSE) {
                    for (SlotBatch batch : new ArrayList<>(open)) {
                        batch.close();
                    }
                }
            }
            return more;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch " + epoch.number() + " is over");
            }
            LoaderBatch batch = epoch.next();
            NDManager batchManager = manager.newSubManager();
            batchManager.setName("loader batch");
            try {
                NDList data = views(batch, dataParts, batchManager);
                NDList labels = views(batch, labelParts, batchManager);
                progress += batch.size();
                SlotBatch made = new SlotBatch(batchManager, data, labels, batch, progress, loader.sampleCount(), open);
                open.add(made);
                return made;
            } catch (RuntimeException | Error e) {
                batchManager.close();
                batch.close();
                throw e;
            }
        }
    }

    private static NDList views(LoaderBatch batch, int[] parts, NDManager manager) {
        NDList list = new NDList(parts.length);
        for (int p : parts) {
            list.add(SharedDjl.view(batch.tensor(p), manager));
        }
        return list;
    }

    /** A DJL batch whose close also gives the slot back. */
    private static final class SlotBatch extends Batch {
        private final LoaderBatch slot;
        private final Set<SlotBatch> open;

        SlotBatch(NDManager manager, NDList data, NDList labels, LoaderBatch slot, long progress, long total, Set<SlotBatch> open) {
            super(manager, data, labels, slot.size(), Batchifier.STACK, Batchifier.STACK, progress, total, indices(slot));
            this.slot = slot;
            this.open = open;
        }

        /** The batch's sample indices, computed when first asked for (most trainers never ask). */
        private static List<Long> indices(LoaderBatch slot) {
            return new AbstractList<>() {
                private long[] indices;

                private long[] indices() {
                    if (indices == null) {
                        indices = slot.sampleIndices();
                    }
                    return indices;
                }

                @Override
                public Long get(int index) {
                    return indices()[index];
                }

                @Override
                public int size() {
                    return slot.size();
                }
            };
        }

        @Override
        public void close() {
            try {
                super.close();
            } finally {
                slot.close();
                open.remove(this);
            }
        }
    }
}
