package io.ipcobjects.nd4j;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** DL4J's {@code fit} over a {@link DataLoader} whose worker JVMs make the batches. */
@Timeout(300)
class LoaderDataSetIteratorTest {
    private static final int SAMPLES = 600;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private DataLoader loader(SharedMemory shm, int slots) {
        return DataLoader.builder(shm, ClassificationSource.class)
                .workers(2).samples(SAMPLES).batchSize(32).slots(slots)
                .part(DType.FLOAT32, ClassificationData.FEATURES)
                .part(DType.FLOAT32, ClassificationData.CLASSES)
                .shuffle(true).seed(3)
                .batchTimeout(Duration.ofSeconds(60))
                .build();
    }

    @Test
    void fitTrainsOverBatchesMadeByWorkerJvms() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             DataLoader loader = loader(shm, 4)) {
            MultiLayerNetwork net = SharedDataSetIteratorTrainingTest.tinyMlp();
            DataSet all = ClassificationSource.all(SAMPLES);
            INDArray paramsBefore = net.params().dup();
            double before = net.score(all);
            LoaderDataSetIterator it = new LoaderDataSetIterator(loader);
            assertFalse(it.asyncSupported(), "no DL4J prefetch: the workers prefetch");
            net.fit(it, 5);
            double after = net.score(all);
            assertNotEquals(paramsBefore, net.params(), "training changed the parameters");
            assertTrue(after < 0.6 * before, "the score went down: " + before + " -> " + after);
            assertTrue(loader.workersReplaced() == 0);
        }
    }

    @Test
    void aViewClosedByItsUserIsMadeAgainWhenItsSlotComesBack() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             DataLoader loader = loader(shm, 2)) {
            LoaderDataSetIterator it = new LoaderDataSetIterator(loader);
            for (int epoch = 0; epoch < 2; epoch++) {
                Set<String> seen = new HashSet<>();
                while (it.hasNext()) {
                    DataSet batch = it.next();
                    INDArray x = batch.getFeatures();
                    assertFalse(x.wasClosed(), "a closed view is never handed out");
                    for (int row = 0; row < x.rows(); row++) {
                        seen.add(java.util.Arrays.toString(x.getRow(row).toFloatVector()));
                    }
                    if (epoch == 0) {
                        x.close(); // the user closes it: the slot's next batch gets a new view
                    }
                }
                assertEquals(SAMPLES, seen.size(), "every sample once in epoch " + epoch);
                it.reset();
            }
        }
    }

    @Test
    void batchesAreViewsOfTheSlotsAndEachEpochHoldsEverySampleOnce() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20);
             DataLoader loader = loader(shm, 2)) {
            io.ipcobjects.SharedTensor probe = shm.newTensor(DType.FLOAT32, 1);
            long regionBase = probe.address() - probe.dataOffset();
            LoaderDataSetIterator it = new LoaderDataSetIterator(loader);
            assertEquals(ClassificationData.FEATURES, it.inputColumns());
            assertEquals(ClassificationData.CLASSES, it.totalOutcomes());
            assertEquals(32, it.batch());
            it.reset(); // before any batch: no epoch is spent
            Set<INDArray> views = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int epoch = 0; epoch < 3; epoch++) {
                Set<String> seen = new HashSet<>();
                int samples = 0;
                float[] features = new float[ClassificationData.FEATURES];
                while (it.hasNext()) {
                    DataSet batch = it.next();
                    INDArray x = batch.getFeatures();
                    views.add(x);
                    long offset = x.data().address() + x.offset() * 4 - regionBase;
                    assertTrue(offset > 0 && offset < shm.size(), "the features are a view of the region, at " + offset);
                    for (int row = 0; row < x.rows(); row++) {
                        float[] got = x.getRow(row).toFloatVector();
                        seen.add(java.util.Arrays.toString(got));
                        samples++;
                    }
                }
                assertEquals(SAMPLES, samples);
                assertEquals(SAMPLES, seen.size(), "every sample once in epoch " + epoch);
                it.reset();
            }
            assertEquals(2 + 3, views.size(), "one view per slot for full batches, a new one for each epoch's partial last batch");
            // two slots only: the epochs above went through because each batch's slot was given back
            assertThrows(IllegalArgumentException.class, () -> it.next(7));
        }
    }
}
