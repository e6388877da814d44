package io.ipcobjects.examples.training;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.nd4j.LoaderDataSetIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * DL4J's {@code fit} fed by worker JVMs: this JVM generates a dataset of small images
 * ({@link SyntheticShapes}) into shared memory, starts a {@link DataLoader} whose workers
 * augment them ({@link AugmentingSource}) into the loader's ring, and fits a
 * {@code MultiLayerNetwork} over a {@link LoaderDataSetIterator}, whose {@code DataSet}s are
 * ND4J views of the ring's slots. It prints the loader's rates every second and each epoch's
 * mean score.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.training.WorkerFedDl4jTraining \
 *     -Ddemo.args="--workers 2 --epochs 5"
 * </pre>
 */
@Command(name = "WorkerFedDl4jTraining", sortOptions = false, showDefaultValues = true,
        description = {"Worker JVMs augment locally generated images into shared memory; this JVM fits a DL4J "
                + "MultiLayerNetwork on them over a LoaderDataSetIterator, printing the loader's rates and each epoch's score."})
public final class WorkerFedDl4jTraining implements Callable<Integer> {

    @Option(names = "--samples", description = "images in the dataset (16x16, 4 classes)")
    int samples = 8000;

    @Option(names = "--workers", description = "loader worker JVMs")
    int workers = 2;

    @Option(names = "--epochs", description = "epochs of training")
    int epochs = 5;

    @Option(names = "--batch", description = "samples per batch")
    int batch = 64;

    @Option(names = "--blur", description = "blur passes of the augmentation (its CPU cost)")
    int blur = 4;

    @Option(names = "--seed", description = "seed of the dataset, the network and the shuffling")
    long seed = 42;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.run(new WorkerFedDl4jTraining(), args);
    }

    @Override
    public Integer call() {
        if (samples < batch || epochs < 1 || batch < 1 || workers < 1 || blur < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--samples must be at least --batch; --epochs, --batch and --workers at least 1; --blur at least 0");
        }
        String name = "dl4j-loader-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, SyntheticShapes.bytes(samples) + (64L << 20))) {
            long start = System.nanoTime();
            SyntheticShapes.publish(shm, samples, seed);
            System.out.printf(Locale.ROOT, "trainer: %d images of %dx%d, %d classes, generated into region %s in %.2f s%n",
                    samples, SyntheticShapes.SIDE, SyntheticShapes.SIDE, SyntheticShapes.CLASSES, shm.path(),
                    (System.nanoTime() - start) / 1e9);
            try (DataLoader loader = DataLoader.builder(shm, AugmentingSource.class)
                    .workers(workers).samples(samples).batchSize(batch)
                    .part(DType.FLOAT32, SyntheticShapes.PIXELS)
                    .part(DType.FLOAT32, SyntheticShapes.CLASSES)     // one-hot, as DL4J's output layer wants
                    .shuffle(true).seed(seed)
                    .sourceArg("blur", Integer.toString(blur))
                    .sourceArg("labels", "onehot")
                    .listener(new WorkerFedDjlTraining.PrintingListener())
                    .build()) {
                System.out.printf(Locale.ROOT, "trainer: %d worker JVMs (pids %s) augment batches of %d (%s each) into a ring of %d slots%n",
                        workers, loader.workerPids(), batch, Progress.bytes(loader.batchBytes()), loader.slotCount());
                MultiLayerNetwork net = network(seed);
                EpochScores scores = new EpochScores(epochs);
                net.setListeners(scores);
                net.fit(new LoaderDataSetIterator(loader), epochs);
                boolean scoreWentDown = scores.scores.getLast() < scores.scores.getFirst();
                System.out.println("epochScores=" + scores.formatted());
                System.out.println("scoreWentDown=" + scoreWentDown);
                System.out.println("workersReplaced=" + loader.workersReplaced());
                return scoreWentDown ? 0 : 1;
            }
        }
    }

    private static MultiLayerNetwork network(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(0.003))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(SyntheticShapes.PIXELS).nOut(64).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(64).nOut(SyntheticShapes.CLASSES).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Mean of the minibatch scores of each epoch, printed when the epoch ends. */
    private static final class EpochScores extends BaseTrainingListener {
        private final int epochs;
        private double sum;
        private int count;
        private long epochStart = System.nanoTime();
        final List<Double> scores = new ArrayList<>();

        EpochScores(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
            count++;
        }

        @Override
        public void onEpochEnd(Model model) {
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            double mean = sum / Math.max(1, count);
            scores.add(mean);
            System.out.printf(Locale.ROOT, "epoch %d/%d: mean score %.4f over %d batches, %.2f s%n",
                    scores.size(), epochs, mean, count, seconds);
            sum = 0;
            count = 0;
            epochStart = System.nanoTime();
        }

        String formatted() {
            return scores.stream().map(s -> String.format(Locale.ROOT, "%.4f", s)).toList().toString();
        }
    }
}
