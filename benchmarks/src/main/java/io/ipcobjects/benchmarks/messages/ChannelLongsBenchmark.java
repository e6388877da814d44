package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Channel;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ChannelBenchmark#putDrain} of numbers through a channel of {@code Long}'s unboxed calls,
 * {@code putLong} and {@code drainLongs}: no {@code Long} on either side. Its peer is
 * {@code ChannelBenchmark.putDrain} with {@code -p msg=long}, run in the same invocation (README,
 * "One core's cost of the calls"):
 *
 * <pre>
 * benchmarks/run-jmh.sh '(ChannelBenchmark.putDrain|ChannelLongsBenchmark)' -f 3 -wi 3 -w 1 -i 4 -r 1 -p inline=112 -p msg=long
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChannelLongsBenchmark {

    private static final int BATCH = 64;

    /** The channel's inline bytes, as in {@link ChannelBenchmark}. */
    @Param({"112"})
    public int inline;

    /** The channel's {@link Channel.Producers}: {@code many} (the default) or {@code one}. */
    @Param({"many"})
    public String producers;

    private SharedMemory shm;
    private Channel<Long> longs;
    /** Sum of the numbers drainLongs gave: returned, so the JIT cannot drop the reads. */
    private long drained;

    @Setup(Level.Trial)
    public void setUp() {
        String name = "bench-longs-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        shm = SharedMemory.create(name, 16L << 20);
        longs = shm.channel("bench-longs", Long.class, 1024, inline, ChannelBenchmark.producers(producers));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }

    /** {@code batch} {@code putLong}s, then one {@code drainLongs} of them all (the figure is per message). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long putDrainLongs() {
        for (int i = 0; i < BATCH; i++) {
            longs.putLong(i);
        }
        longs.drainLongs(value -> drained += value, BATCH);
        return drained;
    }
}
