package io.ipcobjects.benchmarks.loader;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.benchmarks.BenchRegions;
import io.ipcobjects.djl.LoaderDataset;
import io.ipcobjects.examples.training.AugmentingSource;
import io.ipcobjects.examples.training.SyntheticShapes;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.loader.LoaderBatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Progress;

/**
 * Loading with a CPU-heavy transform, three ways in one run over the same data and the same
 * transform ({@link AugmentingSource#augment}: shift, noise, {@code --blur} box-blur passes of
 * each 16×16 image of {@link SyntheticShapes}, shuffled batches):
 * <ol>
 *   <li><b>ipc-objects</b>: a {@link DataLoader} with {@code --workers} worker JVMs writing batches
 *       into shared memory, the trainer taking them as views;</li>
 *   <li><b>DJL in-process</b>: a {@code RandomAccessDataset} whose {@code get} augments one sample,
 *       loaded by DJL's own {@code getData(manager, executor)} with {@code --workers} executor
 *       threads and a prefetch of {@code 2 * workers} batches (records stacked by the
 *       {@code Batchifier});</li>
 *   <li><b>DL4J in-process</b>: a {@code DataSetIterator} whose {@code next()} augments a batch,
 *       wrapped in ND4J's {@code AsyncDataSetIterator} (one prefetch thread, a queue of
 *       {@code 2 * workers}), as DL4J's {@code fit} wraps iterators.</li>
 * </ol>
 * Each is timed over {@code --epochs} epochs after one warm-up epoch, the consumer touching one
 * value of each batch; batches/s and GB/s count the float32 features and labels handed over.
 * With {@code --train}, it then times one DJL training epoch (an MLP, {@code EasyTrain.fit}) fed
 * by DJL's in-process loading and by the worker JVMs, after a warm-up epoch each.
 *
 * <pre>
 * benchmarks/run-loader.sh --samples 20000 --batch 64 --blur 8 --workers 2 --epochs 2 --train
 * </pre>
 */
public final class LoaderComparison {
    private int samples = 20000;
    private int batch = 64;
    private int blur = 8;
    private int workers = 2;
    private int epochs = 2;
    private boolean train;
    private long seed = 42;

    private LoaderComparison() {
    }

