package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The floor {@code tensor-ring} is set beside: one process copying {@code bytes} bytes (default
 * 1 MiB) with {@code MemorySegment.copy}, from a prepared batch on the Java heap (as the ring's
 * producer copies) into a 64-byte aligned off-heap segment, over and over, on the parent's core.
 * The child only waits for the stop flag, sleeping. Before each copy the batch's first word is
 * stamped with the copy's number, and after it the destination's first word is checked; at the
 * end the two segments must be equal. Figure: GiB/s.
 *
 * <p>{@code sum=true}: after each copy the process also sums every 8-byte word of the
 * destination, as the ring's consumer does: the ring's two sides' work done by one core, shown
 * beside the ring for information.
 *
 * <p>{@code copy=false,sum=true}: no copy, only the sum of the destination (filled once), over and
 * over: the ring's consumer's own work alone, the fastest any consumer that reads every byte
 * this way could take batches on this core. Every sum is checked against the first.
 *
 * <p>{@code targets=<n>} (default 1): copies go to {@code n} destinations of {@code bytes} each in
 * turn, as a ring of {@code n} slots spreads its batches: with {@code n * bytes} larger than the
 * caches, every copy writes memory that is not in them, the work of a producer writing into a
 * ring whose slots are not cached. The floor to set a ring of as many slots beside.
 *
 * <p>{@code sum=scalar}: the same, summed by a loop that adds every word into one accumulator
 * ({@link TensorRingScenario#scalarSum}), which C2 leaves scalar: shown beside {@code sum=true}
 * to say what the consumer's reading speed owes to the loop's shape.
 */
final class MemcpyScenario implements Scenario {

    private static final int BATCH = 16;

    private Arena arena;
    private MemorySegment source;
    private MemorySegment target;
    /** The {@code targets} destinations, side by side in one allocation; {@link #target} is the one in use. */
    private MemorySegment targets;
    private int targetCount;
    private long bytes;
    private long copies;
    private long windowCopies;
    private long windowNanos;
    private boolean sum;
    private boolean scalarSum;
    private boolean copy;
    private long expectedSum;
    private long sums;

    @Override
    public String unit() {
        return "GiB/s";
    }

    @Override
    public void setUp(RunContext run) {
        bytes = run.longParam("bytes", 1 << 20);
        if (bytes < Long.BYTES || bytes % Long.BYTES != 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bytes must be a whole number of 8-byte words: " + run.spec());
        }
        long[] words = new long[(int) (bytes / Long.BYTES)];
        SplittableRandom random = new SplittableRandom(bytes);
        for (int i = 0; i < words.length; i++) {
            words[i] = random.nextLong();
        }
        source = MemorySegment.ofArray(words);
        arena = Arena.ofShared();
        targetCount = (int) run.longParam("targets", 1);
        if (targetCount < 1 || targetCount * bytes > (16L << 30)) {
            throw new IllegalArgumentException("targets must be at least 1, and targets * bytes at most 16 GiB: " + run.spec());
        }
        targets = arena.allocate(targetCount * bytes, 64);
        target = targets.asSlice(0, bytes);
        String sumParam = run.param("sum", "false");
        if (!List.of("false", "true", "scalar").contains(sumParam)) {
            throw new IllegalArgumentException("sum must be true, false or scalar: " + run.spec());
        }
        scalarSum = sumParam.equals("scalar");
        sum = !sumParam.equals("false");
        copy = Boolean.parseBoolean(run.param("copy", "true"));
        if (!copy && !sum) {
            throw new IllegalArgumentException("copy=false needs sum=true (else a window does nothing): " + run.spec());
        }
        if (!copy && targetCount > 1) {
            throw new IllegalArgumentException("copy=false sums one buffer: targets must be 1: " + run.spec());
        }
        if (!copy) {
            MemorySegment.copy(source, 0, target, 0, bytes);
            expectedSum = sum();
        }
    }

    @Override
    public double measureWindow(long windowNanos) {
        long first = copies;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                long number = ++copies;
                if (targetCount > 1) {
                    target = targets.asSlice(number % targetCount * bytes, bytes);
                }
                if (copy) {
                    source.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, number);
                    MemorySegment.copy(source, 0, target, 0, bytes);
                    if (target.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != number) {
                        throw new IllegalStateException("copy " + number + " left " + target.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
                    }
                }
                if (sum) {
                    long total = sum();
                    if (!copy && total != expectedSum) {
                        throw new IllegalStateException("sum " + number + " of the unchanged buffer is " + total + ", the first was " + expectedSum);
                    }
                    sums += total; // kept, so the sum is not dropped as dead code
                }
            }
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        this.windowCopies = copies - first;
        this.windowNanos = elapsed;
        return (double) windowCopies * bytes / elapsed * 1e9 / (1L << 30);
    }

    private long sum() {
        return scalarSum ? TensorRingScenario.scalarSum(target, bytes) : TensorRingScenario.sum(target, bytes);
    }

    @Override
    public String windowDetail() {
        return String.format(Locale.ROOT, "(%,.0f %s/s of %d bytes)", (double) windowCopies / windowNanos * 1e9, copy ? "copies" : "sums", bytes);
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) throws InterruptedException {
        control.signalReady();
        while (!control.stopRequested()) {
            Thread.sleep(1);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long differs = source.mismatch(target);
        if (differs != -1) {
            throw new IllegalStateException("after " + copies + " copies the target differs from the source at byte " + differs);
        }
        for (int t = 0; copy && t < targetCount && copies >= targetCount; t++) {
            // Each destination holds the source as of its last copy: equal past the stamped first word.
            long rest = source.asSlice(Long.BYTES).mismatch(targets.asSlice(t * bytes + Long.BYTES, bytes - Long.BYTES));
            if (rest != -1) {
                throw new IllegalStateException("destination " + t + " differs from the source at byte " + (rest + Long.BYTES));
            }
        }
        if (!copy) {
            return "ok: " + copies + " sums of one buffer of " + bytes + " bytes, each one equal to the first (total " + sums + ")";
        }
        return "ok: " + copies + " copies of " + bytes + " bytes" + (targetCount > 1 ? " into " + targetCount + " destinations in turn" : "") + (sum ? ", each one summed (total " + sums + ")" : "")
                + ", each one's first word checked, source and target equal at the end";
    }

    @Override
    public void tearDown() {
        if (arena != null) {
            arena.close();
        }
    }
}
