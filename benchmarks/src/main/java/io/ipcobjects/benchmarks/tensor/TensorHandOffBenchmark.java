package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.ndarray.INDArray;
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
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The receiving side of handing a published tensor to another process: a second, independently
 * attached handle of the region (as another process has) turns the tensor's block offset into a
 * validated {@code SharedTensor} and then into a library array. Nothing is copied, so the time
 * must not grow with the tensor's size (the tensors are sparse and never touched).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dai.djl.offline=true"})
public class TensorHandOffBenchmark {

    @Param({"1KiB", "1MiB", "256MiB", "3GiB"})
    public String size;

    private SharedMemory creator;
    private SharedMemory consumer;
    private long block;
    private NDManager manager;

    @Setup(Level.Trial)
    public void setUp() {
        long bytes = BenchRegions.bytes(size);
        // Room for the tensor and the region's undo log (1/16 of the region, at most 64 MiB).
        creator = BenchRegions.region("handoff", bytes);
        try {
            block = creator.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, bytes / 4).blockOffset();
            consumer = SharedMemory.attach(creator.path(), Duration.ofSeconds(10), SharedMemoryOptions.defaults());
        } catch (RuntimeException e) {
            creator.close(); // a failed setup must not leave a region file of gigabytes behind
            throw e;
        }
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
        consumer.close();
        creator.close();
    }

    @Benchmark
    public SharedTensor receiveCore() {
        return consumer.tensorAt(block);
    }

    @Benchmark
    public INDArray receiveNd4j() {
        return SharedNd4j.view(consumer.tensorAt(block));
    }

    @Benchmark
    public long receiveDjl() {
        NDArray view = SharedDjl.view(consumer.tensorAt(block), manager);
        long n = view.size();
        view.close();
        return n;
    }
}
