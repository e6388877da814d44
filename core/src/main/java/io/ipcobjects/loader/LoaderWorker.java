package io.ipcobjects.loader;

import io.ipcobjects.Channel;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.WaitTimeoutException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code main} of a loader worker JVM, started by {@link DataLoader}: it attaches to the
 * loader's region, makes the {@link BatchSource}, and then, for each batch tag its task channel
 * brings, computes the batch's sample indices, claims a slot of the loader's ring, has the
 * source fill it and publishes it with the tag. It stops on the stop tag, when the region
 * closes, or when the trainer JVM is gone (it then halts with {@link #TRAINER_GONE}).
 *
 * <p>Arguments are {@code key=value} words; the loader writes them, users do not.
 */
public final class LoaderWorker {
    /** Exit code of a worker whose {@link BatchSource} threw: the loader fails instead of restarting it. */
    public static final int SOURCE_FAILED = 70;
    /** Exit code of a worker whose trainer JVM went away. */
    public static final int TRAINER_GONE = 86;
    /** Exit code of a worker given bad arguments. */
    public static final int USAGE = 64;

    /** Prefix of the arguments handed to the source ({@code arg.key=value}). */
    static final String SOURCE_ARG = "arg.";
    /** How long one wait for a task or a free slot lasts before the worker looks around. */
    private static final Duration POLL = Duration.ofMillis(500);

    private LoaderWorker() {
    }

    /**
     * Runs a worker; exits with 0 after a stop, {@link #SOURCE_FAILED}, {@link #TRAINER_GONE} or
     * {@link #USAGE}.
     *
     * @param args {@code key=value} words written by {@link DataLoader}
     */
    public static void main(String[] args) {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loader worker: " + e.getMessage());
            System.exit(USAGE);
            return;
        }
        long trainer = Long.parseLong(options.get("trainer"));
        ProcessHandle.of(trainer).ifPresentOrElse(
                p -> p.onExit().thenRun(LoaderWorker::trainerGone), LoaderWorker::trainerGone);
        System.exit(run(options));
    }

    private static void trainerGone() {
        System.err.println("loader worker: the trainer JVM is gone; halting");
        Runtime.getRuntime().halt(TRAINER_GONE);
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("argument '" + arg + "' is not key=value");
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        for (String key : List.of("trainer", "region", "loader", "worker", "workers", "source", "samples", "batch",
                "shuffle", "dropLast", "seed", "parts")) {
            if (!options.containsKey(key)) {
                throw new IllegalArgumentException("argument " + key + "= missing from " + Arrays.toString(args));
            }
        }
        return options;
    }

    /** The worker's loop; returns its exit code. */
    private static int run(Map<String, String> o) {
        int worker = Integer.parseInt(o.get("worker"));
        BatchPlan plan = new BatchPlan(Long.parseLong(o.get("samples")), Integer.parseInt(o.get("batch")),
                Boolean.parseBoolean(o.get("shuffle")), Boolean.parseBoolean(o.get("dropLast")), Long.parseLong(o.get("seed")));
        List<TensorSpec> parts = decodeParts(o.get("parts"));
        Map<String, String> sourceArgs = new HashMap<>();
        o.forEach((k, v) -> {
            if (k.startsWith(SOURCE_ARG)) {
                sourceArgs.put(k.substring(SOURCE_ARG.length()), v);
            }
        });
        String name = o.get("loader");
        try (SharedMemory shm = SharedMemory.attach(Path.of(o.get("region")), Duration.ofSeconds(30), SharedMemoryOptions.defaults())) {
            TensorRing ring = shm.tensorRing(DataLoader.ringName(name));
            Channel<Long> tasks = shm.channel(DataLoader.taskChannelName(name, worker), Long.class);
            BatchSource source;
            try {
                source = (BatchSource) Class.forName(o.get("source"), true, Thread.currentThread().getContextClassLoader())
                        .getConstructor().newInstance();
                source.open(new WorkerContext(worker, Integer.parseInt(o.get("workers")), plan.samples(), plan.batchSize(),
                        plan.shuffle(), plan.seed(), parts, sourceArgs, shm));
            } catch (Throwable t) {
                System.err.println("loader worker " + worker + ": the batch source " + o.get("source") + " failed to open");
                t.printStackTrace();
                return SOURCE_FAILED;
            }
            int code = serve(worker, plan, ring, tasks, source);
            try {
                source.close();
            } catch (Throwable t) {
                System.err.println("loader worker " + worker + ": the batch source failed to close");
                t.printStackTrace();
            }
            return code;
        } catch (RegionClosedException e) {
            return 0; // the trainer closed the region: nothing left to do
        }
    }

    private static int serve(int worker, BatchPlan plan, TensorRing ring, Channel<Long> tasks, BatchSource source) {
        int partCount = ring.specs().size();
        while (true) {
            long tag;
            try {
                tag = tasks.take(POLL);
            } catch (WaitTimeoutException e) {
                continue;
            }
            if (tag == BatchPlan.STOP) {
                return 0;
            }
            long[] samples = plan.sampleIndices(BatchPlan.epochOf(tag), BatchPlan.batchOf(tag));
            TensorRing.Slot slot;
            do {
                slot = ring.claim(POLL);
            } while (slot == null);
            try {
                List<SharedTensor> batch = new ArrayList<>(partCount);
                for (int p = 0; p < partCount; p++) {
                    SharedTensor t = slot.tensor(p);
                    batch.add(samples.length == plan.batchSize() ? t : t.slice(0, samples.length));
                }
                source.fill(BatchPlan.epochOf(tag), BatchPlan.batchOf(tag), samples, batch);
            } catch (Throwable t) {
                slot.close();
                System.err.println("loader worker " + worker + ": the batch source failed on batch " + BatchPlan.batchOf(tag)
                        + " of epoch " + BatchPlan.epochOf(tag));
                t.printStackTrace();
                return SOURCE_FAILED;
            }
            slot.publish(tag);
        }
    }

    /** {@code FLOAT32:64x3x32x32;INT64:64} (see {@link #encodeParts}). */
    static List<TensorSpec> decodeParts(String text) {
        List<TensorSpec> parts = new ArrayList<>();
        for (String part : text.split(";")) {
            String[] typeAndShape = part.split(":");
            long[] shape = Arrays.stream(typeAndShape[1].split("x")).mapToLong(Long::parseLong).toArray();
            parts.add(new TensorSpec(DType.valueOf(typeAndShape[0]), shape));
        }
        return parts;
    }

    static String encodeParts(List<TensorSpec> parts) {
        StringBuilder text = new StringBuilder();
        for (TensorSpec spec : parts) {
            if (!text.isEmpty()) {
                text.append(';');
            }
            text.append(spec.dtype().name()).append(':');
            long[] shape = spec.shape();
            for (int i = 0; i < shape.length; i++) {
                text.append(i == 0 ? "" : "x").append(shape[i]);
            }
        }
        return text.toString();
    }
}
