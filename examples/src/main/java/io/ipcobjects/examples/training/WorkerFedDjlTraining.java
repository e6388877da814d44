package io.ipcobjects.examples.training;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.djl.LoaderDataset;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.loader.LoaderListener;
import io.ipcobjects.loader.LoaderProgress;

import java.util.Locale;
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
 * DJL's {@code EasyTrain.fit} fed by worker JVMs: this JVM generates a dataset of small images
 * ({@link SyntheticShapes}) into shared memory, starts a {@link DataLoader} whose workers read
 * the images, augment them ({@link AugmentingSource}: shift, noise, blur passes) and write
 * whole batches into the loader's ring, and trains an MLP over a {@link LoaderDataset}, whose
 * batches are {@code NDArray} views of the ring's slots. It prints the loader's rates every
 * second and each epoch's loss and accuracy.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.training.WorkerFedDjlTraining \
 *     -Ddemo.args="--workers 2 --epochs 5"
 * </pre>
 */
@Command(name = "WorkerFedDjlTraining", sortOptions = false, showDefaultValues = true,
        description = {"Worker JVMs augment locally generated images into shared memory; this JVM trains an MLP on "
                + "them with DJL's EasyTrain.fit over a LoaderDataset, printing the loader's rates and each epoch's loss."})
public final class WorkerFedDjlTraining implements Callable<Integer> {

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

    @Option(names = "--seed", description = "seed of the dataset and of the shuffling")
    long seed = 42;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Cli.run(new WorkerFedDjlTraining(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (samples < batch || epochs < 1 || batch < 1 || workers < 1 || blur < 0) {
            throw new ParameterException(spec.commandLine(),
                    "--samples must be at least --batch; --epochs, --batch and --workers at least 1; --blur at least 0");
        }
        String name = "djl-loader-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, SyntheticShapes.bytes(samples) + (64L << 20))) {
            long start = System.nanoTime();
            SyntheticShapes.publish(shm, samples, seed);
            System.out.printf(Locale.ROOT, "trainer: %d images of %dx%d, %d classes, generated into region %s in %.2f s%n",
                    samples, SyntheticShapes.SIDE, SyntheticShapes.SIDE, SyntheticShapes.CLASSES, shm.path(),
                    (System.nanoTime() - start) / 1e9);
            try (DataLoader loader = DataLoader.builder(shm, AugmentingSource.class)
                    .workers(workers).samples(samples).batchSize(batch)
                    .part(DType.FLOAT32, SyntheticShapes.PIXELS)      // the augmented image
                    .part(DType.FLOAT32)                              // its class id (sparse labels)
                    .shuffle(true).seed(seed)
                    .sourceArg("blur", Integer.toString(blur))
                    .listener(new PrintingListener())
                    .build()) {
                System.out.printf(Locale.ROOT, "trainer: %d worker JVMs (pids %s) augment batches of %d (%s each) into a ring of %d slots%n",
                        workers, loader.workerPids(), batch, Progress.bytes(loader.batchBytes()), loader.slotCount());
                return train(loader) ? 0 : 1;
            }
        }
    }

    /** Trains an MLP over the loader; true if the loss went down. */
    private boolean train(DataLoader loader) throws Exception {
        Engine.getEngine("PyTorch").setRandomSeed(42);
        SequentialBlock mlp = new SequentialBlock()
                .add(Linear.builder().setUnits(64).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(SyntheticShapes.CLASSES).build());
        try (Model model = Model.newInstance("shapes-mlp", Device.cpu(), "PyTorch")) {
            model.setBlock(mlp);
            EpochReport report = new EpochReport(epochs);
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build())
                    .optDevices(new Device[] {Device.cpu()})
                    .addTrainingListeners(report);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, SyntheticShapes.PIXELS));
                EasyTrain.fit(trainer, epochs, new LoaderDataset(loader), null);
            }
            boolean lossWentDown = report.lastLoss < report.firstLoss;
            System.out.println("epochLosses=" + report.losses);
            System.out.println("lossWentDown=" + lossWentDown);
            System.out.printf(Locale.ROOT, "finalAccuracy=%.4f%n", report.lastAccuracy);
            System.out.println("workersReplaced=" + loader.workersReplaced());
            return lossWentDown;
        }
    }

    /** Prints the loader's rates each second. */
    static final class PrintingListener implements LoaderListener {
        @Override
        public void progress(LoaderProgress p) {
            System.out.println("loader: " + p.describe());
        }

        @Override
        public void workerReplaced(int worker, long deadPid, int exitCode, long newPid, int batchesRedone) {
            System.out.printf(Locale.ROOT, "loader: worker %d (pid %d) died with exit code %d; pid %d took over %d batches%n",
                    worker, deadPid, exitCode, newPid, batchesRedone);
        }
    }

    /** Mean loss and accuracy over each epoch's batches, printed when the epoch ends. */
    private static final class EpochReport extends TrainingListenerAdapter {
        private final int epochs;
        private int epoch;
        private double lossSum;
        private long seen;
        private long correct;
        private long epochStart = System.nanoTime();
        final java.util.List<String> losses = new java.util.ArrayList<>();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        double lastAccuracy = Double.NaN;

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
                seen += n;
                NDArray predicted = predictions.head().argMax(1).toType(labels.head().getDataType(), false);
                correct += predicted.eq(labels.head()).sum().getLong();
            }
        }

        @Override
        public void onEpoch(Trainer trainer) {
            epoch++;
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            double loss = lossSum / seen;
            if (epoch == 1) {
                firstLoss = loss;
            }
            lastLoss = loss;
            lastAccuracy = (double) correct / seen;
            losses.add(String.format(Locale.ROOT, "%.4f", loss));
            System.out.printf(Locale.ROOT, "epoch %d/%d: loss %.4f, accuracy %.4f, %.2f s (%.0f samples/s)%n",
                    epoch, epochs, loss, lastAccuracy, seconds, seen / Math.max(1e-9, seconds));
            lossSum = 0;
            seen = 0;
            correct = 0;
            epochStart = System.nanoTime();
        }
    }
}
