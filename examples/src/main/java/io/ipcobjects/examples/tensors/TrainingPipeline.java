package io.ipcobjects.examples.tensors;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;

import org.nd4j.linalg.api.ndarray.INDArray;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A loader process fills image batches into a ring of shared tensors; two trainer processes take
 * them, one as DJL {@code NDArray}s, one as ND4J {@code INDArray}s, without a copy, compute the
 * batch sum, check it against the loader's checksum and hand the slot back ({@link BatchRing}).
 *
 * <pre>
 * mvn -q -Pdemo -DskipTests package -Ddemo.main=io.ipcobjects.examples.tensors.TrainingPipeline \
 *     -Ddemo.args="--batches 40 --full"
 * </pre>
 * Options: {@code --batches N} (default 24), {@code --slots N} (4), {@code --full} for
 * 64×3×224×224 float batches (default 8×3×32×32). Prints {@code trained=}, {@code mismatches=}.
 */
public final class TrainingPipeline {
    private TrainingPipeline() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("trainer")) {
            train(args[1], args[2], Long.parseLong(args[3]));
            return;
        }
        long batches = ExampleJvms.option(args, "batches", 24);
        int slots = (int) ExampleJvms.option(args, "slots", 4);
        long[] shape = ExampleJvms.flag(args, "full") ? new long[] {64, 3, 224, 224} : new long[] {8, 3, 32, 32};
        long batchBytes = 4L * shape[0] * shape[1] * shape[2] * shape[3];
        String name = "pipeline-" + ProcessHandle.current().pid();

        try (SharedMemory shm = SharedMemory.create(name, slots * (batchBytes + 4096) + (8L << 20))) {
            BatchRing ring;
            SharedTensor[] tensors = new SharedTensor[slots];
            try (Access a = shm.acquire()) {
                long[] blocks = new long[slots];
                for (int i = 0; i < slots; i++) {
                    tensors[i] = a.newTensor(SharedTensor.Init.PREFAULTED, DType.FLOAT32, shape);
                    blocks[i] = tensors[i].blockOffset();
                }
                long ringBlock = a.allocate(BatchRing.bytesFor(slots));
                ring = new BatchRing(a.block(ringBlock));
                ring.format(batches, blocks);
                a.setUserRoot(ringBlock); // how the trainers find the ring
            }
            System.out.println("loader: " + batches + " batches of " + java.util.Arrays.toString(shape) + " floats, "
                    + slots + " slots, region " + shm.path());
            Process djl = ExampleJvms.start(TrainingPipeline.class, "trainer", name, "djl", pid());
            Process nd4j = ExampleJvms.start(TrainingPipeline.class, "trainer", name, "nd4j", pid());

            ring.awaitTrainers(2, Duration.ofSeconds(120));
            float[] staging = new float[(int) (batchBytes / 4)];
            long start = System.nanoTime();
            for (long b = 0; b < batches; b++) {
                int slot = (int) (b % slots);
                double checksum = decodeBatch(b, staging); // stands for reading and decoding images
                ring.awaitFree(slot, () -> djl.isAlive() || nd4j.isAlive());
                tensors[slot].copyFrom(staging);
                ring.publish(slot, b, checksum);
            }
            int djlExit = ExampleJvms.await(djl, 300);
            int nd4jExit = ExampleJvms.await(nd4j, 300);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("loader: done in %.2f s (%.0f MB/s of batches)%n", seconds, batches * batchBytes / seconds / 1e6);
            System.out.println("trained=" + ring.trained());
            System.out.println("mismatches=" + ring.mismatches());
            System.out.println("trainerExitCodes=" + djlExit + "," + nd4jExit);
            if (ring.trained() != batches || ring.mismatches() != 0 || djlExit != 0 || nd4jExit != 0) {
                System.exit(1);
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

    private static String pid() {
        return Long.toString(ProcessHandle.current().pid());
    }

    private static void train(String region, String library, long loaderPid) {
        java.util.function.BooleanSupplier loaderAlive = () -> ProcessHandle.of(loaderPid).map(ProcessHandle::isAlive)
                .orElse(false);
        try (SharedMemory shm = SharedMemory.attach(region, Duration.ofSeconds(60));
             NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            BatchRing ring;
            SharedTensor[] tensors;
            try (Access a = shm.acquire()) {
                long ringBlock = a.userRoot();
                ring = new BatchRing(a.block(ringBlock));
                tensors = new SharedTensor[ring.slots()];
                for (int i = 0; i < tensors.length; i++) {
                    tensors[i] = a.tensorAt(ring.tensorBlock(i));
                }
            }
            // views are made once per slot and reused for every batch that passes through it
            NDArray[] djlViews = new NDArray[tensors.length];
            INDArray[] nd4jViews = new INDArray[tensors.length];
            for (int i = 0; i < tensors.length; i++) {
                if (library.equals("djl")) {
                    djlViews[i] = SharedDjl.view(tensors[i], manager);
                } else {
                    nd4jViews[i] = SharedNd4j.view(tensors[i]);
                }
            }
            ring.ready();
            long count = 0;
            for (long b = ring.claim(); b >= 0; b = ring.claim()) {
                int slot = ring.awaitBatch(b, loaderAlive);
                double sum;
                if (library.equals("djl")) {
                    // summed in double for a tight check; the cast is the only copy, the view is not one
                    NDArray asDouble = djlViews[slot].toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                    NDArray total = asDouble.sum();
                    sum = total.getDouble();
                    total.close();
                    asDouble.close();
                } else {
                    sum = nd4jViews[slot].castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sumNumber().doubleValue();
                }
                double expected = ring.checksum(slot);
                boolean matched = Math.abs(sum - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
                ring.release(slot, matched);
                count++;
            }
            System.out.println("trainer " + library + ": " + count + " batches");
        }
    }
}
