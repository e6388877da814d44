package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * Making a library array over a shared tensor (no copy) against what users do without it:
 * building the array from a {@code float[]} (a copy). A view's cost must not grow with the size.
 * The views are built with {@code newView}, so every call builds one ({@code view} hands out the
 * one made before in the same scope: see {@code ViewBenchmark}). The DJL
 * arrays are closed in the benchmark (both sides), or a long run would fill the manager.
 * "3GiB" exists only for the views (no {@code float[]} is that large) and takes DJL's JNI path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dai.djl.offline=true", "-Xmx3g"})
public class TensorViewBenchmark {

    @Param({"1KiB", "1MiB", "256MiB"})
    public String size;

    private SharedMemory shm;
    private SharedTensor tensor;
    private SharedTensor over2GiB;
    private float[] heap;
    private NDManager manager;

    @Setup(Level.Trial)
    public void setUp() {
        long bytes = BenchRegions.bytes(size);
        shm = BenchRegions.region("view", bytes + (3L << 30));
        tensor = shm.newTensor(DType.FLOAT32, bytes / 4);
        over2GiB = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, (3L << 30) / 4); // sparse, untouched
        heap = new float[(int) (bytes / 4)];
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
        shm.close();
    }

    @Benchmark
    public INDArray nd4jView() {
        return SharedNd4j.newView(tensor);
    }

    @Benchmark
    public INDArray nd4jCreateFromFloatArray() {
        return Nd4j.create(heap);
    }

    @Benchmark
    public long djlView() {
        NDArray view = SharedDjl.newView(tensor, manager);
        long n = view.size();
        view.close();
        return n;
    }

    @Benchmark
    public long djlCreateFromFloatArray() {
        NDArray copy = manager.create(heap);
        long n = copy.size();
        copy.close();
        return n;
    }

    @Benchmark
    public INDArray nd4jView3GiB() {
        return SharedNd4j.newView(over2GiB);
    }

    @Benchmark
    public long djlView3GiB() {
        NDArray view = SharedDjl.newView(over2GiB, manager);
        long n = view.size();
        view.close();
        return n;
    }
}
