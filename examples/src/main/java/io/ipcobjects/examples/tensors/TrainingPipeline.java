package io.ipcobjects.examples.tensors;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

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
 * A loader process fills image batches into a ring of shared tensors; two trainer processes take
 * them, one as DJL {@code NDArray}s, one as ND4J {@code INDArray}s, without a copy, compute the
 * batch sum, check it against the loader's checksum and hand the slot back.
 *
 * <h2>What is shared, and how</h2>
 * <ul>
 *   <li>{@code "batch-ring"}: a named {@code SharedList} of the slot tensors (stored by reference:
 *       every process sees the same tensor blocks). Trainers make one binding view per slot,
 *       once.</li>
 *   <li>{@code "slot-states"}: a named {@code SharedList} of one {@code Long} per slot,
 *       {@link #FREE}, {@link #FILLING} or {@link #FULL}: the loader claims a FREE slot,
 *       fills its tensor, marks it FULL; the trainer that trained it marks it FREE again.</li>
 *   <li>The message queue: for each filled slot the loader puts a {@link Batch} message (batch
 *       number, slot, checksum), in the same lock hold that marks the slot FULL; trainers
 *       {@code takeMessage(Duration)}, so each batch goes to exactly one trainer. After the
 *       last batch, one {@link Batch#END} per trainer.</li>
 *   <li>{@code "results"}: a named {@code SharedMap} of counters (trainers ready, batches
 *       trained per library, checksum mismatches).</li>
 *   <li>{@code "trained-batches"}: a named {@code SharedList} of the number of every batch
 *       trained, appended in the lock hold that frees its slot: the loader checks at the end
 *       that it holds every batch number exactly once.</li>
 * </ul>
 * The tensor bytes are never touched under the lock: the loader copies a batch in before it
 * takes the lock to publish it, and a trainer sums its view after {@code takeMessage} released
 * the lock and before it takes it again to free the slot. The lock holds that publish and free
 * a slot order those bytes between the processes.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.tensors.TrainingPipeline \
 *     -Ddemo.args="--batches 40 --full"
 * </pre>
 * Options: {@code --help}. Prints the loader's progress with rates, what each trainer did, and
 * {@code trained=}, {@code mismatches=}, {@code trainedBatchIds=} (the numbers of the batches
 * trained, sorted), {@code everyBatchOnce=} and the slots' final states in words.
 */
@Command(name = "TrainingPipeline", sortOptions = false, showDefaultValues = true,
        description = {"A loader JVM fills a ring of shared batch tensors; a DJL trainer JVM and an ND4J trainer JVM take "
                + "the batches by message, sum them through zero-copy views and give the slots back."})
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

    static final long FREE = 0;
    static final long FILLING = 1;
    static final long FULL = 2;

    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    /** The message for one filled slot: stored as a struct, taken as a copy (its blocks are freed at the take). */
    public record Batch(long number, int slot, double checksum) {
        static final Batch END = new Batch(-1, -1, 0);

        boolean isEnd() {
            return number < 0;
        }
    }

    public static void main(String[] args) {
        Cli.run(new TrainingPipeline(), args);
    }

    /** A slot's state in words. */
    static String stateName(long state) {
        return state == FREE ? "free" : state == FILLING ? "filling" : state == FULL ? "full" : "unknown " + state;
    }

    /** A trainer JVM. args: region, library ({@code djl} or {@code nd4j}), loader pid. */
    public static final class Trainer {
        private Trainer() {
        }

        public static void main(String[] args) {
            train(args[0], args[1], Long.parseLong(args[2]));
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

        try (SharedMemory shm = SharedMemory.create(name, slots * (batchBytes + 4096) + (8L << 20))) {
            SharedTensor[] tensors = new SharedTensor[slots];
            SharedList<Long> states;
            SharedMap<String, Object> results;
            SharedList<Long> trainedBatches;
            try (Access a = shm.acquire()) {
                List<Object> ring = new ArrayList<>();
                for (int i = 0; i < slots; i++) {
                    tensors[i] = a.newTensor(SharedTensor.Init.PREFAULTED, DType.FLOAT32, shape);
                    ring.add(tensors[i]);
                }
                a.put("batch-ring", ring);
                states = a.put("slot-states", new ArrayList<>(Collections.nCopies(slots, FREE)));
                results = a.put("results", new HashMap<>(Map.of("ready", 0L, "mismatches", 0L)));
                trainedBatches = a.put("trained-batches", new ArrayList<Long>());
            }
            System.out.println("loader: " + batches + " batches of " + Arrays.toString(shape) + " float32 ("
                    + Progress.bytes(batchBytes) + " each), a ring of " + slots + " slots, region " + shm.path());
            ChildJvm djl = ChildJvm.builder(Trainer.class).maxHeap("1g").args(name, "djl", pid()).echo("  [trainer djl] ").start();
            ChildJvm nd4j = ChildJvm.builder(Trainer.class).maxHeap("1g").args(name, "nd4j", pid()).echo("  [trainer nd4j] ").start();
            BooleanSupplier trainersAlive = () -> {
                djl.failIfDied("a free slot");
                nd4j.failIfDied("a free slot");
                return djl.isAlive() || nd4j.isAlive();
            };

            // so that work is shared from the first batch (a late trainer would just find fewer)
            System.out.println("loader: waiting for the two trainer JVMs to start");
            awaitAtLeast(results, "ready", 2, trainersAlive, "the trainers");
            float[] staging = new float[(int) (batchBytes / 4)];
            Progress progress = new Progress("loader", "batches", batches, batchBytes);
            long start = System.nanoTime();
            for (long b = 0; b < batches; b++) {
                double checksum = decodeBatch(b, staging); // stands for reading and decoding images
                int slot = claimFreeSlot(shm, states, trainersAlive);
                tensors[slot].copyFrom(staging); // outside the lock: the slot is ours until we publish it
                try (Access a = shm.acquire()) {
                    states.setLong(slot, FULL);
                    a.putMessage(new Batch(b, slot, checksum));
                }
                progress.update(b + 1);
            }
            for (int t = 0; t < 2; t++) {
                shm.putMessage(Batch.END);
            }
            ChildJvm.awaitAllSuccess(TIMEOUT, djl, nd4j);
            int djlExit = 0;
            int nd4jExit = 0;
            System.out.printf(java.util.Locale.ROOT, "loader: %d batches (%s) loaded and trained in %.2f s: %s%n", batches,
                    Progress.bytes(batches * batchBytes), progress.seconds(), progress.rate(batches));
            long trained;
            long mismatches;
            List<Long> trainedIds;
            try (Access a = shm.acquire()) {
                trainedIds = new ArrayList<>(trainedBatches);
                long byDjl = count(results, "trained-djl");
                long byNd4j = count(results, "trained-nd4j");
                trained = byDjl + byNd4j;
                mismatches = count(results, "mismatches");
                System.out.println("trainedByDjl=" + byDjl);
                System.out.println("trainedByNd4j=" + byNd4j);
                System.out.println("slotStates=" + states.stream().map(TrainingPipeline::stateName).toList());
                System.out.println("messagesLeft=" + a.messageCount());
            }
            Collections.sort(trainedIds);
            boolean everyBatchOnce = trainedIds.size() == batches;
            for (int i = 0; i < trainedIds.size() && everyBatchOnce; i++) {
                everyBatchOnce = trainedIds.get(i) == i;
            }
            System.out.println("trained=" + trained);
            System.out.println("trainedBatchIds=" + trainedIds);
            System.out.println("everyBatchOnce=" + everyBatchOnce);
            System.out.println("mismatches=" + mismatches);
            System.out.println("trainerExitCodes=" + djlExit + "," + nd4jExit);
            return trained == batches && everyBatchOnce && mismatches == 0 && djlExit == 0 && nd4jExit == 0 ? 0 : 1;
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

    /** Waits for a FREE slot and marks it FILLING (one short lock hold per look). */
    private static int claimFreeSlot(SharedMemory shm, SharedList<Long> states, BooleanSupplier trainersAlive) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try (Access a = shm.acquire()) {
                for (int i = 0; i < states.size(); i++) {
                    if (states.getLong(i) == FREE) {
                        states.setLong(i, FILLING);
                        return i;
                    }
                }
            }
            if (!trainersAlive.getAsBoolean()) {
                throw new IllegalStateException("the trainers exited with every slot still full");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no slot came back within " + TIMEOUT);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /** Waits until the counter {@code key} of {@code results} reaches {@code value}. */
    private static void awaitAtLeast(SharedMap<String, Object> results, String key, long value, BooleanSupplier peersAlive,
            String peers) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (count(results, key) < value) {
            if (!peersAlive.getAsBoolean()) {
                throw new IllegalStateException(peers + " exited before " + key + " reached " + value);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(key + " is " + count(results, key) + ", not " + value + ", after 120 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static long count(SharedMap<String, Object> results, String key) {
        Object value = results.get(key);
        return value == null ? 0 : (Long) value;
    }

    /** Adds one to the counter {@code key}; call inside an {@code acquire()} scope so that the read and the write are one step. */
    private static void increment(SharedMap<String, Object> results, String key) {
        results.set(key, count(results, key) + 1);
    }

    private static String pid() {
        return Long.toString(ProcessHandle.current().pid());
    }

    private static void train(String region, String library, long loaderPid) {
        BooleanSupplier loaderAlive = () -> ProcessHandle.of(loaderPid).map(ProcessHandle::isAlive).orElse(false);
        // A trainer reads the loader's Batch records: it allows that class by name.
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60),
                SharedMemoryOptions.defaults().withAllowedClasses(Batch.class));
             NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            SharedList<SharedTensor> ring;
            SharedList<Long> states;
            SharedMap<String, Object> results;
            SharedList<Long> trainedBatches;
            try (Access a = shm.acquire()) {
                ring = a.get("batch-ring");
                states = a.get("slot-states");
                results = a.get("results");
                trainedBatches = a.get("trained-batches");
            }
            // views are made once per slot and reused for every batch that passes through it
            NDArray[] djlViews = new NDArray[ring.size()];
            INDArray[] nd4jViews = new INDArray[ring.size()];
            for (int i = 0; i < ring.size(); i++) {
                SharedTensor tensor = ring.get(i);
                if (library.equals("djl")) {
                    djlViews[i] = SharedDjl.view(tensor, manager);
                } else {
                    nd4jViews[i] = SharedNd4j.view(tensor);
                }
            }
            try (Access a = shm.acquire()) {
                increment(results, "ready");
            }
            long count = 0;
            long batchBytes = ring.get(0).byteSize();
            Progress progress = new Progress(library, "batches", Long.MAX_VALUE, batchBytes);
            while (true) {
                Batch batch;
                try {
                    batch = shm.takeMessage(Duration.ofSeconds(1));
                } catch (WaitTimeoutException e) {
                    if (!loaderAlive.getAsBoolean()) {
                        throw new IllegalStateException("the loader exited before the last batch");
                    }
                    continue;
                }
                if (batch.isEnd()) {
                    break;
                }
                double sum; // outside the lock: the slot is FULL and this trainer's until it frees it
                if (library.equals("djl")) {
                    // summed in double for a tight check; the cast is the only copy, the view is not one
                    NDArray asDouble = djlViews[batch.slot()].toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                    NDArray total = asDouble.sum();
                    sum = total.getDouble();
                    total.close();
                    asDouble.close();
                } else {
                    sum = nd4jViews[batch.slot()].castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
                }
                boolean matched = Math.abs(sum - batch.checksum()) <= 1e-6 * Math.max(1, Math.abs(batch.checksum()));
                try (Access a = shm.acquire()) {
                    states.setLong(batch.slot(), FREE);
                    trainedBatches.add(batch.number());
                    increment(results, "trained-" + library);
                    if (!matched) {
                        increment(results, "mismatches");
                    }
                }
                count++;
            }
            System.out.println("trainer " + library + ": " + count + " batches of " + Arrays.toString(ring.get(0).shape())
                    + " summed through " + (library.equals("djl") ? "NDArray" : "INDArray") + " views, " + progress.rate(count)
                    + " (waits for the loader included)");
        }
    }
}
