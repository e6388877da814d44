package io.ipcobjects.benchmarks.loader;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;
import io.ipcobjects.djl.LoaderDataset;
import io.ipcobjects.loader.DataLoader;
import io.ipcobjects.loader.LoaderBatch;
import io.ipcobjects.nd4j.LoaderDataSetIterator;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.dataset.DataSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;

/**
 * The trainer's cost of one batch handed over by a {@link DataLoader}: {@code next()} of a batch
 * a worker JVM published, then {@code close()} (the slot goes back, the next batch is assigned).
 * The worker ({@link NoopSource}) writes one number per batch, and before each call the
 * benchmark waits (untimed, {@code Level.Invocation}) until a batch is ready, so the time is the
 * trainer's side alone, not the worker's wake-up; nothing is copied, so it must not grow with
 * the batch's size.
 * {@code handOver}: the core {@link LoaderBatch}; {@code handOverDjl}: a DJL {@code Batch} of
 * {@code NDArray} views ({@link LoaderDataset}); {@code handOverNd4j}: a DL4J {@code DataSet} of
 * {@code INDArray} views ({@link LoaderDataSetIterator}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dai.djl.offline=true"})
public class LoaderHandOverBenchmark {
    private static final int BATCH = 64;
    private static final int SLOTS = 6;

    /** Bytes of a batch's features (its labels add 512 bytes). */
    @Param({"1MiB", "16MiB", "256MiB"})
    public String size;

    private SharedMemory shm;
    private DataLoader loader;
    private DataLoader.Epoch epoch;
    private NDManager manager;
    private LoaderDataset dataset;
    private Iterator<Batch> pass;
    private LoaderDataSetIterator iterator;

    @Setup(Level.Trial)
    public void setUp() {
        long bytes = parse(size);
        // the slots, and room for the region's own structures (its undo log takes 1/16 of it)
        shm = SharedMemory.create(BenchRegions.uniqueName("bench-loader"), (SLOTS * (bytes + 4096) + (64L << 20)) * 9 / 8);
        loader = DataLoader.builder(shm, NoopSource.class)
                .workers(1).slots(SLOTS)
                .samples(BATCH * 20_000_000L).batchSize(BATCH)
                .part(DType.FLOAT32, bytes / 4 / BATCH)
                .part(DType.INT64)
                .batchTimeout(Duration.ofMinutes(1))
                .build();
        epoch = loader.epoch();
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        dataset = new LoaderDataset(loader);
        iterator = new LoaderDataSetIterator(loader);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        iterator.release();
        manager.close();
        loader.close();
        BenchRegions.closeAndRemove(shm);
    }

    /** Untimed: waits until the worker has published a batch the next call can take at once. */
    @Setup(Level.Invocation)
    public void awaitReadyBatch() {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (loader.batchesReady() == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no batch ready within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    private static long parse(String size) {
        return Long.parseLong(size.replace("MiB", "")) << 20;
    }

    @Benchmark
    public long handOver() {
        try (LoaderBatch batch = epoch.next()) {
            return batch.index();
        }
    }

    @Benchmark
    public int handOverDjl() {
        if (pass == null) {
            pass = dataset.getData(manager).iterator();
        }
        try (Batch batch = pass.next()) {
            return batch.getSize();
        }
    }

    @Benchmark
    public DataSet handOverNd4j() {
        return iterator.next(); // gives the previous batch's slot back
    }
}
