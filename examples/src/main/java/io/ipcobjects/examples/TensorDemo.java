package io.ipcobjects.examples;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * The first demo: tensors between JVMs without a copy. This JVM (the creator) writes a batch of
 * images per row into one shared tensor, {@code "images"} (batches × batch size × 3 × 32 × 32
 * floats), and starts worker JVMs. Worker {@code w} takes batches {@code w}, {@code w + workers},
 * ...: it views each one as an ND4J {@code INDArray} (even workers) or a DJL {@code NDArray}
 * (odd workers) straight over the shared memory, sums it, scales it in place ({@code x -> 2x - 1},
 * written through the view) and sends a {@link BatchDone} message back. The creator checks every
 * sum against what it wrote, then reads every element back through its own view of the tensor:
 * the workers' in-place writes must be there, exactly.
 *
 * <p>The tensor bytes are never touched under the lock. The creator fills them before it starts
 * the workers; a worker's writes to a batch come before its message (a lock release), and the
 * creator reads a batch back after it took that message (a lock acquire).
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package                       # this demo, small: a few seconds
 * mvn -q -Pdemo -DskipTests package -Ddemo.args="--batches 400 --workers 4"
 * </pre>
 */
@Command(name = "TensorDemo", sortOptions = false, showDefaultValues = true,
        description = {"A creator JVM writes image batches into one shared tensor; worker JVMs view them as ND4J and DJL "
                + "arrays without a copy, check and scale them in place, and report back by message."})
public final class TensorDemo implements Callable<Integer> {

    /** What a worker sends back for one batch. */
    public record BatchDone(int worker, String library, long batch, double sum, long viewNanos) {
    }

    @Option(names = "--batches", description = "batches to write and check")
    int batches = 32;

    @Option(names = "--batch-size", description = "images per batch (each 3×32×32 float32, 12 kB)")
    int batchSize = 64;

    @Option(names = "--workers", description = "worker JVMs (1-8); even ones use ND4J, odd ones DJL")
    int workers = 2;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    private static final long IMAGE_ELEMENTS = 3 * 32 * 32;
    private static final Duration WORKER_TIMEOUT = Duration.ofMinutes(10);

    public static void main(String[] args) {
        Cli.run(new TensorDemo(), args);
    }

    @Override
    public Integer call() throws Exception {
        if (batches < 1 || batchSize < 1 || workers < 1 || workers > 8) {
            throw new ParameterException(spec.commandLine(), "--batches and --batch-size must be at least 1, --workers 1 to 8");
        }
        long[] batchShape = {batchSize, 3, 32, 32};
        long batchElements = batchSize * IMAGE_ELEMENTS;
        if (batchElements > Integer.MAX_VALUE) {
            throw new ParameterException(spec.commandLine(), "--batch-size " + batchSize + " is too large for one float[] batch");
        }
        long batchBytes = batchElements * Float.BYTES;
        long tensorBytes = batches * batchBytes;
        String name = "tensor-demo-" + ProcessHandle.current().pid();
        // The creator reads the workers' BatchDone records: it allows that class.
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withAllowedClasses(BatchDone.class);
        try (SharedMemory shm = SharedMemory.create(name, tensorBytes + (16L << 20), options)) {
            System.out.println("creator: region " + shm.path() + ", " + Progress.bytes(shm.size()));

            // 1. write the batches into one shared tensor, and name it
            Progress writing = new Progress("creator: writing", "batches", batches, batchBytes);
            SharedTensor images = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32,
                    batches, batchSize, 3, 32, 32);
            float[] staging = new float[(int) batchElements];
            double[] expectedSums = new double[batches];
            for (int b = 0; b < batches; b++) {
                expectedSums[b] = fillBatch(b, staging); // stands for decoding images
                images.row(b).copyFrom(staging);
                writing.update(b + 1);
            }
            shm.put("images", images);
            System.out.printf(Locale.ROOT, "creator: wrote %d batches of %s float32 (%s) into the shared tensor \"images\" %s "
                    + "in %.2f s%n", batches, Arrays.toString(batchShape), Progress.bytes(tensorBytes),
                    Arrays.toString(images.shape()), writing.seconds());

            // 2. the workers: they get "images" by name and view their batches
            List<ChildJvm> children = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                children.add(ChildJvm.builder(Worker.class).maxHeap("1g")
                        .args(name, Integer.toString(w), Integer.toString(workers))
                        .echo("  [worker " + w + "] ").start());
            }
            System.out.println("creator: started " + workers + " worker JVMs; waiting for their reports");

