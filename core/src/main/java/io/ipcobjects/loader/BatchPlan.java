package io.ipcobjects.loader;

import java.util.SplittableRandom;

/**
 * Which samples each batch of each epoch holds: the same answer in the trainer and in every
 * worker, computed from the sample count, the batch size, the seed and the options alone.
 *
 * <p>Without shuffling, batch {@code b} holds samples {@code b*batchSize ...}. With it, epoch
 * {@code e} first permutes all samples (Fisher-Yates driven by a {@link SplittableRandom} seeded
 * from the seed and {@code e}), and batch {@code b} holds positions {@code b*batchSize ...} of
 * that permutation: every sample once per epoch, a new order each epoch, the same order in every
 * JVM. The last batch holds what is left, or is dropped with {@code dropLast}.
 *
 * <p>A batch is named on the wire by its tag, {@code epoch << 32 | batch}.
 */
final class BatchPlan {
    /** The tag a worker reads as "stop". */
    static final long STOP = -1L;

    private final long samples;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    private final long batches;
    /** The permutation of {@link #permutedEpoch}, or null. */
    private int[] permutation;
    private long permutedEpoch = -1;

    BatchPlan(long samples, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        if (samples < 1 || samples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sample count " + samples + " is not in [1, " + Integer.MAX_VALUE + "]");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " is not positive");
        }
        this.samples = samples;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
        this.batches = dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize;
        if (batches < 1) {
            throw new IllegalArgumentException(samples + " samples make no full batch of " + batchSize + " with dropLast");
        }
        if (batches > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(batches + " batches per epoch: at most 2^32 - 1");
        }
    }

    long samples() {
        return samples;
    }

    int batchSize() {
        return batchSize;
    }

    boolean shuffle() {
        return shuffle;
    }

    boolean dropLast() {
        return dropLast;
    }

    long seed() {
        return seed;
    }

    /** Batches in each epoch. */
    long batches() {
        return batches;
    }

    /** Samples in batch {@code batch}: the batch size, or what is left for the last one. */
    int batchLength(long batch) {
        checkBatch(batch);
        return (int) Math.min(batchSize, samples - batch * batchSize);
    }

    /** The sample indices of batch {@code batch} of epoch {@code epoch}, in the order they fill its rows. */
    long[] sampleIndices(long epoch, long batch) {
        int n = batchLength(batch);
        long first = batch * batchSize;
        long[] indices = new long[n];
        if (!shuffle) {
            for (int i = 0; i < n; i++) {
                indices[i] = first + i;
            }
            return indices;
        }
        int[] order = permutation(epoch);
        for (int i = 0; i < n; i++) {
            indices[i] = order[(int) (first + i)];
        }
        return indices;
    }

    /** The sample order of epoch {@code epoch} (computed once per epoch and kept). */
    private int[] permutation(long epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
        if (permutedEpoch != epoch) {
            int n = (int) samples;
            int[] order = permutation != null && permutation.length == n ? permutation : new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            SplittableRandom random = new SplittableRandom(seed * 0x9E37_79B9_7F4A_7C15L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            permutation = order;
            permutedEpoch = epoch;
        }
        return permutation;
    }

    private void checkBatch(long batch) {
        if (batch < 0 || batch >= batches) {
            throw new IndexOutOfBoundsException("batch " + batch + " of " + batches);
        }
    }

    static long tag(long epoch, long batch) {
        return epoch << 32 | batch;
    }

    static long epochOf(long tag) {
        return tag >>> 32;
    }

    static long batchOf(long tag) {
        return tag & 0xFFFF_FFFFL;
    }
}
