package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The first copy into pages nobody has touched yet: every page costs a fault and a kernel
 * zeroing, which dominates. Each iteration gets a new region (or a new plain tmpfs file for the
 * baseline) and times one copy into it; then the file is removed.
 *
 * <p>Also the pre-faulting trade-off: {@code newTensor} with each {@link SharedTensor.Init} mode,
 * and creation followed by the first full copy, so the cost moves between the two but is not lost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class TensorFreshPageCopyBenchmark {

    @Param({"16MiB", "256MiB", "1GiB"})
    public String size;

    @Param({"UNINITIALIZED", "PREFAULTED", "ZEROED"})
    public SharedTensor.Init init;

    private long bytes;
    private Arena arena;
    private MemorySegment source;
    private Path plainFile;
    private MemorySegment freshPlain;
    private SharedMemory shm;
    private SharedTensor freshTensor;

    @Setup(Level.Trial)
    public void setUpSource() {
        bytes = BenchRegions.bytes(size);
        arena = Arena.ofShared();
        source = arena.allocate(bytes, 64);
        source.fill((byte) 3);
    }

    @Setup(Level.Iteration)
    public void setUpTargets() {
        plainFile = Path.of("/dev/shm/" + BenchRegions.newName("plain"));
        freshPlain = BenchRegions.freshTmpfsMapping(plainFile, bytes, Arena.ofAuto());
        shm = BenchRegions.region("fresh", bytes);
        freshTensor = null;
    }

    @TearDown(Level.Iteration)
    public void tearDownTargets() {
        shm.close();
        BenchRegions.delete(plainFile);
        freshPlain = null;
    }

    @TearDown(Level.Trial)
    public void tearDownSource() {
        arena.close();
    }

    /** Baseline: the first copy into a freshly mapped plain tmpfs file (independent of {@code init}). */
    @Benchmark
    public MemorySegment copyIntoFreshPlainTmpfs() {
        MemorySegment.copy(source, 0, freshPlain, 0, bytes);
        return freshPlain;
    }

    /** Creating the tensor with {@code init}: UNINITIALIZED costs nothing, the others touch every page. */
    @Benchmark
    public SharedTensor newTensor() {
        return shm.newTensor(init, DType.FLOAT32, bytes / 4);
    }

    /** Creating the tensor, then the loader's first full copy into it: the total a user pays. */
    @Benchmark
    public SharedTensor newTensorThenFirstCopy() {
        SharedTensor tensor = shm.newTensor(init, DType.FLOAT32, bytes / 4);
        tensor.copyFrom(source);
        return tensor;
    }
}