    public static void main(String[] args) throws Exception {
        LoaderComparison run = new LoaderComparison();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> run.samples = Integer.parseInt(args[++i]);
                case "--batch" -> run.batch = Integer.parseInt(args[++i]);
                case "--blur" -> run.blur = Integer.parseInt(args[++i]);
                case "--workers" -> run.workers = Integer.parseInt(args[++i]);
                case "--epochs" -> run.epochs = Integer.parseInt(args[++i]);
                case "--train" -> run.train = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --samples N --batch N --blur N --workers N --epochs N --train");
            }
        }
        run.run();
        System.exit(0);
    }

    private long batchBytes() {
        return (long) batch * (SyntheticShapes.PIXELS + 1) * Float.BYTES;
    }

    private void run() throws Exception {
        SharedMemory shm = SharedMemory.create(BenchRegions.uniqueName("bench-loader-cmp"),
                SyntheticShapes.bytes(samples) + (256L << 20));
        try {
            SyntheticShapes.publish(shm, samples, seed);
            SharedTensor images = shm.get(SyntheticShapes.IMAGES, SharedTensor.class);
            SharedTensor labels = shm.get(SyntheticShapes.LABELS, SharedTensor.class);
            long batchesPerEpoch = (samples + batch - 1) / batch;
            System.out.printf(Locale.ROOT, "loading %d samples of 16x16 in batches of %d (%d batches, %.1f kB each), blur %d, "
                            + "%d workers/threads, %d cores, %d measured epochs after 1 warm-up%n",
                    samples, batch, batchesPerEpoch, batchBytes() / 1e3, blur, workers,
                    Runtime.getRuntime().availableProcessors(), epochs);
            Map<String, double[]> results = new LinkedHashMap<>();
            results.put("ipc-objects DataLoader, " + workers + " worker JVMs", workerLoading(shm));
            results.put("DJL getData, " + workers + " executor threads, prefetch " + 2 * workers, djlLoading(images, labels));
            results.put("DL4J AsyncDataSetIterator (1 prefetch thread, queue " + 2 * workers + ")", dl4jLoading(images, labels));
            System.out.println();
            System.out.println("| loader | batches/s | GB/s |");
            System.out.println("|---|---|---|");
            results.forEach((name, r) -> System.out.printf(Locale.ROOT, "| %s | %.1f | %.4f |%n", name, r[0], r[0] * batchBytes() / 1e9));
            if (train) {
                System.out.println();
                double inProcess = djlTrainingEpoch(new AugmentedDataset(images, labels, blur, batch), true);
                double seconds;
                try (DataLoader loader = loader(shm)) {
                    seconds = djlTrainingEpoch(new LoaderDataset(loader), false);
                }
                System.out.println("| one DJL training epoch (MLP, EasyTrain.fit) fed by | seconds | samples/s |");
                System.out.println("|---|---|---|");
                System.out.printf(Locale.ROOT, "| DJL getData, %d executor threads | %.2f | %.0f |%n", workers, inProcess, samples / inProcess);
                System.out.printf(Locale.ROOT, "| ipc-objects DataLoader, %d worker JVMs | %.2f | %.0f |%n", workers, seconds, samples / seconds);
            }
        } finally {
            BenchRegions.closeAndRemove(shm);
        }
    }

    private DataLoader loader(SharedMemory shm) {
        return DataLoader.builder(shm, AugmentingSource.class)
                .workers(workers).samples(samples).batchSize(batch)
                .part(DType.FLOAT32, SyntheticShapes.PIXELS)
                .part(DType.FLOAT32)
                .shuffle(true).seed(seed)
                .sourceArg("blur", Integer.toString(blur))
                .build();
    }

    /** Batches/s of the loader's worker JVMs, the trainer touching one value of each batch. */
    private double[] workerLoading(SharedMemory shm) {
        try (DataLoader loader = loader(shm)) {
            double sum = 0;
            long start = 0;
            long batches = 0;
            for (int e = 0; e <= epochs; e++) {
                if (e == 1) {
                    start = System.nanoTime();
                }
                DataLoader.Epoch epoch = loader.epoch();
                while (epoch.hasNext()) {
                    try (LoaderBatch b = epoch.next()) {
                        sum += b.tensor(0).getFloatAt(0) + b.tensor(1).getFloatAt(0);
                        batches += e > 0 ? 1 : 0;
                    }
                }
            }
            return rate("ipc-objects", batches, start, sum);
        }
    }

    private double[] rate(String who, long batches, long start, double sink) {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d batches in %.2f s: %.1f batches/s, %.4f GB/s (checksum %.3f)%n",
                who, batches, seconds, batches / seconds, batches * batchBytes() / seconds / 1e9, sink);
        return new double[] {batches / seconds};
    }

    /** Batches/s of DJL's own loader over a dataset whose get() augments a sample. */
    private double[] djlLoading(SharedTensor images, SharedTensor labels) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(workers);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            AugmentedDataset dataset = new AugmentedDataset(images, labels, blur, batch);
            double sum = 0;
            long start = 0;
            long batches = 0;
            for (int e = 0; e <= epochs; e++) {
                if (e == 1) {
                    start = System.nanoTime();
                }
                dataset.epoch = e;
                for (Batch b : dataset.getData(manager, executor)) {
                    try (b) {
                        sum += b.getData().head().getFloat(0, 0) + b.getLabels().head().getFloat(0);
                        batches += e > 0 ? 1 : 0;
                    }
                }
            }
            return rate("DJL in-process", batches, start, sum);
        } finally {
            executor.shutdownNow();
        }
    }

    /** Batches/s of an augmenting iterator behind ND4J's AsyncDataSetIterator. */
    private double[] dl4jLoading(SharedTensor images, SharedTensor labels) {
        AugmentingIterator base = new AugmentingIterator(images, labels, blur, batch, seed);
        AsyncDataSetIterator async = new AsyncDataSetIterator(base, 2 * workers, true);
        try {
            double sum = 0;
            long start = 0;
            long batches = 0;
            for (int e = 0; e <= epochs; e++) {
                if (e == 1) {
                    start = System.nanoTime();
                }
                if (e > 0) {
                    async.reset();
                }
                while (async.hasNext()) {
                    DataSet ds = async.next();
                    sum += ds.getFeatures().getFloat(0, 0) + ds.getLabels().getFloat(0);
                    batches += e > 0 ? 1 : 0;
                }
            }
            return rate("DL4J in-process", batches, start, sum);
        } finally {
            async.shutdown();
        }
    }

    /** Seconds of one EasyTrain epoch of an MLP over {@code dataset}, after a warm-up epoch. */
    private double djlTrainingEpoch(Dataset dataset, boolean withExecutor) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(42);
        ExecutorService executor = withExecutor ? Executors.newFixedThreadPool(workers) : null;
        try (Model model = Model.newInstance("bench-mlp", Device.cpu(), "PyTorch")) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(256).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(SyntheticShapes.CLASSES).build()));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build())
                    .optDevices(new Device[] {Device.cpu()});
            if (executor != null) {
                config.optExecutorService(executor);
            }
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, SyntheticShapes.PIXELS));
                EasyTrain.fit(trainer, 1, dataset, null); // warm-up
                long start = System.nanoTime();
                EasyTrain.fit(trainer, 1, dataset, null);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "training epoch fed by %s: %.2f s%n",
                        withExecutor ? "DJL in-process loading" : "worker JVMs", seconds);
                return seconds;
            }
        } finally {
            if (executor != null) {
                executor.shutdownNow();
            }
        }
    }

    /** DJL's way: a RandomAccessDataset whose get() augments one sample; DJL stacks and prefetches. */
    static final class AugmentedDataset extends RandomAccessDataset {
        private final SharedTensor images;
        private final SharedTensor labels;
        private final int blur;
        volatile long epoch;

        AugmentedDataset(SharedTensor images, SharedTensor labels, int blur, int batch) {
            super(new Builder().setSampling(batch, true).optPrefetchNumber(4));
            this.images = images;
            this.labels = labels;
            this.blur = blur;
        }

        @Override
        public Record get(NDManager manager, long index) {
            float[] pixels = new float[SyntheticShapes.PIXELS];
            AugmentingSource.augment(images, index, epoch, blur, pixels, new float[SyntheticShapes.PIXELS]);
            return new Record(new NDList(manager.create(pixels)), new NDList(manager.create((float) labels.getInt(index))));
        }

        @Override
        protected long availableSize() {
            return images.shape(0);
        }

        @Override
        public void prepare(Progress progress) {
        }

        static final class Builder extends BaseBuilder<Builder> {
            @Override
            protected Builder self() {
                return this;
            }
        }
    }

    /** DL4J's way: an iterator whose next() augments a shuffled batch; AsyncDataSetIterator prefetches it. */
    static final class AugmentingIterator implements DataSetIterator {
        private static final long serialVersionUID = 1L;
        private final transient SharedTensor images;
        private final transient SharedTensor labels;
        private final int blur;
        private final int batch;
        private final long seed;
        private final int samples;
        private int[] order;
        private int cursor;
        private int epoch;
        private transient DataSetPreProcessor preProcessor;

        AugmentingIterator(SharedTensor images, SharedTensor labels, int blur, int batch, long seed) {
            this.images = images;
            this.labels = labels;
            this.blur = blur;
            this.batch = batch;
            this.seed = seed;
            this.samples = (int) images.shape(0);
            shuffle();
        }

        private void shuffle() {
            order = new int[samples];
            for (int i = 0; i < samples; i++) {
                order[i] = i;
            }
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed + epoch);
            for (int i = samples - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }

        @Override
        public DataSet next(int num) {
            int n = Math.min(num, samples - cursor);
            float[] x = new float[n * SyntheticShapes.PIXELS];
            float[] y = new float[n];
            float[] pixels = new float[SyntheticShapes.PIXELS];
            float[] scratch = new float[SyntheticShapes.PIXELS];
            for (int row = 0; row < n; row++) {
                int s = order[cursor + row];
                AugmentingSource.augment(images, s, epoch, blur, pixels, scratch);
                System.arraycopy(pixels, 0, x, row * SyntheticShapes.PIXELS, SyntheticShapes.PIXELS);
                y[row] = labels.getInt(s);
            }
            cursor += n;
            INDArray features = Nd4j.create(x, new long[] {n, SyntheticShapes.PIXELS}, 'c');
            INDArray classes = Nd4j.create(y, new long[] {n, 1}, 'c');
            DataSet ds = new DataSet(features, classes);
            if (preProcessor != null) {
                preProcessor.preProcess(ds);
            }
            return ds;
        }

        @Override
        public DataSet next() {
            return next(batch);
        }

        @Override
        public boolean hasNext() {
            return cursor < samples;
        }

        @Override
        public int inputColumns() {
            return SyntheticShapes.PIXELS;
        }

        @Override
        public int totalOutcomes() {
            return 1;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public boolean asyncSupported() {
            return true;
        }

        @Override
        public void reset() {
            epoch++;
            cursor = 0;
            shuffle();
        }

        @Override
        public int batch() {
            return batch;
        }

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
            return new ArrayList<>();
        }
    }
}
