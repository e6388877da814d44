package io.ipcobjects.examples.tensors;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

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
 * Options: {@code --samples N} (default 4096, 50 MB), {@code --batch N} (256).
 */
public final class DatasetLoader {
    private DatasetLoader() {
    }

    /** What a worker saw, sent back to the publisher as a message. */
    public record Report(int worker, String library, long batches, double sum) {
    }

    private static final long SAMPLE_ELEMENTS = 3 * 32 * 32;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            work(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        long samples = ExampleJvms.option(args, "samples", 4096);
        long batch = ExampleJvms.option(args, "batch", 256);
        long bytes = samples * SAMPLE_ELEMENTS * 4;
        String name = "dataset-" + ProcessHandle.current().pid();
        // The publisher reads the workers' Report records: it allows that class by name.
        SharedMemoryOptions options = SharedMemoryOptions.defaults().withAllowedClasses(Report.class);
        try (SharedMemory shm = SharedMemory.create(name, bytes + (16L << 20), options)) {
            long start = System.nanoTime();
            SharedTensor dataset = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, samples, 3, 32, 32);
            for (long s = 0; s < samples; s++) {
                dataset.row(s).fill(sampleValue(s)); // stands for decoding sample s
            }
            shm.put("train-images", dataset); // stored by reference: the name points at the same tensor block
            System.out.printf("publisher: %d samples, %.1f MB, written in %.2f s%n", samples, bytes / 1e6,
                    (System.nanoTime() - start) / 1e9);
            Process[] workers = {
                ExampleJvms.start(DatasetLoader.class, "worker", name, "0", Long.toString(batch)),
                ExampleJvms.start(DatasetLoader.class, "worker", name, "1", Long.toString(batch))
            };
            boolean ok = true;
            for (Process worker : workers) {
                ok &= ExampleJvms.await(worker, 600) == 0;
            }
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
                }
                System.out.println("publisher: worker " + w + " (" + (report == null ? "no report" : report.library())
                        + ") " + (match ? "saw exactly what was written" : "MISMATCH"));
            }
            System.out.println("workersOk=" + ok);
            if (!ok) {
                System.exit(1);
            }
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
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60));
             NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            SharedTensor dataset = shm.get("train-images");
            long samples = dataset.shape(0);
            double sum = 0;
            long batches = 0;
            for (long first = worker * batch; first < samples; first += 2 * batch) {
                SharedTensor slice = dataset.slice(first, Math.min(samples, first + batch)); // no copy
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
                batches++;
            }
            String library = worker == 0 ? "nd4j" : "djl";
            System.out.println("worker " + worker + " (" + library + "): " + batches + " batches of "
                    + java.util.Arrays.toString(dataset.shape()) + ", sum " + sum);
            shm.putMessage(new Report(worker, library, batches, sum));
        }
    }
}
