package io.ipcobjects.examples.tensors;

import io.ipcobjects.Channel;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import org.nd4j.linalg.api.ndarray.INDArray;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A loader process fills image batches into a tensor ring; two trainer processes take them, one
 * as DJL {@code NDArray}s, one as ND4J {@code INDArray}s, without a copy, compute the batch sum,
 * check it against the loader's checksum and release the slot.
 *
 * <h2>What is shared, and how</h2>
 * <ul>
 *   <li>{@code "batches"}: a {@link TensorRing} whose every slot holds the batch (float32) and
 *       its checksum (one float64). The loader claims a free slot, copies the batch in, writes
 *       the checksum and publishes the slot tagged with the batch number; a trainer takes the
 *       next published slot, sums it through a view made once per slot, and releases it. No
 *       lock, no allocation, no message per batch. After the last batch the loader publishes
 *       one slot tagged {@link #END} per trainer.</li>
 *   <li>{@code "ready"}: a {@link Channel} on which each trainer says it has made its views, so
 *       work is shared from the first batch.</li>
 * </ul>
 * Each trainer prints the numbers of the batches it trained; the loader checks that together
 * they are every batch exactly once.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.tensors.TrainingPipeline \
 *     -Ddemo.args="--batches 40 --full"
 * </pre>
 * Options: {@code --help}. Prints the loader's progress with rates, what each trainer did, and
 * {@code trained=}, {@code mismatches=}, {@code trainedBatchIds=} (the numbers of the batches
 * trained, sorted), {@code everyBatchOnce=} and {@code slotsPublished=} (0: every slot came back).
 */
@Command(name = "TrainingPipeline", sortOptions = false, showDefaultValues = true,
        description = {"A loader JVM fills a tensor ring of batches; a DJL trainer JVM and an ND4J trainer JVM take "
                + "them, sum them through zero-copy views and release the slots."})
public final class TrainingPipeline implements Callable<Integer> {

    @Option(names = "--batches", description = "batches to load and train")
    long batches = 24;

    @Option(names = "--slots", description = "batch tensors in the ring (1-64)")
    int slots = 4;

    @Option(names = "--full", description = "64×3×224×224 float batches (38.5 MB each) instead of 8×3×32×32 (98 kB)")
    boolean full;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    /** The tag of the slot that tells a trainer to stop. */
    static final long END = -1;

    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    public static void main(String[] args) {
        Cli.run(new TrainingPipeline(), args);
    }

    /** A trainer JVM. args: region, library ({@code djl} or {@code nd4j}). */
    public static final class Trainer {
        private Trainer() {
        }

        public static void main(String[] args) {
            train(args[0], args[1]);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (batches < 1 || slots < 1 || slots > 64) {
            throw new ParameterException(spec.commandLine(), "--batches must be at least 1, --slots 1 to 64");
        }
        long[] shape = full ? new long[] {64, 3, 224, 224} : new long[] {8, 3, 32, 32};
        long batchBytes = 4L * shape[0] * shape[1] * shape[2] * shape[3];
        String name = "pipeline-" + ProcessHandle.current().pid();

        try (SharedMemory shm = SharedMemory.create(name, slots * (batchBytes + 8192) + (8L << 20))) {
            TensorRing ring = shm.tensorRing("batches", slots,
                    List.of(new TensorSpec(DType.FLOAT32, shape), new TensorSpec(DType.FLOAT64, 1)));
            Channel<String> ready = shm.channel("ready", String.class, 4);
            System.out.println("loader: " + batches + " batches of " + Arrays.toString(shape) + " float32 ("
                    + Progress.bytes(batchBytes) + " each), a tensor ring of " + slots + " slots, region " + shm.path());
            ChildJvm djl = ChildJvm.builder(Trainer.class).maxHeap("1g").args(name, "djl").echo("  [trainer djl] ").start();
            ChildJvm nd4j = ChildJvm.builder(Trainer.class).maxHeap("1g").args(name, "nd4j").echo("  [trainer nd4j] ").start();
            System.out.println("loader: waiting for the two trainer JVMs to start");
            long startDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            for (int started = 0; started < 2; ) {
                if (ready.poll() != null) {
                    started++;
                    continue;
                }
                djl.failIfDied("the trainers' start");
                nd4j.failIfDied("the trainers' start");
                if (System.nanoTime() - startDeadline > 0) {
                    throw new IllegalStateException("the trainers did not start within 120 s");
                }
                Thread.sleep(10);
            }
            float[] staging = new float[(int) (batchBytes / 4)];
            Progress progress = new Progress("loader", "batches", batches, batchBytes);
            for (long b = 0; b < batches; b++) {
                double checksum = decodeBatch(b, staging); // stands for reading and decoding images
                TensorRing.Slot slot = claim(ring, djl, nd4j);
                slot.tensor(0).copyFrom(staging); // in place: the slot is this loader's until it publishes it
                slot.tensor(1).setDouble(checksum, 0);
                slot.publish(b);
                progress.update(b + 1);
            }
            for (int t = 0; t < 2; t++) {
                claim(ring, djl, nd4j).publish(END);
            }
            List<ChildJvm.Result> results = ChildJvm.awaitAllSuccess(TIMEOUT, djl, nd4j);
            System.out.printf(java.util.Locale.ROOT, "loader: %d batches (%s) loaded and trained in %.2f s: %s%n", batches,
                    Progress.bytes(batches * batchBytes), progress.seconds(), progress.rate(batches));
            List<Long> trainedIds = new ArrayList<>();
            long mismatches = 0;
            long trained = 0;
            for (ChildJvm.Result r : results) {
                String library = r.value("library");
                long count = Long.parseLong(r.value("trained"));
                System.out.println("trainedBy" + (library.equals("djl") ? "Djl" : "Nd4j") + "=" + count);
                trained += count;
                mismatches += Long.parseLong(r.value("mismatches"));
                String ids = r.value("batchIds");
                if (!ids.isEmpty()) {
                    Arrays.stream(ids.split(",")).map(Long::parseLong).forEach(trainedIds::add);
                }
            }
            Collections.sort(trainedIds);
            boolean everyBatchOnce = trainedIds.size() == batches;
            for (int i = 0; i < trainedIds.size() && everyBatchOnce; i++) {
                everyBatchOnce = trainedIds.get(i) == i;
            }
            System.out.println("slotsPublished=" + ring.published());
            System.out.println("trained=" + trained);
            System.out.println("trainedBatchIds=" + trainedIds);
            System.out.println("everyBatchOnce=" + everyBatchOnce);
            System.out.println("mismatches=" + mismatches);
            return trained == batches && everyBatchOnce && mismatches == 0 ? 0 : 1;
        }
    }

    /** Claims a free slot, failing at once if a trainer died (it would never release its slots). */
    private static TensorRing.Slot claim(TensorRing ring, ChildJvm djl, ChildJvm nd4j) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            TensorRing.Slot slot = ring.claim(Duration.ofSeconds(1));
            if (slot != null) {
                return slot;
            }
            djl.failIfDied("a free slot");
            nd4j.failIfDied("a free slot");
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no slot came back within " + TIMEOUT);
            }
        }
    }

    /** Fills {@code batch} with pixel-like values that differ per batch; returns their sum. */
    static double decodeBatch(long batch, float[] batchData) {
        double sum = 0;
        for (int i = 0; i < batchData.length; i++) {
            float v = (float) ((i * 31 + batch * 7) % 256) / 255f;
            batchData[i] = v;
            sum += v;
        }
        return sum;
    }

    private static void train(String region, String library) {
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60));
             NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            TensorRing ring = shm.tensorRing("batches");
            // views are made once per slot and reused for every batch that passes through it
            NDArray[] djlViews = new NDArray[ring.slotCount()];
            INDArray[] nd4jViews = new INDArray[ring.slotCount()];
            shm.channel("ready", String.class).put(library);
            List<Long> trained = new ArrayList<>();
            long mismatches = 0;
            long batchBytes = ring.specs().get(0).byteSize();
            Progress progress = new Progress(library, "batches", Long.MAX_VALUE, batchBytes);
            long lastBatch = System.nanoTime();
            while (true) {
                TensorRing.Slot slot = ring.take(Duration.ofSeconds(1));
                if (slot == null) {
                    if (!ProcessHandle.current().parent().map(ProcessHandle::isAlive).orElse(false)) {
                        throw new IllegalStateException("the loader exited before the last batch");
                    }
                    if (System.nanoTime() - lastBatch > TIMEOUT.toNanos()) {
                        throw new IllegalStateException("no batch within " + TIMEOUT);
                    }
                    continue;
                }
                lastBatch = System.nanoTime();
                try (slot) {
                    if (slot.tag() == END) {
                        break;
                    }
                    int i = slot.index();
                    double sum;
                    if (library.equals("djl")) {
                        if (djlViews[i] == null) {
                            djlViews[i] = SharedDjl.view(slot.tensor(0), manager);
                        }
                        // summed in double for a tight check; the cast is the only copy, the view is not one
                        NDArray asDouble = djlViews[i].toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                        NDArray total = asDouble.sum();
                        sum = total.getDouble();
                        total.close();
                        asDouble.close();
                    } else {
                        if (nd4jViews[i] == null) {
                            nd4jViews[i] = SharedNd4j.view(slot.tensor(0));
                        }
                        sum = nd4jViews[i].castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
                    }
                    double checksum = slot.tensor(1).getDouble(0);
                    if (Math.abs(sum - checksum) > 1e-6 * Math.max(1, Math.abs(checksum))) {
                        mismatches++;
                    }
                    trained.add(slot.tag());
                }
            }
            System.out.println("trainer " + library + ": " + trained.size() + " batches of "
                    + Arrays.toString(ring.specs().get(0).shape()) + " summed through "
                    + (library.equals("djl") ? "NDArray" : "INDArray") + " views, " + progress.rate(trained.size())
                    + " (waits for the loader included)");
            System.out.println("library=" + library);
            System.out.println("trained=" + trained.size());
            System.out.println("mismatches=" + mismatches);
            System.out.println("batchIds=" + String.join(",", trained.stream().map(String::valueOf).toList()));
        }
    }
}
