package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Channel;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.benchmarks.BenchRegions;

import java.util.ArrayList;
import java.util.List;
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
 * What a channel's lock-free path costs the calling core, with no other process on the other
 * side: one thread puts and takes, so every cache line stays in its core and the figure is
 * the instructions of the two calls (claims, encoding, decoding, the hand-back), not the
 * transfers the cross-process harness measures ({@code channel-oneway}).
 * <ul>
 *   <li>{@code offerPoll}: one {@code offer} then one {@code poll};</li>
 *   <li>{@code putDrain}: {@code batch} puts, then one {@code drainTo} of them all (the figure is
 *       per message).</li>
 * </ul>
 * {@code msg}: {@code long} (a {@code Long}), {@code bytes32} (a {@code byte[32]}), {@code string}
 * (a 10-char Latin-1 {@code String}), {@code pair} (a record of a {@code double} and a
 * {@code long}), {@code record} (the harness's {@code Msg}: a name, two tags, a score and an
 * id). {@code inline}: the channel's
 * inline bytes (112, the default: 128-byte entries; 48: 64-byte entries). The peer on the same
 * core is {@link AgronaRingBenchmark}, run in the same invocation (README, "One core's cost of
 * the calls").
 *
 * <pre>
 * benchmarks/run-jmh.sh ChannelBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChannelBenchmark {

    /** The harness's record shape, here so the benchmark needs nothing from the harness package. */
    public record Msg(String name, List<String> tags, double score, long id) {
    }

    /** A record of two primitive components: what a record costs beyond its components. */
    public record Pair(double score, long id) {
    }

    @Param({"long", "bytes32", "string", "pair", "record"})
    public String msg;

    @Param({"112", "48"})
    public int inline;

    /**
     * The channel's {@link Channel.Producers}: {@code many} (the default) or {@code one}, whose
     * puts claim with a plain store ({@code -p producers=many,one} runs both). The seat goes to
     * JMH's one benchmark thread, which runs every iteration of a trial.
     */
    @Param({"many"})
    public String producers;

    private static final int BATCH = 64;

    private SharedMemory shm;
    private Channel<Object> channel;
    private Object message;
    private final List<Object> sink = new ArrayList<>(BATCH);

    @Setup(Level.Trial)
    public void setUp() {
        String name = "bench-channel-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        shm = SharedMemory.create(name, 16L << 20, SharedMemoryOptions.defaults().withAllowedClasses(Msg.class, Pair.class));
        channel = shm.channel("bench", Object.class, 1024, inline, producers(producers));
        message = switch (msg) {
            case "long" -> 0x1234_5678L;
            case "bytes32" -> new byte[32];
            case "string" -> "message-07";
            case "pair" -> new Pair(0.5, 7L);
            case "record" -> new Msg("message-7", List.of("alpha", "beta"), 0.5, 7L);
            default -> throw new IllegalArgumentException("unknown msg " + msg);
        };
    }

    /** The {@code producers} parameter's {@link Channel.Producers}: {@code many} or {@code one}. */
    static Channel.Producers producers(String producers) {
        return switch (producers) {
            case "many" -> Channel.Producers.MANY;
            case "one" -> Channel.Producers.ONE;
            default -> throw new IllegalArgumentException("producers must be many or one, not " + producers);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }

    @Benchmark
    public Object offerPoll() {
        channel.offer(message);
        return channel.poll();
    }

    @Benchmark
    @org.openjdk.jmh.annotations.OperationsPerInvocation(BATCH)
    public int putDrain() {
        for (int i = 0; i < BATCH; i++) {
            channel.put(message);
        }
        sink.clear();
        return channel.drainTo(sink, BATCH);
    }
}
