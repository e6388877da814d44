package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TensorRing;
import io.ipcobjects.benchmarks.BenchRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Batches one way through a {@link TensorRing} of {@code slots} slots (default 4), each one
 * FLOAT32 tensor of {@code rows} x {@code cols} (default 256 x 1024 = 1 MiB). The child claims a
 * slot, writes every byte of it with one {@code MemorySegment.copy} from a prepared batch whose
 * first and last 8 bytes it stamps with the batch's sequence number, and publishes it with that
 * number as its tag; the parent takes the slot, reads every byte of it (a sum of its 8-byte
 * words), checks the tag and the sum, and releases it. Figure: GiB/s; to set beside
 * {@code memcpy} of the same size in the same run.
 *
 * <p>The sum checks every byte: the prepared batch's words sum to a known value, so a slot whose
 * sum differs from it (with both stamps) holds something other than the batch sent. The parent
 * waits with {@code take(timeout)}, the timeout (100 ms) only to check that the child still runs.
 */
final class TensorRingScenario extends OneWayScenario {

    private static final String RING = "batches";
    private static final Duration TAKE_WAIT = Duration.ofMillis(100);

    private SharedMemory shm;
    private TensorRing ring;
    private long bytes;
    private long baseSum;

    private static long[] shape(RunContext run) {
        return new long[] {run.longParam("rows", 256), run.longParam("cols", 1024)};
    }

    private static long bytes(RunContext run) {
        long[] shape = shape(run);
        long bytes = shape[0] * shape[1] * DType.FLOAT32.byteSize();
        if (bytes < 2 * Long.BYTES || bytes % Long.BYTES != 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a slot must hold a whole number of 8-byte words, at least 2: " + run.spec());
        }
        return bytes;
    }

    /** The prepared batch: random words, the same in both processes (the child's copy source; the parent's expected sum). */
    static MemorySegment preparedBatch(long bytes) {
        long[] words = new long[(int) (bytes / Long.BYTES)];
        SplittableRandom random = new SplittableRandom(bytes);
        for (int i = 0; i < words.length; i++) {
            words[i] = random.nextLong();
        }
        return MemorySegment.ofArray(words);
    }

    /** Words summed side by side, each lane of {@link #sum} on its own (2 KiB of accumulators, in the first-level cache). */
    private static final int SUM_LANES = 256;

    /**
     * Sum of the 8-byte words of {@code segment} (8-byte aligned: a slot's data, a {@code long[]}):
     * reads every byte. The words are added into {@value #SUM_LANES} running lanes, word {@code i}
     * into lane {@code i % SUM_LANES}, and the lanes summed at the end: the same total (a sum of
     * longs wraps the same in any order), but a loop C2 compiles to vector loads and adds. A loop
     * that only adds into one {@code long} stays scalar on JDK 25 (C2 does not vectorize a loop
     * that is nothing but a reduction) and reads about 8 bytes per cycle, about 26 GiB/s here,
     * well below what a copy reads; summed in lanes it reads 45-50 GiB/s.
     */
    static long sum(MemorySegment segment, long bytes) {
        long words = bytes / Long.BYTES;
        long[] lanes = new long[SUM_LANES];
        long word = 0;
        for (; word + SUM_LANES <= words; word += SUM_LANES) {
            for (int lane = 0; lane < SUM_LANES; lane++) {
                lanes[lane] += segment.getAtIndex(ValueLayout.JAVA_LONG, word + lane);
            }
        }
        long sum = 0;
        for (; word < words; word++) {
            sum += segment.getAtIndex(ValueLayout.JAVA_LONG, word);
        }
        for (long lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    /** The plain one-accumulator sum, kept to show beside {@link #sum} what the compiler does with each ({@code memcpy:...,sum=scalar}). */
    static long scalarSum(MemorySegment segment, long bytes) {
        int words = (int) (bytes / Long.BYTES);
        long sum = 0;
        for (int i = 0; i < words; i++) {
            sum += segment.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return sum;
    }

    @Override
    long messageBytes() {
        return bytes;
    }

    @Override
    int batch() {
        return 4;
    }

    @Override
    String describe() {
        return "batches of " + bytes + " bytes through a tensor ring (every byte written and summed)";
    }

    @Override
    public void setUp(RunContext run) {
        bytes = bytes(run);
        MemorySegment prepared = preparedBatch(bytes);
        // the sum of a received batch is this plus its two stamps
        baseSum = sum(prepared, bytes) - prepared.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)
                - prepared.get(ValueLayout.JAVA_LONG_UNALIGNED, bytes - Long.BYTES);
        int slots = (int) run.longParam("slots", 4);
        shm = SharedMemory.create(run.regionName(), (16L << 20) + 2L * slots * bytes, ChannelOneWayScenario.options(run));
        long[] shape = shape(run);
        ring = shm.tensorRing(RING, slots, DType.FLOAT32, shape);
    }

    @Override
    void receive(int messages) {
        for (int i = 0; i < messages; i++) {
            TensorRing.Slot slot;
            while ((slot = ring.take(TAKE_WAIT)) == null) {
                watch.timedOut();
            }
            watch.progressed();
            check(slot);
        }
    }

    private void check(TensorRing.Slot slot) {
        long expected = received;
        long sum = sum(slot.tensor().segment(), bytes);
        long tag = slot.tag();
        slot.release();
        if (tag != expected) {
            throw new IllegalStateException("expected batch " + expected + ", took one tagged " + tag);
        }
        if (sum != baseSum + 2 * expected) {
            throw new IllegalStateException("batch " + expected + ": its words sum to " + sum + ", the batch sent to "
                    + (baseSum + 2 * expected));
        }
        received = expected + 1;
    }

    @Override
    int receiveAvailable() {
        TensorRing.Slot slot = ring.poll();
        if (slot == null) {
            return 0;
        }
        check(slot);
        return 1;
    }

    @Override
    String leftOver() {
        int published = ring.published();
        return published == 0 ? null : "the ring still holds " + published + " published slots";
    }

    @Override
    Sender openSender(RunContext run) {
        long slotBytes = bytes(run);
        MemorySegment prepared = preparedBatch(slotBytes);
        SharedMemory attached = SharedMemory.attach(run.regionName(), Duration.ofSeconds(30), ChannelOneWayScenario.options(run));
        try {
            TensorRing out = attached.tensorRing(RING);
            return new Sender() {
                @Override
                public void send(long sequence) {
                    prepared.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
                    prepared.set(ValueLayout.JAVA_LONG_UNALIGNED, slotBytes - Long.BYTES, sequence);
                    TensorRing.Slot slot = out.claim();
                    MemorySegment.copy(prepared, 0, slot.tensor().segment(), 0, slotBytes);
                    slot.publish(sequence);
                }

                @Override
                public void close() {
                    attached.close();
                }
            };
        } catch (RuntimeException e) {
            attached.close();
            throw e;
        }
    }

    @Override
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }
}
