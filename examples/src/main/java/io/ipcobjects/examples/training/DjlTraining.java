package io.ipcobjects.examples.training;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.djl.SharedDataset;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A producer JVM generates a labelled dataset (two overlapping Gaussian blobs in 2-D) into shared
 * memory and publishes it as {@code "train-x"} and {@code "train-y"}; a trainer JVM attaches,
 * wraps the two tensors in a {@link SharedDataset} and trains a small MLP with DJL's
 * {@code EasyTrain.fit}, the first 80% of the samples for training and the rest for validation
 * ({@code subDataset}, slices of the same tensors). It prints each epoch's loss and accuracy.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.training.DjlTraining \
 *     -Ddemo.args="--samples 20000 --epochs 8"
 * </pre>
 * With {@code --sequential} every batch is a zero-copy view of the shared tensors; by default the
 * samples are shuffled each epoch and each batch is gathered with one copy.
 */
@Command(name = "DjlTraining", sortOptions = false, showDefaultValues = true,
        description = {"A producer JVM writes a dataset (two Gaussian blobs) into shared memory; a trainer JVM trains "
                + "an MLP on it with DJL's EasyTrain.fit over a SharedDataset and prints each epoch's loss and accuracy."})
public final class DjlTraining implements Callable<Integer> {

    @Option(names = "--samples", description = "samples (2 float32 features and a label each)")
    int samples = 4096;

    @Option(names = "--epochs", description = "epochs of training")
    int epochs = 5;

    @Option(names = "--batch", description = "samples per batch")
    int batch = 64;

    @Option(names = "--sequential", description = "sequential batches (zero-copy views) instead of shuffled ones (one copy each)")
    boolean sequential;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    private static final int FEATURES = 2;

    public static void main(String[] args) {
        Cli.run(new DjlTraining(), args);
    }

    /** The trainer JVM. args: region, epochs, batch, sequential. */
    public static final class TrainerJvm {
        private TrainerJvm() {
        }

