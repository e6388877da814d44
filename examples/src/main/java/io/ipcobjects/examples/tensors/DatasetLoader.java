package io.ipcobjects.examples.tensors;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.examples.Cli;
import io.ipcobjects.examples.Progress;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * One process publishes a dataset (samples × 3 × 32 × 32 floats) once in shared memory under the
 * name {@code "train-images"}; two worker processes {@code get("train-images")} and read their
 * batches through zero-copy slices, one as ND4J {@code INDArray}s, one as DJL {@code NDArray}s,
 * and each reports the sum it saw in a {@link Report} message, which the publisher takes and
 * checks against what it wrote.
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.tensors.DatasetLoader \
 *     -Ddemo.args="--samples 400000"        # 400k samples: 4.9 GB, a multi-GiB dataset
 * </pre>
 * Options: {@code --help}. Prints the publisher's write progress and rate, each worker's read
 * progress and rate, and the checks.
 */
@Command(name = "DatasetLoader", sortOptions = false, showDefaultValues = true,
        description = {"A publisher JVM writes a dataset tensor once into shared memory; two worker JVMs read their "
                + "batches of it as zero-copy ND4J and DJL views and report their sums by message."})
public final class DatasetLoader implements Callable<Integer> {

    @Option(names = "--samples", description = "samples (images of 3×32×32 float32, 12 kB each)")
    long samples = 4096;

    @Option(names = "--batch", description = "samples per batch")
    long batch = 256;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Spec
    CommandSpec spec;

    /** What a worker saw, sent back to the publisher as a message. */
    public record Report(int worker, String library, long batches, double sum, long bytes, long nanos) {
    }

    private static final long SAMPLE_ELEMENTS = 3 * 32 * 32;

    public static void main(String[] args) {
        Cli.run(new DatasetLoader(), args);
    }

    /** A worker JVM. args: region, worker number (0: ND4J, 1: DJL), batch. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) {
            work(args[0], Integer.parseInt(args[1]), Long.parseLong(args[2]));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (samples < 1 || batch < 1) {
            throw new ParameterException(spec.commandLine(), "--samples and --batch must be at least 1");
        }
        long bytes = samples * SAMPLE_ELEMENTS * 4;
        String name = "dataset-" + ProcessHandle.current().pid();
        // The publisher reads the workers' Report records: it allows that class by name.
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withAllowedClasses(Report.class);
        try (SharedMemory shm = SharedMemory.create(name, bytes + (16L << 20), options)) {
            System.out.printf(Locale.ROOT, "publisher: writing %d samples of [3, 32, 32] float32 (%s) into region %s%n",
                    samples, Progress.bytes(bytes), shm.path());
            Progress writing = new Progress("publisher: written", "samples", samples, SAMPLE_ELEMENTS * 4);
            SharedTensor dataset = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, samples, 3, 32, 32);
            for (long s = 0; s < samples; s++) {
                dataset.row(s).fill(sampleValue(s)); // stands for decoding sample s
                writing.update(s + 1);
            }
            shm.put("train-images", dataset); // stored by reference: the name points at the same tensor block
            System.out.printf(Locale.ROOT, "publisher: dataset %s (%s) written in %.2f s (%s); starting two workers%n",
                    Arrays.toString(dataset.shape()), Progress.bytes(bytes), writing.seconds(), writing.rate(samples));
            ChildJvm[] workers = {
                ChildJvm.builder(Worker.class).maxHeap("1g").args(name, "0", Long.toString(batch)).echo("  [worker 0] ").start(),
                ChildJvm.builder(Worker.class).maxHeap("1g").args(name, "1", Long.toString(batch)).echo("  [worker 1] ").start()
            };
            ChildJvm.awaitAllSuccess(Duration.ofMinutes(10), workers);
            boolean ok = true;
            Map<Integer, Report> reports = new TreeMap<>();
            while (ok && shm.hasMessages()) {
                Report report = shm.takeMessage();
                reports.put(report.worker(), report);
            }
            for (int w = 0; w < 2; w++) {
                double expected = expectedSum(samples, batch, w);
                Report report = reports.get(w);
                boolean match = report != null && Math.abs(report.sum() - expected) <= 1e-9 * expected;
                ok &= match;
                System.out.println("expectedSum" + w + "=" + expected);
                if (report != null) {
                    System.out.println("worker" + w + "Batches=" + report.batches());
                    System.out.println("worker" + w + "Sum=" + report.sum());
                    System.out.printf(Locale.ROOT, "publisher: worker %d (%s) read %s in %.3f s: %s/s%n", w, report.library(),
                            Progress.bytes(report.bytes()), report.nanos() / 1e9,
                            Progress.bytes(report.bytes() / Math.max(1e-9, report.nanos() / 1e9)));
                }
                System.out.println("publisher: worker " + w + " (" + (report == null ? "no report" : report.library())
                        + ") " + (match ? "saw exactly what was written" : "MISMATCH"));
            }
            System.out.println("workersOk=" + ok);
            return ok ? 0 : 1;
        }
    }

    /** Every element of sample {@code s} holds this value. */
    static float sampleValue(long s) {
        return (s % 97) / 96f;
    }

    /** The sum worker {@code w} must see: batches w, w + 2, w + 4, ... */
    static double expectedSum(long samples, long batch, int worker) {
        double sum = 0;
        for (long first = worker * batch; first < samples; first += 2 * batch) {
            for (long s = first; s < Math.min(samples, first + batch); s++) {
                sum += (double) sampleValue(s) * SAMPLE_ELEMENTS;
            }
        }
        return sum;
    }

    private static void work(String region, int worker, long batch) {
        String library = worker == 0 ? "nd4j" : "djl";
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60));
             NDManager manager = worker == 0 ? null : NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            SharedTensor dataset = shm.get("train-images");
            long samples = dataset.shape(0);
            long myBatches = 0;
            for (long first = worker * batch; first < samples; first += 2 * batch) {
                myBatches++;
            }
            Progress progress = new Progress("worker " + worker + " (" + library + ")", "batches", myBatches,
                    batch * SAMPLE_ELEMENTS * 4);
            long start = System.nanoTime();
            double sum = 0;
            long batches = 0;
            long bytes = 0;
            long[] batchShape = null;
            for (long first = worker * batch; first < samples; first += 2 * batch) {
                SharedTensor slice = dataset.slice(first, Math.min(samples, first + batch)); // no copy
                if (batchShape == null) {
                    batchShape = slice.shape();
                }
                if (worker == 0) {
                    sum += SharedNd4j.view(slice).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
                } else {
                    NDArray view = SharedDjl.view(slice, manager);
                    NDArray asDouble = view.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                    NDArray total = asDouble.sum();
                    sum += total.getDouble();
                    total.close();
                    asDouble.close();
                    view.close();
                }
                bytes += slice.byteSize();
                batches++;
                progress.update(batches);
            }
            long nanos = System.nanoTime() - start;
            System.out.printf(Locale.ROOT, "%s: %d batches of %s of the dataset %s, read through %s views in %.3f s: %s "
                    + "(the library's first-use start-up included), sum %s%n", library, batches, Arrays.toString(batchShape),
                    Arrays.toString(dataset.shape()), worker == 0 ? "INDArray" : "NDArray", nanos / 1e9, progress.rate(batches),
                    sum);
            shm.putMessage(new Report(worker, library, batches, sum, bytes, nanos));
        }
    }
}
