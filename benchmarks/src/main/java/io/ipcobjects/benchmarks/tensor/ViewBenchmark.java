package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.djl.SharedDjl;
import io.ipcobjects.nd4j.SharedNd4j;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What a binding view costs when it is built and when it is found again (views are made once
 * per scope), beside what the same read costs without a binding.
 *
 * <ul>
 *   <li>{@code nd4jNewView}, {@code djlNewView}: building a view ({@code newView}; the DJL array
 *       is closed in the benchmark, or a long run would fill the manager);</li>
 *   <li>{@code nd4jCreateOverBuffer}: ND4J's {@code Nd4j.create(buffer, shape, strides, ...)}
 *       over a ready buffer, the call views were built with before they took their shape
 *       information from ND4J's cache;</li>
 *   <li>{@code nd4jCachedView}, {@code djlCachedView}: {@code view} of a tensor viewed before in
 *       the same scope (handle, manager);</li>
 *   <li>{@code nd4jGetByName}, {@code djlGetByName}: {@code shm.get(name)} of a tensor stored
 *       from the binding's array (lock, name lookup, header check, cached view; DJL inside a
 *       {@code SharedDjl.bind} scope);</li>
 *   <li>{@code coreGetByName}, {@code segmentSlice}: the peers without a binding: a core
 *       {@code SharedTensor} by name, and a plain {@code MemorySegment} slice of the data.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dai.djl.offline=true"})
public class ViewBenchmark {

    private static final long ELEMENTS = 1 << 18; // 1 MiB of floats: a view's cost does not depend on it

    private SharedMemory shm;
    private SharedTensor tensor;
    private MemorySegment data;
    private NDManager manager;
    private DataBuffer nd4jBuffer;
    private long[] shape;
    private long[] strides;

    @Setup(Level.Trial)
    public void setUp() {
        shm = BenchRegions.region("views", 8 * ELEMENTS * 4);
        tensor = shm.newTensor(DType.FLOAT32, 512, ELEMENTS / 512);
        data = tensor.segment();
        shape = tensor.shape();
        strides = tensor.strides();
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        nd4jBuffer = SharedNd4j.newView(tensor).data();
        shm.put("nd4j", shm.copyToTensor(Nd4j.ones(DataType.FLOAT, 512, ELEMENTS / 512)));
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            shm.put("djl", shm.copyToTensor(scratch.ones(new ai.djl.ndarray.types.Shape(512, ELEMENTS / 512))));
        }
        shm.put("core", shm.newTensor(DType.FLOAT32, 512, ELEMENTS / 512));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
        shm.close();
    }

    @Benchmark
    public INDArray nd4jNewView() {
        return SharedNd4j.newView(tensor);
    }

    @Benchmark
    public INDArray nd4jCreateOverBuffer() {
        return Nd4j.create(nd4jBuffer, shape, strides, 0, 'c', DataType.FLOAT);
    }

    /**
     * An {@code acquire()} scope held by the benchmark thread for the trial: ND4J views are made
     * once per scope, so this is where a view is found again.
     */
    @State(Scope.Thread)
    public static class InScope {
        Access access;

        @Setup(Level.Trial)
        public void enter(ViewBenchmark benchmark) {
            access = benchmark.shm.acquire();
        }

        @TearDown(Level.Trial)
        public void exit() {
            access.close();
        }
    }

    @Benchmark
    public INDArray nd4jCachedView(InScope scope) {
        return SharedNd4j.view(tensor);
    }

    @Benchmark
    public Object nd4jGetByNameInScope(InScope scope) {
        return scope.access.get("nd4j");
    }

    @Benchmark
    public Object nd4jGetByName() {
        return shm.get("nd4j"); // a scope of its own each time: a new view each time
    }

    @Benchmark
    public long djlNewView() {
        NDArray view = SharedDjl.newView(tensor, manager);
        long n = view.size();
        view.close();
        return n;
    }

    @Benchmark
    public NDArray djlCachedView() {
        return SharedDjl.view(tensor, manager);
    }

    @Benchmark
    public Object djlGetByName() {
        try (SharedDjl.ViewScope ignored = SharedDjl.bind(manager)) {
            return shm.get("djl");
        }
    }

    @Benchmark
    public Object coreGetByName() {
        return shm.get("core");
    }

    @Benchmark
    public MemorySegment segmentSlice() {
        return data.asSlice(0, data.byteSize());
    }
}
