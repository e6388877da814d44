package io.ipcobjects.djl;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.basicmodelzoo.basic.Mlp;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.dataset.Record;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

class SharedDatasetTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Row i of x is [i, i + 0.5, -i]; y[i] = 10 i: a sample carries its id. */
    private static void fillWithIds(SharedTensor x, SharedTensor y) {
        for (long i = 0; i < x.shape(0); i++) {
            x.setFloat(i, i, 0);
            x.setFloat(i + 0.5f, i, 1);
            x.setFloat(-i, i, 2);
            y.setFloat(10f * i, i);
        }
    }

    @Test
    void sequentialBatchesAreViewsOfTheSharedTensors() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, 10, 3);
            SharedTensor y = shm.newTensor(DType.FLOAT32, 10);
            fillWithIds(x, y);
            SharedDataset dataset = SharedDataset.builder().setData(x).optLabels(y).setSampling(4, false).build();
            assertEquals(10, dataset.size());

            List<Integer> sizes = new ArrayList<>();
            List<Long> progress = new ArrayList<>();
            List<NDArray> seen = new ArrayList<>();
            long first = 0;
            for (Batch batch : dataset.getData(manager)) {
                NDArray data = batch.getData().singletonOrThrow();
                NDArray labels = batch.getLabels().singletonOrThrow();
                int n = batch.getSize();
                assertEquals(new Shape(n, 3), data.getShape());
                assertEquals(new Shape(n), labels.getShape());
                assertEquals(first, (long) data.getFloat(0, 0));
                assertEquals(10f * first, labels.getFloat(0));

                x.setFloat(1000f + first, first, 1);          // the shared tensor changes...
                assertEquals(1000f + first, data.getFloat(0, 1), "the batch sees the write: no copy");
                labels.addi(1f);                                // ...and the batch writes the shared tensor
                assertEquals(10f * first + 1f, y.getFloat(first));

                sizes.add(n);
                progress.add(batch.getProgress());
                seen.add(data);
                first += n;
                batch.close();
                assertTrue(data.isReleased(), "closing the batch frees its views");
            }
            assertEquals(List.of(4, 4, 2), sizes);
            assertEquals(List.of(4L, 8L, 10L), progress);
            assertEquals(1008f, x.getFloat(8, 1), "closing the batches left the shared tensor alone");
        }
    }

    @Test
    void shuffledEpochsGiveEverySampleOnceAndCopyEachBatchOnce() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            int samples = 103;
            SharedTensor x = shm.newTensor(DType.FLOAT32, samples, 3);
            SharedTensor y = shm.newTensor(DType.FLOAT32, samples);
            fillWithIds(x, y);
            SharedDataset dataset = SharedDataset.builder().setData(x).optLabels(y)
                    .setSampling(8, true).optPrefetchNumber(3).build();
            ExecutorService executor = Executors.newFixedThreadPool(2);
            try {
                for (ExecutorService threads : new ExecutorService[] {null, executor}) {
                    for (int epoch = 0; epoch < 2; epoch++) {
                        checkShuffledEpoch(dataset, threads, x, samples);
                    }
                }
            } finally {
                executor.shutdownNow();
            }
        }
    }

    private void checkShuffledEpoch(SharedDataset dataset, ExecutorService threads, SharedTensor x, int samples) {
        int[] times = new int[samples];
        int gathered = 0;
        for (Batch batch : dataset.getData(manager, threads)) {
            NDArray data = batch.getData().singletonOrThrow();
            NDArray labels = batch.getLabels().singletonOrThrow();
            int n = batch.getSize();
            assertEquals(new Shape(n, 3), data.getShape(), "one array for the whole batch, not one per sample");
            List<?> indices = batch.getIndices();
            for (int i = 0; i < n; i++) {
                int id = (int) data.getFloat(i, 0);
                assertEquals(((Long) indices.get(i)).intValue(), id, "row i of the batch is the sampler's i-th index");
                assertEquals(-id, data.getFloat(i, 2));
                assertEquals(10f * id, labels.getFloat(i), "labels gathered with the same indices");
                times[id]++;
            }
            if (!SharedDataset.isRun(indicesOf(batch))) {
                gathered++;
                int id = (int) data.getFloat(0, 0);
                x.setFloat(-1f, id, 0);
                assertEquals(id, data.getFloat(0, 0), "a gathered batch is a copy: later writes do not reach it");
                x.setFloat(id, id, 0);
            }
            batch.close();
        }
        for (int id = 0; id < samples; id++) {
            assertEquals(1, times[id], "sample " + id + " once per epoch");
        }
        assertTrue(gathered > 0, "a shuffled epoch of 13 batches has batches that are not one slice");
    }

    @SuppressWarnings("unchecked")
    private static List<Long> indicesOf(Batch batch) {
        return (List<Long>) batch.getIndices();
    }

    @Test
    void aRecordIsAViewOfOneSampleAndASubDatasetSlicesTheTensors() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, 10, 3);
            SharedTensor y = shm.newTensor(DType.FLOAT32, 10);
            fillWithIds(x, y);
            SharedDataset dataset = SharedDataset.builder().setData(x).optLabels(y).setSampling(2, false).build();
            Record r = dataset.get(manager, 7);
            assertEquals(new Shape(3), r.getData().singletonOrThrow().getShape());
            assertEquals(70f, r.getLabels().singletonOrThrow().getFloat());
            x.setFloat(42f, 7, 2);
            assertEquals(42f, r.getData().singletonOrThrow().getFloat(2));
            assertThrows(IndexOutOfBoundsException.class, () -> dataset.get(manager, 10));

            SharedDataset tail = dataset.subDataset(6, 10);
            assertEquals(4, tail.size());
            Batch first = tail.getData(manager).iterator().next();
            assertEquals(6f, first.getData().singletonOrThrow().getFloat(0, 0));
            x.setFloat(-6f, 6, 1);
            assertEquals(-6f, first.getData().singletonOrThrow().getFloat(0, 1), "a sub-dataset's batch is a view");
            first.close();
        }
    }

    @Test
    void theEndOfAPassFreesBatchesLeftOpenAsDjlsLoaderDoes() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, 10, 3);
            SharedTensor y = shm.newTensor(DType.FLOAT32, 10);
            fillWithIds(x, y);
            SharedDataset dataset = SharedDataset.builder().setData(x).optLabels(y).setSampling(3, true).build();
            List<NDArray> open = new ArrayList<>();
            Iterator<Batch> pass = dataset.getData(manager).iterator();
            while (pass.hasNext()) {
                open.add(pass.next().getData().singletonOrThrow()); // never closed by the caller
            }
            assertEquals(4, open.size());
            for (NDArray a : open) {
                assertTrue(a.isReleased());
            }
            assertThrows(java.util.NoSuchElementException.class, pass::next);
            assertEquals(9f, x.getFloat(9, 0), "the shared tensor outlives the batches");
        }
    }

    @Test
    void theBuilderRefusesWhatItCannotServe() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, 10, 3);
            SharedTensor fewer = shm.newTensor(DType.FLOAT32, 9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SharedDataset.builder().setData(x).optLabels(fewer).setSampling(2, false).build());
            assertTrue(e.getMessage().contains("9"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> SharedDataset.builder().setData(shm.newTensor(DType.INT16, 4, 2)).setSampling(2, false).build());
            assertTrue(e.getMessage().contains("INT16"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> SharedDataset.builder().setData(shm, "missing"));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            assertThrows(NullPointerException.class, () -> SharedDataset.builder().setData(x).build(), "no sampler");
        }
    }

    /** Two Gaussian blobs in 4 dimensions, class 0 around -1, class 1 around +1; y as float class ids. */
    static void fillBlobs(SharedTensor x, SharedTensor y, long seed) {
        Random random = new Random(seed);
        long features = x.shape(1);
        for (long i = 0; i < x.shape(0); i++) {
            int label = random.nextInt(2);
            for (long f = 0; f < features; f++) {
                x.setFloat((float) (random.nextGaussian() * 0.7 + (label == 0 ? -1 : 1)), i, f);
            }
            y.setFloat(label, i);
        }
    }

    /** Whether {@code batchData}'s row 0 (sample {@code sample}) sees a write to the shared tensor; restores it. */
    static boolean seesWrites(NDArray batchData, SharedTensor x, long sample) {
        float old = x.getFloat(sample, 0);
        x.setFloat(old + 1000f, sample, 0);
        boolean seen = batchData.getFloat(0, 0) == old + 1000f;
        x.setFloat(old, sample, 0);
        return seen;
    }

    /** Loss and accuracy of the model on all samples. */
    private static float[] lossAndAccuracy(Trainer trainer, SharedTensor x, SharedTensor y) {
        try (NDManager scratch = trainer.getManager().newSubManager()) {
            NDArray features = SharedDjl.view(x, scratch);
            NDArray labels = SharedDjl.view(y, scratch);
            NDArray predictions = trainer.evaluate(new NDList(features)).singletonOrThrow();
            float loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(predictions)).getFloat();
            float accuracy = predictions.argMax(1).toType(labels.getDataType(), false).eq(labels)
                    .sum().getLong() / (float) x.shape(0);
            return new float[] {loss, accuracy};
        }
    }

    /**
     * Trains a small MLP with {@code EasyTrain.fit} over {@code dataset}; asserts that the
     * parameters change, the loss on all samples goes down, and the batches EasyTrain trained on
     * were views exactly when their samples were consecutive; returns loss and accuracy before
     * and after, and the number of batches that were views.
     */
    static float[] trainMlp(SharedDataset dataset, SharedTensor x, SharedTensor y, ExecutorService executor) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(7);
        try (Model model = Model.newInstance("shared-mlp", Device.cpu(), "PyTorch")) {
            model.setBlock(new Mlp((int) x.shape(1), 2, new int[] {16}));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())
                    .optDevices(new Device[] {Device.cpu()});
            if (executor != null) {
                config.optExecutorService(executor);
            }
            int[] viewsAndCopies = new int[2];
            config.addTrainingListeners(new TrainingListenerAdapter() {
                @Override
                public void onTrainingBatch(Trainer t, BatchData batchData) {
                    Batch batch = batchData.getBatch();
                    boolean view = seesWrites(batch.getData().singletonOrThrow(), x, indicesOf(batch).getFirst());
                    assertEquals(SharedDataset.isRun(indicesOf(batch)), view,
                            "the batch EasyTrain trained on is a view exactly when its samples are consecutive");
                    viewsAndCopies[view ? 0 : 1]++;
                }
            });
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, x.shape(1)));
                NDArray firstWeight = model.getBlock().getParameters().get(0).getValue().getArray();
                float[] weightBefore = firstWeight.toFloatArray();
                float[] before = lossAndAccuracy(trainer, x, y);
                EasyTrain.fit(trainer, 3, dataset, null);
                float[] after = lossAndAccuracy(trainer, x, y);
                float[] weightAfter = model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
                assertFalse(java.util.Arrays.equals(weightBefore, weightAfter), "training changed the parameters");
                assertTrue(after[0] < before[0], "loss went down: " + before[0] + " -> " + after[0]);
                assertEquals(3 * (int) Math.ceilDiv(x.shape(0), 32), viewsAndCopies[0] + viewsAndCopies[1], "batches trained on");
                return new float[] {before[0], before[1], after[0], after[1], viewsAndCopies[0]};
            }
        }
    }

    @Test
    void easyTrainFitTrainsAnMlpOverSharedBatches() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, 512, 4);
            SharedTensor y = shm.newTensor(DType.FLOAT32, 512);
            fillBlobs(x, y, 1);
            float[] sequential = trainMlp(SharedDataset.builder().setData(x).optLabels(y).setSampling(32, false).build(),
                    x, y, null);
            assertTrue(sequential[3] > 0.9f, "accuracy after training: " + sequential[3]);
            assertEquals(3 * 16, sequential[4], "every sequential batch was a view");
            ExecutorService executor = Executors.newFixedThreadPool(2);
            try {
                float[] shuffled = trainMlp(SharedDataset.builder().setData(x).optLabels(y).setSampling(32, true).build(),
                        x, y, executor);
                assertTrue(shuffled[3] > 0.9f, "accuracy after training: " + shuffled[3]);
                assertTrue(shuffled[4] < 3 * 16, "shuffled batches were gathered");
            } finally {
                executor.shutdownNow();
            }
        }
    }

    /** Publishes a blob dataset as "x" and "y", then "ready", and stays until a message comes. Args: region, samples. */
    public static final class Producer {
        public static void main(String[] args) {
            int samples = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.create(args[0], 16L << 20)) {
                SharedTensor x = shm.newTensor(DType.FLOAT32, samples, 4);
                SharedTensor y = shm.newTensor(DType.FLOAT32, samples);
                fillBlobs(x, y, 2);
                shm.put("x", x);
                shm.put("y", y);
                shm.put("ready", "yes"); // after the tensors are written
                System.out.println("published=" + samples);
                Object done = shm.takeMessage(Duration.ofSeconds(300));
                System.out.println("message=" + done);
            }
        }
    }

    @Test
    void trainsOverTensorsAnotherJvmPublished() throws Exception {
        String name = regions.newName();
        try (ChildJvm producer = ChildJvm.builder(Producer.class).args(name, "384").echo("[producer] ").start()) {
            ChildJvm.awaitCondition(() -> Files.exists(SharedMemory.defaultPath(name)), Duration.ofSeconds(120),
                    "the producer's region file", producer);
            try (SharedMemory shm = SharedMemory.attach(name, Duration.ofSeconds(60))) {
                ChildJvm.awaitCondition(() -> shm.contains("ready"), Duration.ofSeconds(120), "the producer's tensors", producer);
                SharedDataset dataset = SharedDataset.builder()
                        .setData(shm, "x").optLabels(shm, "y").setSampling(32, false).build();
                SharedTensor x = dataset.data();
                SharedTensor y = dataset.labels();

                Batch batch = dataset.getData(manager).iterator().next();
                NDArray view = batch.getData().singletonOrThrow();
                assertEquals(x.getFloat(3, 2), view.getFloat(3, 2));
                float old = x.getFloat(3, 2);
                x.setFloat(123f, 3, 2);
                assertEquals(123f, view.getFloat(3, 2), "a batch of the other JVM's tensor is a view of it");
                x.setFloat(old, 3, 2);
                batch.close();

                float[] result = trainMlp(dataset, x, y, null);
                assertTrue(result[3] > 0.9f, "accuracy after training: " + result[3]);
                producer.failIfDied("the producer to wait for the end of training");
                shm.putMessage("done");
            }
            ChildJvm.Result r = producer.awaitSuccess(Duration.ofSeconds(60));
            assertEquals("done", r.value("message"), r.describe());
        }
    }
}