        public static void main(String[] args) throws Exception {
            boolean ok = train(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]), Boolean.parseBoolean(args[3]));
            System.exit(ok ? 0 : 1);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (samples < 10 || epochs < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--samples must be at least 10, --epochs and --batch at least 1");
        }
        String name = "training-" + ProcessHandle.current().pid();
        long bytes = (long) samples * (FEATURES + 1) * Float.BYTES;
        try (SharedMemory shm = SharedMemory.create(name, bytes + (16L << 20))) {
            System.out.printf(Locale.ROOT, "producer: generating %d samples (two Gaussian blobs, %d features) into region %s%n",
                    samples, FEATURES, shm.path());
            SharedTensor x = shm.newTensor(DType.FLOAT32, samples, FEATURES);
            SharedTensor y = shm.newTensor(DType.FLOAT32, samples);
            Progress writing = new Progress("producer: written", "samples", samples, (FEATURES + 1) * Float.BYTES);
            Random random = new Random(42);
            for (int i = 0; i < samples; i++) {
                int label = random.nextInt(2);
                double centre = label == 0 ? -1.0 : 1.0;
                x.setFloat((float) (centre + random.nextGaussian()), i, 0);
                x.setFloat((float) (centre + random.nextGaussian()), i, 1);
                y.setFloat(label, i);
                writing.update(i + 1);
            }
            shm.put("train-x", x); // stored by reference: the names point at the tensors' blocks
            shm.put("train-y", y);
            System.out.printf(Locale.ROOT, "producer: published train-x %s and train-y %s (%s) in %.2f s; starting the trainer%n",
                    Arrays.toString(x.shape()), Arrays.toString(y.shape()), Progress.bytes(bytes), writing.seconds());
            try (ChildJvm trainer = ChildJvm.builder(TrainerJvm.class).maxHeap("1g")
                    .args(name, Integer.toString(epochs), Integer.toString(batch), Boolean.toString(sequential))
                    .echo("  [trainer] ").start()) {
                ChildJvm.Result r = trainer.await(Duration.ofMinutes(30));
                System.out.println("trainerExitCode=" + r.exitCode());
                return r.exitCode() == 0 ? 0 : 1;
            }
        }
    }

    /** Trains over the published tensors; true if the loss went down and validation accuracy is above 0.8. */
    static boolean train(String region, int epochs, int batch, boolean sequential) throws Exception {
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60))) {
            SharedDataset all = SharedDataset.builder()
                    .setData(shm, "train-x")
                    .optLabels(shm, "train-y")
                    .setSampling(batch, !sequential)
                    .build();
            int split = (int) (all.size() * 8 / 10);
            SharedDataset train = all.subDataset(0, split);             // views of rows [0, split)
            SharedDataset validate = all.subDataset(split, (int) all.size());
            System.out.printf(Locale.ROOT, "trainer: %d training and %d validation samples, batches of %d, %s%n",
                    train.size(), validate.size(), batch, sequential
                            ? "sequential (each batch a zero-copy view of the shared tensors)"
                            : "shuffled (each batch gathered with one copy)");

            Engine.getEngine("PyTorch").setRandomSeed(42);
            SequentialBlock mlp = new SequentialBlock()
                    .add(Linear.builder().setUnits(16).build())
                    .add(Activation.reluBlock())
                    .add(Linear.builder().setUnits(2).build());
            try (Model model = Model.newInstance("blobs-mlp", Device.cpu(), "PyTorch")) {
                model.setBlock(mlp);
                EpochReport report = new EpochReport(epochs);
                DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.02f)).build())
                        .optDevices(new Device[] {Device.cpu()})
                        .addTrainingListeners(report);
                try (Trainer trainer = model.newTrainer(config)) {
                    trainer.initialize(new Shape(1, FEATURES));
                    EasyTrain.fit(trainer, epochs, train, validate);
                }
                boolean lossWentDown = report.lastLoss < report.firstLoss;
                System.out.println("lossWentDown=" + lossWentDown);
                System.out.printf(Locale.ROOT, "validationAccuracy=%.4f%n", report.lastValidationAccuracy);
                return lossWentDown && report.lastValidationAccuracy > 0.8;
            }
        }
    }

    /** Sums loss and correct predictions over each epoch's batches and prints them when the epoch ends. */
    private static final class EpochReport extends TrainingListenerAdapter {
        private final int epochs;
        private int epoch;
        private double lossSum;
        private long trainSamples;
        private long trainCorrect;
        private long validationSamples;
        private long validationCorrect;
        private long epochStart = System.nanoTime();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        double lastValidationAccuracy = Double.NaN;

        EpochReport(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            for (Device device : batchData.getLabels().keySet()) {
                NDList labels = batchData.getLabels().get(device);
                NDList predictions = batchData.getPredictions().get(device);
                long n = labels.head().getShape().get(0);
                lossSum += trainer.getLoss().evaluate(labels, predictions).getFloat() * n;
                trainSamples += n;
                trainCorrect += correct(labels.head(), predictions.head());
            }
        }

        @Override
        public void onValidationBatch(Trainer trainer, BatchData batchData) {
            for (Device device : batchData.getLabels().keySet()) {
                NDArray labels = batchData.getLabels().get(device).head();
                validationSamples += labels.getShape().get(0);
                validationCorrect += correct(labels, batchData.getPredictions().get(device).head());
            }
        }

        private static long correct(NDArray labels, NDArray predictions) {
            return predictions.argMax(1).toType(labels.getDataType(), false).eq(labels).sum().getLong();
        }

        @Override
        public void onEpoch(Trainer trainer) {
            epoch++;
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            double loss = lossSum / trainSamples;
            if (epoch == 1) {
                firstLoss = loss;
            }
            lastLoss = loss;
            lastValidationAccuracy = validationSamples == 0 ? Double.NaN : (double) validationCorrect / validationSamples;
            System.out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, accuracy %.4f, validation accuracy %.4f, %.0f samples/s%n",
                    epoch, epochs, loss, (double) trainCorrect / trainSamples, lastValidationAccuracy,
                    trainSamples / Math.max(1e-9, seconds));
            lossSum = 0;
            trainSamples = 0;
            trainCorrect = 0;
            validationSamples = 0;
            validationCorrect = 0;
            epochStart = System.nanoTime();
        }
    }
}
