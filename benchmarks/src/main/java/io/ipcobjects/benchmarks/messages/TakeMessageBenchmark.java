package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;

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
 * {@code takeMessage} alone, inside one {@code acquire()} scope: the message is put before each
 * call, outside the timed part (a per-invocation setup, which adds a few tens of ns of timer
 * overhead: fine for operations of microseconds, less so for the inline {@code long}). The taken
 * example's live containers (and its tensor, with {@code example-with-array}) are destroyed after
 * the call, also untimed.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar TakeMessageBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TakeMessageBenchmark {

    @Param({"example", "example-with-array", "string", "long"})
    public String shape;

    private SharedMemory shm;
    private Access access;
    private Object message;
    private Object taken;

    @Setup(Level.Trial)
    public void setUp() {
        String name = "bench-take-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        shm = SharedMemory.create(name, 64L << 20, SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.busySpin()));
        try {
            access = shm.acquire();
            message = switch (shape) {
                case "long" -> 0x1234_5678L;
                case "string" -> "a small message of forty characters long";
                case "example" -> ExampleObject.create(false); // without its int[]: the shape of the figures before tensors
                case "example-with-array" -> ExampleObject.create(true); // the int[] is stored as a tensor, kept on take
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            };
        } catch (RuntimeException e) {
            shm.close(); // a failed setup must not leave the region file behind
            throw e;
        }
    }

    @Setup(Level.Invocation)
    public void putOne() {
        access.putMessage(message);
    }

    @TearDown(Level.Invocation)
    public void destroyTaken() {
        if (taken instanceof ExampleObject.SomeSharedObject example) {
            ExampleObject.destroyContainers(access, example);
        }
        taken = null;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        access.close();
        shm.close();
    }

    @Benchmark
    public Object takeMessage() {
        taken = access.takeMessage();
        return taken;
    }
}
