package io.ipcobjects.nd4j;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;

class SharedDataSetIteratorTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @AfterEach
    void noWorkspaceLeftOpen() {
        Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
    }

    /** Features [n, 3] with row i = (i, 10 i, 100 i): column 0 is the sample's id. Labels [n, 2] = (i, -i). */
    private static SharedTensor[] idData(SharedMemory shm, int n) {
        SharedTensor x = shm.newTensor(DType.FLOAT32, n, 3);
        SharedTensor y = shm.newTensor(DType.FLOAT32, n, 2);
        for (int i = 0; i < n; i++) {
            x.setFloat(i, i, 0);
            x.setFloat(10f * i, i, 1);
            x.setFloat(100f * i, i, 2);
            y.setFloat(i, i, 0);
            y.setFloat(-i, i, 1);
        }
        return new SharedTensor[] {x, y};
    }

    /** The ids of one epoch, checking that each sample's features and labels belong together. */
    private static List<Integer> epochIds(SharedDataSetIterator it) {
        List<Integer> ids = new ArrayList<>();
        while (it.hasNext()) {
            DataSet batch = it.next();
            INDArray f = batch.getFeatures();
            INDArray l = batch.getLabels();
            assertEquals(f.size(0), l.size(0));
            for (int r = 0; r < f.size(0); r++) {
                int id = (int) f.getFloat(r, 0);
                assertEquals(10f * id, f.getFloat(r, 1));
                assertEquals(100f * id, f.getFloat(r, 2));
                assertEquals(id, l.getFloat(r, 0), "the labels row belongs to the features row");
                assertEquals(-id, l.getFloat(r, 1));
                ids.add(id);
            }
        }
        return ids;
    }

    private static void assertEverySampleOnce(List<Integer> ids, int n) {
        assertEquals(n, ids.size(), "samples visited in the epoch");
        Set<Integer> distinct = new HashSet<>(ids);
        assertEquals(n, distinct.size(), "no sample twice");
        for (int i = 0; i < n; i++) {
            assertTrue(distinct.contains(i), "sample " + i + " visited");
        }
    }

    @Test
    void sequentialBatchesAreViewsOfTheSharedTensors() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 10);
            SharedDataSetIterator it = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(4).build();
            assertFalse(it.isShuffled());
            assertEquals(4, it.batch());
            assertEquals(3, it.inputColumns());
            assertEquals(2, it.totalOutcomes());
            assertEquals(10, it.samples());
            assertTrue(it.resetSupported());
            assertTrue(it.asyncSupported());

            DataSet first = it.next();
            DataSet second = it.next();
            DataSet last = it.next();
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
            assertArrayEquals(new long[] {4, 3}, first.getFeatures().shape());
            assertArrayEquals(new long[] {2, 3}, last.getFeatures().shape(), "the last batch holds the rest");
            assertEquals(5f, second.getFeatures().getFloat(1, 0));
            assertEquals(-9f, last.getLabels().getFloat(1, 1));

            t[0].setFloat(-1f, 5, 2);                       // another writer changes sample 5
            assertEquals(-1f, second.getFeatures().getFloat(1, 2), "a sequential batch is a view of shared memory");
            t[1].setFloat(42f, 8, 0);
            assertEquals(42f, last.getLabels().getFloat(0, 0));
            first.getFeatures().putScalar(new long[] {3, 1}, 7f); // and writes into it are shared
            assertEquals(7f, t[0].getFloat(3, 1));

            it.reset();
            assertEquals(1, it.epoch());
            assertEquals(0f, it.next().getFeatures().getFloat(0, 0), "reset starts at the first sample again");
        }
    }

    @Test
    void aOneSampleLastBatchKeepsItsSampleAxisAndNextTakesAnyCount() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 10);
            for (boolean shuffle : new boolean[] {false, true}) {
                SharedDataSetIterator.Builder b = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(3);
                SharedDataSetIterator it = shuffle ? b.shuffle(8).build() : b.build();
                List<Long> sizes = new ArrayList<>();
                while (it.hasNext()) {
                    DataSet batch = it.next();
                    assertEquals(2, batch.getFeatures().rank(), "shuffle " + shuffle);
                    assertEquals(2, batch.getLabels().rank());
                    sizes.add(batch.getFeatures().size(0));
                }
                assertEquals(List.of(3L, 3L, 3L, 1L), sizes, "shuffle " + shuffle);
                it.reset();
                assertArrayEquals(new long[] {7, 3}, it.next(7).getFeatures().shape());
                assertArrayEquals(new long[] {3, 2}, it.next(50).getLabels().shape(), "next(n) stops at the end of the epoch");
                assertFalse(it.hasNext());
                assertThrows(IllegalArgumentException.class, () -> it.next(0));
            }
        }
    }

    @Test
    void aRank1AndAHigherRankTensorAreBatchedOnTheirFirstAxis() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor images = shm.newTensor(DType.FLOAT32, 6, 2, 2, 2);
            for (long i = 0; i < images.elementCount(); i++) {
                images.setFloatAt(i, i);
            }
            SharedTensor classes = shm.newTensor(DType.INT32, 6);
            for (int i = 0; i < 6; i++) {
                classes.setInt(i * 3, i);
            }
            SharedDataSetIterator seq = SharedDataSetIterator.builder().features(images).labels(classes).batchSize(4).build();
            assertEquals(8, seq.inputColumns());
            assertEquals(1, seq.totalOutcomes());
            DataSet b = seq.next();
            assertArrayEquals(new long[] {4, 2, 2, 2}, b.getFeatures().shape());
            assertArrayEquals(new long[] {4, 1}, b.getLabels().shape());
            assertEquals(8f * 3 + 7, b.getFeatures().getFloat(3, 1, 1, 1));
            assertEquals(9, b.getLabels().getInt(3, 0));

            SharedDataSetIterator shuffled = SharedDataSetIterator.builder().features(images).labels(classes).batchSize(6).shuffle(3).build();
            DataSet all = shuffled.next();
            assertArrayEquals(new long[] {6, 2, 2, 2}, all.getFeatures().shape());
            for (int r = 0; r < 6; r++) {
                int id = all.getLabels().getInt(r, 0) / 3;
                assertEquals(8f * id + 5, all.getFeatures().getFloat(r, 1, 0, 1), "row " + r + " is sample " + id);
            }
        }
    }

    @Test
    void shuffledEpochsVisitEverySampleOnceInANewOrderEachEpochAndTheSameOrderForTheSameSeed() {
        int n = 103;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, n);
            SharedDataSetIterator it = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(10).shuffle(42).build();
            SharedDataSetIterator twin = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(7).shuffle(42).build();
            SharedDataSetIterator other = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(10).shuffle(43).build();
            List<Integer> sequential = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sequential.add(i);
            }

            List<List<Integer>> epochs = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                List<Integer> ids = epochIds(it);
                assertEverySampleOnce(ids, n);
                assertNotEquals(sequential, ids, "epoch " + e + " is shuffled");
                assertEquals(ids, epochIds(twin), "the same seed gives the same order in epoch " + e + ", whatever the batch size");
                assertNotEquals(ids, epochIds(other), "another seed gives another order");
                epochs.add(ids);
                it.reset();
                twin.reset();
                other.reset();
            }
            assertNotEquals(epochs.get(0), epochs.get(1), "reset() draws a new order");
            assertNotEquals(epochs.get(1), epochs.get(2));
            assertEquals(3, it.epoch());
            assertNotEquals(SharedDataSetIterator.epochSeed(42, 0), SharedDataSetIterator.epochSeed(42, 1));
        }
    }

    @Test
    void aShuffledBatchIsACopy() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 20);
            SharedDataSetIterator it = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(20).shuffle(1).build();
            DataSet batch = it.next();
            INDArray before = batch.getFeatures().dup();
            t[0].fill(-5);
            assertEquals(before, batch.getFeatures(), "changing the shared tensor does not change a gathered batch");
            batch.getLabels().assign(99);
            assertEquals(-19f, t[1].getFloat(19, 1), "writing a gathered batch does not write shared memory");
        }
    }

    @Test
    void aPreProcessorThatWorksInPlaceSeesACopyAndLeavesTheSharedDataAlone() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 40);
            float[] sharedBefore = t[0].toFloatArray();
            for (boolean shuffle : new boolean[] {false, true}) {
                SharedDataSetIterator.Builder b = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(8);
                SharedDataSetIterator it = shuffle ? b.shuffle(9).build() : b.build();
                it.setPreProcessor(ds -> ds.getFeatures().muli(2));
                assertNotNull(it.getPreProcessor());
                DataSet batch = it.next();
                for (int r = 0; r < 8; r++) {
                    int id = (int) batch.getLabels().getFloat(r, 0);
                    assertEquals(2f * id, batch.getFeatures().getFloat(r, 0), "the pre-processor ran (shuffle " + shuffle + ")");
                    assertEquals(20f * id, batch.getFeatures().getFloat(r, 1));
                }
                assertArrayEquals(sharedBefore, t[0].toFloatArray(), "the shared features are unchanged (shuffle " + shuffle + ")");
            }

            // ND4J's own in-place normalizer, fitted over the iterator as DL4J users do
            SharedDataSetIterator it = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(8).build();
            NormalizerStandardize normalizer = new NormalizerStandardize();
            normalizer.fit(it);
            it.reset();
            it.setPreProcessor(normalizer);
            INDArray all = Nd4j.vstack(collectFeatures(it));
            assertEquals(0.0, all.meanNumber().doubleValue(), 1e-4, "standardized features");
            assertEquals(1.0, all.getColumn(0).stdNumber().doubleValue(), 0.05);
            assertArrayEquals(sharedBefore, t[0].toFloatArray(), "the shared features are unchanged by the normalizer");
        }
    }

    private static List<INDArray> collectFeatures(SharedDataSetIterator it) {
        List<INDArray> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next().getFeatures());
        }
        return out;
    }

    @Test
    void viewsAreNeverAttachedToAWorkspaceNorMovedOrFreedByOne() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 16);
            SharedDataSetIterator seq = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(8).build();
            SharedDataSetIterator shuffled = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(8).shuffle(5).build();
            WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1L << 20)
                    .policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.NONE).build();
            INDArray view;
            INDArray gathered;
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "SHARED_ITERATOR_TEST")) {
                DataSet batch = seq.next();
                view = batch.getFeatures();
                assertFalse(view.isAttached(), "a view made inside a workspace is not in it");
                assertSame(view, view.detach(), "detach() leaves a view as it is");
                assertSame(view, view.leverageTo("SHARED_ITERATOR_TEST"), "leverageTo() leaves a view as it is");
                INDArray migrated = view.migrate();
                assertTrue(migrated.isAttached(), "migrate() inside a workspace copies into it");
                migrated.addi(1000);
                assertEquals(3f, view.getFloat(3, 0), "the copy is not the shared memory");
                batch.detach();
                batch.migrate();
                gathered = shuffled.next().getFeatures();
                assertTrue(gathered.isAttached(), "a gathered batch is allocated in the open workspace, as ND4J arrays are");
            }
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
            assertEquals(7f, view.getFloat(7, 0), "the view reads shared memory after the workspace is gone");
            assertEquals(70f, t[0].getFloat(7, 1));
            view.putScalar(new long[] {0, 0}, 0.5f);
            assertEquals(0.5f, t[0].getFloat(0, 0));
        }
    }

    @Test
    void ndAsyncPrefetchYieldsTheSameBatchesAndLeavesTheSharedDataAlone() {
        int n = 50;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, n);
            float[] before = t[0].toFloatArray();
            for (boolean shuffle : new boolean[] {false, true}) {
                SharedDataSetIterator.Builder b = SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(6);
                SharedDataSetIterator direct = shuffle ? b.shuffle(11).build() : b.build();
                SharedDataSetIterator prefetched = shuffle
                        ? SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(6).shuffle(11).build()
                        : SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(6).build();
                List<Integer> expected = epochIds(direct);
                AsyncDataSetIterator async = new AsyncDataSetIterator(prefetched, 2, true);
                try {
                    for (int epoch = 0; epoch < 2; epoch++) {
                        List<Integer> ids = new ArrayList<>();
                        while (async.hasNext()) {
                            DataSet batch = async.next();
                            for (int r = 0; r < batch.getFeatures().size(0); r++) {
                                int id = (int) batch.getFeatures().getFloat(r, 0);
                                assertEquals(id, batch.getLabels().getFloat(r, 0));
                                ids.add(id);
                            }
                        }
                        assertEquals(expected, ids, "epoch " + epoch + " through the prefetch (shuffle " + shuffle + ")");
                        async.reset();
                        direct.reset();
                        expected = epochIds(direct);
                    }
                } finally {
                    async.shutdown();
                }
                assertArrayEquals(before, t[0].toFloatArray());
            }
        }
    }

    @Test
    void tensorsAreFoundByNameAndMistakesAreReported() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor[] t = idData(shm, 12);
            shm.put("x", t[0]);
            shm.put("y", SharedNd4j.store(shm, SharedNd4j.view(t[1]))); // stored from an INDArray: reads back as one
            shm.put("text", "not a tensor");
            SharedDataSetIterator it = SharedDataSetIterator.builder().features(shm, "x").labels(shm, "y").batchSize(12)
                    .labelNames(List.of("id", "minus id")).build();
            assertEquals(List.of("id", "minus id"), it.getLabels());
            assertEquals(epochIds(SharedDataSetIterator.builder().features(t[0]).labels(t[1]).batchSize(5).build()), epochIds(it));

            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> SharedDataSetIterator.builder().features(shm, "nothing"));
            assertTrue(missing.getMessage().contains("\"nothing\" holds nothing"), missing.getMessage());
            IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                    () -> SharedDataSetIterator.builder().labels(shm, "text"));
            assertTrue(text.getMessage().contains("java.lang.String"), text.getMessage());
            SharedTensor shorter = shm.newTensor(DType.FLOAT32, 11, 2);
            IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                    () -> SharedDataSetIterator.builder().features(t[0]).labels(shorter).batchSize(4).build());
            assertTrue(sizes.getMessage().contains("12 samples and labels 11"), sizes.getMessage());
            assertThrows(IllegalStateException.class, () -> SharedDataSetIterator.builder().features(t[0]).batchSize(4).build());
            assertThrows(IllegalStateException.class, () -> SharedDataSetIterator.builder().features(t[0]).labels(t[1]).build());
            assertThrows(IllegalArgumentException.class, () -> SharedDataSetIterator.builder().batchSize(0));
            assertThrows(UnsupportedOperationException.class, it::remove);
            assertThrows(java.io.NotSerializableException.class,
                    () -> new java.io.ObjectOutputStream(java.io.OutputStream.nullOutputStream()).writeObject(it));
        }
    }
}
