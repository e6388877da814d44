package io.ipcobjects.examples.training;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.nd4j.SharedDataSetIterator;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A producer process generates a classification dataset straight into two shared tensors
 * ({@code "train-x"}: samples × features float32, {@code "train-y"}: samples × classes one-hot)
 * and starts a trainer JVM, which trains a DL4J {@code MultiLayerNetwork} with
 * {@code fit(SharedDataSetIterator)}: the dataset is never copied into the trainer, batches are
 * shuffled each epoch and DL4J prefetches them on its own thread. The trainer prints the score
 * (mean cross-entropy over all samples) and accuracy after each epoch.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -pl examples -am \
 *     -Ddemo.main=io.ipcobjects.examples.training.Dl4jTraining -Ddemo.args="--samples 50000 --epochs 8"
 * </pre>
 * Options: {@code --help}. The last lines are {@code epochScores=[...]} and
 * {@code scoreWentDown=true|false}.
 */
@Command(name = "Dl4jTraining", sortOptions = false, showDefaultValues = true,
        description = {"A producer JVM writes a dataset into shared memory; a trainer JVM trains a DL4J "
                + "MultiLayerNetwork over it with SharedDataSetIterator and prints the score of each epoch."})
public final class Dl4jTraining implements Callable<Integer> {

    static final int FEATURES = 8;
    static final int CLASSES = 4;

    @Option(names = "--samples", description = "samples in the dataset")
    int samples = 20_000;

    @Option(names = "--batch", description = "samples per batch")
    int batch = 128;

    @Option(names = "--epochs", description = "epochs to train")
    int epochs = 5;

    @Option(names = "--seed", description = "seed of the data and of the shuffling")
    long seed = 42;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.run(new Dl4jTraining(), args);
    }

    /** The trainer JVM. args: region, batch, epochs, seed. */
    public static final class Trainer {
        private Trainer() {
        }

        public static void main(String[] args) {
            train(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
        }
    }

    @Override
    public Integer call() {
        if (samples < 1 || batch < 1 || epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--samples, --batch and --epochs must be at least 1");
        }
        long bytes = (long) samples * (FEATURES + CLASSES) * Float.BYTES;
        String name = "dl4j-training-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, bytes + (16L << 20))) {
            long start = System.nanoTime();
            SharedTensor x = shm.newTensor(DType.FLOAT32, samples, FEATURES);
            SharedTensor y = shm.newTensor(DType.FLOAT32, samples, CLASSES);
            generate(x, y, seed);
            try (Access a = shm.acquire()) {
                a.put("train-x", x);
                a.put("train-y", y);
            }
            System.out.printf(Locale.ROOT, "producer: %d samples of %d features and %d classes (%s) generated into region %s in %.2f s;"
                    + " starting the trainer%n", samples, FEATURES, CLASSES, Progress.bytes(bytes), shm.path(), (System.nanoTime() - start) / 1e9);
            ChildJvm trainer = ChildJvm.builder(Trainer.class).maxHeap("1g")
                    .args(name, Integer.toString(batch), Integer.toString(epochs), Long.toString(seed))
                    .echo("  [trainer] ").start();
            ChildJvm.Result result = trainer.awaitSuccess(Duration.ofMinutes(30));
            System.out.println("epochScores=" + result.value("epochScores"));
            System.out.println("scoreWentDown=" + result.value("scoreWentDown"));
            return "true".equals(result.value("scoreWentDown")) ? 0 : 1;
        }
    }

    /**
     * Features uniform in [-1, 1]; the class of a sample is the argmax of {@code |W x|} for a
     * random matrix {@code W} drawn from the seed, a rule a hidden layer can learn and a linear
     * model cannot quite.
     */
    static void generate(SharedTensor x, SharedTensor y, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] w = new float[CLASSES][FEATURES];
        for (float[] row : w) {
            for (int f = 0; f < FEATURES; f++) {
                row[f] = (float) random.nextGaussian();
            }
        }
        long n = x.shape(0);
        float[] features = new float[FEATURES];
        float[] sampleX = new float[FEATURES];
        float[] sampleY = new float[CLASSES];
        for (long i = 0; i < n; i++) {
            for (int f = 0; f < FEATURES; f++) {
                features[f] = (float) (random.nextDouble() * 2 - 1);
                sampleX[f] = features[f];
            }
            int best = 0;
            float bestScore = -1;
            for (int c = 0; c < CLASSES; c++) {
                float s = 0;
                for (int f = 0; f < FEATURES; f++) {
                    s += w[c][f] * features[f];
                }
                if (Math.abs(s) > bestScore) {
                    bestScore = Math.abs(s);
                    best = c;
                }
            }
            for (int c = 0; c < CLASSES; c++) {
                sampleY[c] = c == best ? 1f : 0f;
            }
            x.row(i).copyFrom(sampleX);
            y.row(i).copyFrom(sampleY);
        }
    }

    private static void train(String region, int batch, int epochs, long seed) {
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60))) {
            SharedDataSetIterator train = SharedDataSetIterator.builder()
                    .features(shm, "train-x")
                    .labels(shm, "train-y")
                    .batchSize(batch)
                    .shuffle(seed)
                    .build();
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .seed(seed)
                    .updater(new Adam(0.01))
                    .weightInit(WeightInit.XAVIER)
                    .list()
                    .layer(new DenseLayer.Builder().nIn(train.inputColumns()).nOut(32).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nIn(32).nOut(32).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .nIn(32).nOut(train.totalOutcomes()).activation(Activation.SOFTMAX).build())
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();

            // the whole dataset as views, for the score and accuracy after each epoch (no copy)
            INDArray features = SharedNd4j.view(shm.get("train-x"));
            INDArray labels = SharedNd4j.view(shm.get("train-y"));
            DataSet all = new DataSet(features, labels);
            List<Double> scores = new ArrayList<>();
            double first = net.score(all);
            System.out.printf(Locale.ROOT, "%d samples viewed in shared memory (%s), batches of %d shuffled with seed %d;"
                    + " score before training %.4f%n", train.samples(), Progress.bytes(features.length() * 4 + labels.length() * 4),
                    batch, seed, first);
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long start = System.nanoTime();
                net.fit(train); // DL4J wraps the iterator in its AsyncDataSetIterator and resets it at the start of each epoch
                double seconds = (System.nanoTime() - start) / 1e9;
                double score = net.score(all);
                Evaluation evaluation = new Evaluation(CLASSES);
                evaluation.eval(labels, net.output(features, false));
                scores.add(score);
                System.out.printf(Locale.ROOT, "epoch %d/%d: score %.4f, accuracy %.1f%%, %.2f s (%.0f samples/s)%n",
                        epoch, epochs, score, 100 * evaluation.accuracy(), seconds, train.samples() / seconds);
            }
            boolean wentDown = scores.getLast() < first;
            List<String> formatted = scores.stream().map(s -> String.format(Locale.ROOT, "%.4f", s)).toList();
            System.out.println("epochScores=" + formatted);
            System.out.println("scoreWentDown=" + wentDown);
        }
    }
}