            // 3. the reports, checked as they come
            Progress receiving = null; // from the first report on: the workers' start-up is not in its rate
            boolean[] seen = new boolean[batches];
            long[] perWorker = new long[workers];
            long[] viewNanos = new long[workers];
            int received = 0;
            int wrongSums = 0;
            int duplicates = 0;
            while (received < batches) {
                BatchDone done;
                try {
                    done = shm.takeMessage(Duration.ofMillis(250), BatchDone.class);
                } catch (WaitTimeoutException e) {
                    for (ChildJvm child : children) {
                        child.failIfDied("its batch reports");
                    }
                    if (children.stream().noneMatch(ChildJvm::isAlive)) {
                        throw new IllegalStateException("the workers exited with " + received + " of " + batches + " batches reported");
                    }
                    if (receiving != null) {
                        receiving.update(received);
                    }
                    continue;
                }
                if (receiving == null) {
                    receiving = new Progress("creator: checked", "batches", batches, batchBytes);
                }
                received++;
                int b = (int) done.batch();
                duplicates += seen[b] ? 1 : 0;
                seen[b] = true;
                perWorker[done.worker()]++;
                viewNanos[done.worker()] += done.viewNanos();
                if (Math.abs(done.sum() - expectedSums[b]) > 1e-9 * expectedSums[b]) {
                    wrongSums++;
                    System.out.println("creator: batch " + b + " from worker " + done.worker() + " (" + done.library()
                            + "): sum " + done.sum() + ", expected " + expectedSums[b]);
                }
                receiving.update(received);
            }
            double checkSeconds = receiving.seconds();
            String checkRate = receiving.rate(batches);
            ChildJvm.awaitAllSuccess(WORKER_TIMEOUT, children.toArray(ChildJvm[]::new));

            // 4. the workers' in-place writes, read back through the creator's own view
            long differing = 0;
            for (int b = 0; b < batches; b++) {
                fillBatch(b, staging);
                float[] back = images.row(b).toFloatArray();
                for (int i = 0; i < back.length; i++) {
                    if (Float.compare(back[i], staging[i] * 2f - 1f) != 0) {
                        differing++;
                    }
                }
            }

            // 5. the summary
            for (int w = 0; w < workers; w++) {
                System.out.printf(Locale.ROOT, "creator: worker %d (%s) checked %d batches; its views: %.0f µs a batch%n", w,
                        library(w), perWorker[w], perWorker[w] == 0 ? 0.0 : viewNanos[w] / 1e3 / perWorker[w]);
            }
            boolean ok = wrongSums == 0 && duplicates == 0 && differing == 0;
            System.out.printf(Locale.ROOT, "%s: %d batches (%s) passed between %d JVMs without a copy; %d wrong sums, "
                    + "%d batches reported twice, %d elements differ from the workers' in-place x -> 2x - 1; "
                    + "first to last report %.3f s (%s)%n",
                    ok ? "OK" : "FAILED", batches, Progress.bytes(tensorBytes), workers + 1, wrongSums, duplicates, differing,
                    checkSeconds, checkRate);
            return ok ? 0 : 1;
        }
    }

    /** Fills {@code batch} with pixel-like values in [0, 1] that differ per batch; returns their sum. */
    static double fillBatch(long batch, float[] batchData) {
        double sum = 0;
        for (int i = 0; i < batchData.length; i++) {
            float v = (float) ((i * 31L + batch * 7) % 256) / 255f;
            batchData[i] = v;
            sum += v;
        }
        return sum;
    }

    static String library(int worker) {
        return worker % 2 == 0 ? "nd4j" : "djl";
    }

    /** A worker JVM. args: region, worker number, workers. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) {
            String region = args[0];
            int worker = Integer.parseInt(args[1]);
            int workers = Integer.parseInt(args[2]);
            String library = library(worker);
            boolean nd4j = library.equals("nd4j");
            try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60));
                 NDManager manager = nd4j ? null : NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                SharedTensor images = shm.get("images");
                long batches = images.shape(0);
                long[] batchShape = images.row(0).shape();
                long batchBytes = images.row(0).byteSize();
                // the library's native start-up (seconds, once per JVM), before anything is timed
                if (nd4j) {
                    org.nd4j.linalg.factory.Nd4j.scalar(0f).close();
                } else {
                    manager.create(0f).close();
                }
                double startUp = Duration.between(ProcessHandle.current().info().startInstant().orElseThrow(),
                        java.time.Instant.now()).toMillis() / 1e3;
                System.out.printf(Locale.ROOT, "%s ready (pid %d, %.1f s after its JVM started)%n", library,
                        ProcessHandle.current().pid(), startUp);
                Progress progress = new Progress("worker " + worker, "batches", (batches - worker + workers - 1) / workers,
                        batchBytes);
                long count = 0;
                for (long b = worker; b < batches; b += workers) {
                    SharedTensor batch = images.row(b); // a view of the shared tensor: no copy
                    long start = System.nanoTime();
                    double sum;
                    long viewNanos;
                    if (nd4j) {
                        INDArray view = SharedNd4j.view(batch); // an INDArray over the shared bytes
                        viewNanos = System.nanoTime() - start;
                        // summed in float64 for an exact check: the cast is a temporary copy, the view is not one
                        sum = view.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
                        view.muli(2f).subi(1f); // written into shared memory
                    } else {
                        NDArray view = SharedDjl.view(batch, manager); // a PyTorch tensor over the shared bytes
                        viewNanos = System.nanoTime() - start;
                        try (NDArray asDouble = view.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                             NDArray total = asDouble.sum()) {
                            sum = total.getDouble();
                        }
                        view.muli(2f).subi(1f); // written into shared memory
                        view.close();
                    }
                    shm.putMessage(new BatchDone(worker, library, b, sum, viewNanos));
                    count++;
                    progress.update(count);
                }
                System.out.printf(Locale.ROOT, "%s: %d batches of %s (%s) viewed as %s, summed and scaled in place in %.3f s: %s%n",
                        library, count, Arrays.toString(batchShape), Progress.bytes(count * batchBytes),
                        nd4j ? "INDArray" : "NDArray", progress.seconds(), progress.rate(count));
            }
        }
    }
}
