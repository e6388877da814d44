package io.ipcobjects.djl;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

/** DJL's {@code EasyTrain.fit} over a {@link DataLoader} whose worker JVMs make the batches. */
@Timeout(300)
class LoaderDatasetTest {
    private static final int SAMPLES = 512;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private DataLoader loader(SharedMemory shm, int slots) {
        return DataLoader.builder(shm, BlobsSource.class)
                .workers(2).samples(SAMPLES).batchSize(32).slots(slots)
                .part(DType.FLOAT32, BlobsSource.FEATURES)
                .part(DType.FLOAT32)
                .shuffle(true).seed(9)
                .batchTimeout(Duration.ofSeconds(60))
                .build();
    }

    /** Samples {@code 0 ... n-1}: features [n, 4] and classes [n] in {@code manager}. */
    private static NDList all(NDManager manager) {
        float[] x = new float[SAMPLES * BlobsSource.FEATURES];
        float[] y = new float[SAMPLES];
        float[] features = new float[BlobsSource.FEATURES];
        for (int i = 0; i < SAMPLES; i++) {
            y[i] = BlobsSource.sample(i, features);
            System.arraycopy(features, 0, x, i * BlobsSource.FEATURES, BlobsSource.FEATURES);
        }
        return new NDList(manager.create(x, new Shape(SAMPLES, BlobsSource.FEATURES)), manager.create(y));
    }

    private static float loss(Trainer trainer) {
        try (NDManager scratch = trainer.getManager().newSubManager()) {
            NDList data = all(scratch);
            NDArray predictions = trainer.evaluate(new NDList(data.get(0))).singletonOrThrow();
            return trainer.getLoss().evaluate(new NDList(data.get(1)), new NDList(predictions)).getFloat();
        }
    }

    @Test
    void easyTrainFitTrainsOverBatchesMadeByWorkerJvms() throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(7);
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             DataLoader loader = loader(shm, 4);
             Model model = Model.newInstance("loader-mlp", Device.cpu(), "PyTorch")) {
            model.setBlock(new Mlp(BlobsSource.FEATURES, 2, new int[] {16}));
            List<String> wrong = new ArrayList<>();
            int[] batches = new int[1];
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())
                    .optDevices(new Device[] {Device.cpu()})
                    .addTrainingListeners(new TrainingListenerAdapter() {
                        @Override
                        public void onTrainingBatch(Trainer t, BatchData batchData) {
                            Batch batch = batchData.getBatch();
                            batches[0]++;
                            float[] x = batch.getData().singletonOrThrow().toFloatArray();
                            float[] features = new float[BlobsSource.FEATURES];
                            List<?> indices = batch.getIndices();
                            for (int row = 0; row < indices.size(); row++) {
                                BlobsSource.sample((Long) indices.get(row), features);
                                if (!Arrays.equals(features, Arrays.copyOfRange(x, row * 4, row * 4 + 4))) {
                                    wrong.add("row " + row + " of a batch is not sample " + indices.get(row));
                                }
                            }
                        }
                    });
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, BlobsSource.FEATURES));
                float[] weightBefore = model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
                float before = loss(trainer);
                EasyTrain.fit(trainer, 3, new LoaderDataset(loader), null);
                float after = loss(trainer);
                float[] weightAfter = model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
                assertFalse(Arrays.equals(weightBefore, weightAfter), "training changed the parameters");
                assertTrue(after < before, "the loss went down: " + before + " -> " + after);
                assertEquals(3 * 16, batches[0], "batches trained on");
                assertEquals(List.of(), wrong);
            }
        }
    }

    @Test
    void aPassIsAnEpochAndClosingBatchesGivesTheSlotsBack() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             DataLoader loader = loader(shm, 1);
             NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            LoaderDataset dataset = new LoaderDataset(loader);
            for (int epoch = 0; epoch < 3; epoch++) {
                boolean[] seen = new boolean[SAMPLES];
                Iterator<Batch> pass = dataset.getData(manager).iterator();
                while (pass.hasNext()) {
                    try (Batch batch = pass.next()) {
                        assertEquals(2, batch.getData().size() + batch.getLabels().size());
                        for (Object index : batch.getIndices()) {
                            assertFalse(seen[(int) (long) (Long) index], "sample " + index + " twice");
                            seen[(int) (long) (Long) index] = true;
                        }
                        assertEquals(batch.getSize(), batch.getLabels().singletonOrThrow().getShape().get(0));
                    }
                }
                for (int i = 0; i < SAMPLES; i++) {
                    assertTrue(seen[i], "sample " + i + " in epoch " + epoch);
                }
            }
            // The last batch of a pass left open is closed when the pass ends, and its slot (the
            // only one) comes back for the next pass.
            Iterator<Batch> pass = dataset.getData(manager).iterator();
            Batch last = null;
            while (pass.hasNext()) {
                if (last != null) {
                    last.close();
                }
                last = pass.next();
            }
            assertTrue(last.getData().head().isReleased(), "the pass closed its last batch");
            assertThrows(java.util.NoSuchElementException.class, pass::next);
            Iterator<Batch> next = dataset.getData(manager).iterator();
            assertTrue(next.hasNext());
            next.next().close(); // the slot of the batch left open came back
        }
    }
}
