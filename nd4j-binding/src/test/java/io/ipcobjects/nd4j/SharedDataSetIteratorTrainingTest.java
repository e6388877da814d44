package io.ipcobjects.nd4j;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J trains over a {@link SharedDataSetIterator} as it is: {@code fit(iterator, epochs)} with
 * DL4J's own prefetch (its {@code AsyncDataSetIterator}) and workspaces, on data in this JVM's
 * region and on data another JVM published.
 */
class SharedDataSetIteratorTrainingTest {

    private static final int SAMPLES = 512;
    private static final long DATA_SEED = 20_26L;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    static MultiLayerNetwork tinyMlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7)
                .updater(new Adam(0.05))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(ClassificationData.FEATURES).nOut(16).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(16).nOut(ClassificationData.CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Passes every call on to the iterator and records which threads asked for batches, so a test
     * can tell that DL4J's prefetch thread, not the caller, iterated.
     */
    static final class Recording implements DataSetIterator {
        private static final long serialVersionUID = 1L;
        final transient SharedDataSetIterator inner;
        final Set<Thread> nextThreads = ConcurrentHashMap.newKeySet();
        final AtomicInteger batches = new AtomicInteger();

        Recording(SharedDataSetIterator inner) {
            this.inner = inner;
        }

        @Override public DataSet next(int num) { nextThreads.add(Thread.currentThread()); batches.incrementAndGet(); return inner.next(num); }
        @Override public DataSet next() { nextThreads.add(Thread.currentThread()); batches.incrementAndGet(); return inner.next(); }
        @Override public boolean hasNext() { return inner.hasNext(); }
        @Override public int inputColumns() { return inner.inputColumns(); }
        @Override public int totalOutcomes() { return inner.totalOutcomes(); }
        @Override public boolean resetSupported() { return inner.resetSupported(); }
        @Override public boolean asyncSupported() { return inner.asyncSupported(); }
        @Override public void reset() { inner.reset(); }
        @Override public int batch() { return inner.batch(); }
        @Override public void setPreProcessor(DataSetPreProcessor p) { inner.setPreProcessor(p); }
        @Override public DataSetPreProcessor getPreProcessor() { return inner.getPreProcessor(); }
        @Override public List<String> getLabels() { return inner.getLabels(); }
    }

    /** Trains {@code net} 6 epochs over {@code it}; checks that the parameters moved, the score fell and DL4J prefetched. */
    private static void trainsThroughThePrefetch(MultiLayerNetwork net, SharedDataSetIterator it, DataSet all) {
        double before = net.score(all);
        INDArray params = net.params().dup();
        Recording recording = new Recording(it);
        net.fit(recording, 6);
        double after = net.score(all);
        assertNotEquals(params, net.params(), "fit changed the parameters");
        assertTrue(after < 0.6 * before, "the score went down: " + before + " -> " + after);
        assertEquals(6 * (SAMPLES / 32), recording.batches.get(), "every batch of 6 epochs was fitted");
        assertFalse(recording.nextThreads.contains(Thread.currentThread()),
                "batches came from DL4J's prefetch thread, not the caller: " + recording.nextThreads);
        assertEquals(5, it.epoch(), "each epoch after the first began with reset()");
    }

    @Test
    void multiLayerNetworkFitsOverSequentialAndShuffledBatches() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.FEATURES);
            SharedTensor y = shm.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.CLASSES);
            ClassificationData.write(x, y, DATA_SEED);
            float[] features = x.toFloatArray();
            float[] labels = y.toFloatArray();
            DataSet all = new DataSet(SharedNd4j.view(x).dup(), SharedNd4j.view(y).dup());

            trainsThroughThePrefetch(tinyMlp(),
                    SharedDataSetIterator.builder().features(x).labels(y).batchSize(32).build(), all);
            trainsThroughThePrefetch(tinyMlp(),
                    SharedDataSetIterator.builder().features(x).labels(y).batchSize(32).shuffle(99).build(), all);
            assertArrayEquals(features, x.toFloatArray(), "training did not write the shared features");
            assertArrayEquals(labels, y.toFloatArray(), "nor the shared labels");
        }
    }

    @Test
    void computationGraphFitsOverTheIterator() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor x = shm.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.FEATURES);
            SharedTensor y = shm.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.CLASSES);
            ClassificationData.write(x, y, DATA_SEED);
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                    .seed(7)
                    .updater(new Adam(0.05))
                    .weightInit(WeightInit.XAVIER)
                    .graphBuilder()
                    .addInputs("in")
                    .addLayer("hidden", new DenseLayer.Builder().nIn(ClassificationData.FEATURES).nOut(16).activation(Activation.TANH).build(), "in")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .nIn(16).nOut(ClassificationData.CLASSES).activation(Activation.SOFTMAX).build(), "hidden")
                    .setOutputs("out")
                    .build();
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init();
            DataSet all = new DataSet(SharedNd4j.view(x).dup(), SharedNd4j.view(y).dup());
            double before = graph.score(all);
            graph.fit(SharedDataSetIterator.builder().features(x).labels(y).batchSize(32).shuffle(5).build(), 6);
            double after = graph.score(all);
            assertTrue(after < 0.6 * before, "the score went down: " + before + " -> " + after);
        }
    }

    /**
     * Another JVM's part: creates the region, writes the dataset into two tensors, names them,
     * then waits for one consumer to attach and leave before it closes the region. Args: region
     * name, samples, data seed.
     */
    public static final class Producer {
        public static void main(String[] args) {
            long samples = Long.parseLong(args[1]);
            try (SharedMemory shm = SharedMemory.create(args[0], 16L << 20)) {
                SharedTensor x = shm.newTensor(DType.FLOAT32, samples, ClassificationData.FEATURES);
                SharedTensor y = shm.newTensor(DType.FLOAT32, samples, ClassificationData.CLASSES);
                ClassificationData.write(x, y, Long.parseLong(args[2]));
                try (Access a = shm.acquire()) {
                    a.put("train-x", x);
                    a.put("train-y", y);
                    a.put("ready", true);
                }
                System.out.println("published=" + samples);
                shm.awaitConsumers(1, Duration.ofSeconds(120));
                long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
                while (shm.consumerCount() > 0) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IllegalStateException("the trainer stayed attached for 300 s");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }
    }

    @Test
    void trainsOnADatasetPublishedByAnotherJvm() {
        String name = regions.newName();
        Path file = SharedMemory.defaultPath(name);
        try (ChildJvm producer = ChildJvm.start(Producer.class, name, Integer.toString(SAMPLES), Long.toString(DATA_SEED))) {
            ChildJvm.awaitCondition(() -> Files.exists(file), Duration.ofSeconds(120), "the producer's region file", producer);
            try (SharedMemory shm = SharedMemory.attach(name, Duration.ofSeconds(60))) {
                ChildJvm.awaitCondition(() -> shm.contains("ready"), Duration.ofSeconds(120), "the producer's dataset", producer);

                SharedDataSetIterator it = SharedDataSetIterator.builder()
                        .features(shm, "train-x").labels(shm, "train-y").batchSize(32).shuffle(3).build();
                assertEquals(SAMPLES, it.samples());

                // what the producer wrote, regenerated here for comparison
                try (SharedMemory local = SharedMemory.create(regions.newName(), 16L << 20)) {
                    SharedTensor lx = local.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.FEATURES);
                    SharedTensor ly = local.newTensor(DType.FLOAT32, SAMPLES, ClassificationData.CLASSES);
                    ClassificationData.write(lx, ly, DATA_SEED);
                    SharedDataSetIterator theirs = SharedDataSetIterator.builder().features(shm, "train-x").labels(shm, "train-y").batchSize(SAMPLES).build();
                    DataSet shared = theirs.next();
                    assertEquals(SharedNd4j.view(lx), shared.getFeatures(), "the features the other JVM wrote, seen without a copy");
                    assertEquals(SharedNd4j.view(ly), shared.getLabels());

                    DataSet all = new DataSet(shared.getFeatures().dup(), shared.getLabels().dup());
                    trainsThroughThePrefetch(tinyMlp(), it, all);
                }
            }
            ChildJvm.Result result = producer.awaitSuccess(Duration.ofSeconds(60));
            assertEquals(Integer.toString(SAMPLES), result.value("published"), result.describe());
        }
    }
}
