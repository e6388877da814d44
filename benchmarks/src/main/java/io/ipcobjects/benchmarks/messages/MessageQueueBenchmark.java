package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.UnsupportedTypeException;
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
 * The message queue inside one {@code acquire()} scope (the lock is held for the whole trial,
 * as a batch of work would hold it), one process. Throughput in operations per microsecond
 * (= M ops/s):
 * <ul>
 *   <li>{@code putThenTake}: append a message and take the oldest (one of each per operation);</li>
 *   <li>{@code readMessage}: peek at the oldest message: the decoding half of a take.</li>
 * </ul>
 * {@code shape}: {@code long} (an inline value), {@code string} (a 40-character string, one
 * block), {@code example} (the original's nested example object, see {@link ExampleObject}: a
 * record holding a map with a tuple key, a record with two lists, a map and a nested record;
 * without its {@code int[]} while tensors are missing from the value codec, which the setup
 * prints). A taken example hands its four live containers over: {@code putThenTake} destroys
 * them, so each operation is put + take + destroy and the region stays the same size.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar MessageQueueBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageQueueBenchmark {

    @Param({"long", "string", "example"})
    public String shape;

    private SharedMemory shm;
    private Access access;
    private Object message;

    @Setup(Level.Trial)
    public void setUp() {
        String name = "bench-mq-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        shm = SharedMemory.create(name, 64L << 20, SharedMemoryOptions.defaults().withWaitStrategy(WaitStrategy.busySpin()));
        try {
            access = shm.acquire(); // JMH runs a thread-scoped state's setup on the benchmark thread
            message = switch (shape) {
                case "long" -> 0x1234_5678L;
                case "string" -> "a small message of forty characters long";
                case "example" -> exampleThatFits();
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            };
            access.putMessage(message); // one message stays queued: readMessage has something to read
        } catch (RuntimeException e) {
            shm.close(); // a failed setup must not leave the region file behind
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        access.close();
        shm.close();
    }

    @Benchmark
    public Object putThenTake() {
        access.putMessage(message);
        Object taken = access.takeMessage();
        if (taken instanceof ExampleObject.SomeSharedObject example) {
            ExampleObject.destroyContainers(access, example);
        }
        return taken;
    }

    private Object exampleThatFits() {
        try {
            Object full = ExampleObject.create(true);
            access.putMessage(full);
            ExampleObject.destroyContainers(access, access.takeMessage());
            return full;
        } catch (UnsupportedTypeException e) {
            System.out.println("example without its int[]: " + e.getMessage());
            return ExampleObject.create(false);
        }
    }

    @Benchmark
    public Object readMessage() {
        return access.readMessage();
    }
}
