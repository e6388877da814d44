package io.ipcobjects.benchmarks.messages;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The peer of {@link ChannelBenchmark#putDrain} on one core: {@value #BATCH} writes of a message
 * of {@code bytes} bytes into an Agrona {@link OneToOneRingBuffer} of 64 KiB (the harness's
 * {@code agrona-oneway} ring), then one {@code read} of them all, whose handler reads the
 * message's first word where it lies, as {@code agrona-oneway}'s reader does. The figure is per
 * message: what Agrona's ring costs the calling core when every line stays in its cache, beside
 * what a channel's {@code put} and {@code drainTo} cost in the same run.
 *
 * <pre>
 * benchmarks/run-jmh.sh '(ChannelBenchmark.putDrain|AgronaRingBenchmark)' -f 1 -wi 3 -w 1 -i 5 -r 1 -p msg=long,bytes32 -p inline=112
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AgronaRingBenchmark {

    private static final int BATCH = 64;
    private static final int MSG_TYPE = 1;

    /** The message's size: 8 (a {@code long}, beside {@code msg=long}) or 32 (beside {@code msg=bytes32}). */
    @Param({"8", "32"})
    public int bytes;

    private OneToOneRingBuffer ring;
    private UnsafeBuffer message;
    private final Summer summer = new Summer();

    /** Adds each message's first word: the handler reads in place and allocates nothing. */
    private static final class Summer implements MessageHandler {
        long sum;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            sum += buffer.getLong(index);
        }
    }

    @Setup
    public void setUp() {
        ring = new OneToOneRingBuffer(new UnsafeBuffer(
                ByteBuffer.allocateDirect((64 << 10) + RingBufferDescriptor.TRAILER_LENGTH)));
        message = new UnsafeBuffer(new byte[bytes]);
        message.putLong(0, 0x1234_5678L);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long writeRead() {
        for (int i = 0; i < BATCH; i++) {
            if (!ring.write(MSG_TYPE, message, 0, bytes)) {
                throw new IllegalStateException("ring full after " + i + " writes");
            }
        }
        // A read stops at the ring's end (the writes wrapped there past a padding record): read on.
        int read = 0;
        for (int reads = 0; read < BATCH; reads++) {
            if (reads == 2) {
                throw new IllegalStateException("read " + read + " of " + BATCH + " messages in two reads");
            }
            read += ring.read(summer, BATCH - read);
        }
        return summer.sum;
    }
}
