package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.concurrent.CompletableFuture;
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
 * The asynchronous API's hand-off: the benchmark thread puts a {@code Long} message and waits
 * for the future {@code nextMessage()} gave, which the handle's poller thread completes (it polls
 * the count without the lock, takes the lock, takes the message). One future is always pending
 * before the put, as a consumer that asks for the next message before it works on the current
 * one would do, so the poller is polling, not parked. Also {@code withAccess} of a trivial task
 * (in its own trial, with no future pending): a submission, an unpark of the parked poller, an
 * {@code acquire()} scope, a completion and the caller's wake-up from {@code join()}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar AsyncMessageBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AsyncMessageBenchmark {

    /** The poller's wait strategy while futures are pending. */
    @Param({"busySpin", "backoff"})
    public String wait;

    private SharedMemory shm;
    private CompletableFuture<Object> next;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() {
        WaitStrategy strategy = wait.equals("busySpin") ? WaitStrategy.busySpin() : WaitStrategy.backoff();
        shm = SharedMemory.create(BenchRegions.uniqueName("async"), 16L << 20,
                SharedMemoryOptions.defaults().withWaitStrategy(strategy));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }

    @Benchmark
    public Object putThenNextMessage() {
        CompletableFuture<Object> current = next != null ? next : shm.nextMessage();
        next = shm.nextMessage(); // the one after: pending before the put, so the poller keeps polling
        shm.putMessage(++counter);
        return current.join();
    }

    @Benchmark
    public Object withAccess() {
        return shm.withAccess(a -> a.messageCount()).join();
    }
}
