package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

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

/**
 * Copy-in bandwidth into a shared tensor whose pages are already faulted in (warm), against the
 * limit: {@code MemorySegment.copy} between two plain off-heap segments of the same size, and
 * from a {@code float[]} into a plain segment. Time per copy; bandwidth = size / time.
 * Fresh tmpfs pages are measured by {@link TensorFreshPageCopyBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class TensorCopyBenchmark {

    @Param({"1KiB", "64KiB", "1MiB", "16MiB", "256MiB", "1GiB"})
    public String size;

    private Arena arena;
    private MemorySegment plainSource;
    private MemorySegment plainTarget;
    private float[] heapSource;
    private SharedMemory shm;
    private SharedTensor tensor;

    @Setup(Level.Trial)
    public void setUp() {
        long bytes = BenchRegions.bytes(size);
        arena = Arena.ofShared();
        plainSource = arena.allocate(bytes, 64);
        plainTarget = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes; i += 4) {
            plainSource.set(ValueLayout.JAVA_FLOAT, i, i);
        }
        plainTarget.fill((byte) 1); // fault its pages in, as the tensor's are
        heapSource = new float[(int) (bytes / 4)];
        java.util.Arrays.fill(heapSource, 1.5f);
        shm = BenchRegions.region("copy", bytes);
        tensor = shm.newTensor(DType.FLOAT32, bytes / 4); // zero-filled: pages faulted in
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        shm.close();
        arena.close();
    }

    @Benchmark
    public void segmentToPlainSegment() {
        MemorySegment.copy(plainSource, 0, plainTarget, 0, plainTarget.byteSize());
    }

    @Benchmark
    public void segmentToSharedTensor() {
        tensor.copyFrom(plainSource);
    }

    @Benchmark
    public void floatArrayToPlainSegment() {
        MemorySegment.copy(heapSource, 0, plainTarget, ValueLayout.JAVA_FLOAT, 0, heapSource.length);
    }

    @Benchmark
    public void floatArrayToSharedTensor() {
        tensor.copyFrom(heapSource);
    }
}
