package io.ipcobjects.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class BatchPlanTest {

    @Test
    void withoutShufflingBatchesAreConsecutiveAndTheLastHoldsWhatIsLeft() {
        BatchPlan plan = new BatchPlan(10, 4, false, false, 0);
        assertEquals(3, plan.batches());
        assertArrayEquals(new long[] {0, 1, 2, 3}, plan.sampleIndices(0, 0));
        assertArrayEquals(new long[] {8, 9}, plan.sampleIndices(5, 2));
        assertEquals(2, plan.batchLength(2));
        assertThrows(IndexOutOfBoundsException.class, () -> plan.sampleIndices(0, 3));
    }

    @Test
    void dropLastLeavesThePartialBatchOut() {
        BatchPlan plan = new BatchPlan(10, 4, false, true, 0);
        assertEquals(2, plan.batches());
        assertThrows(IllegalArgumentException.class, () -> new BatchPlan(3, 4, false, true, 0));
    }

    @Test
    void shuffledEpochsHoldEverySampleOnceInANewOrderTheSameForTheSameSeed() {
        BatchPlan plan = new BatchPlan(1000, 64, true, false, 42);
        long[] epoch0 = all(plan, 0);
        long[] epoch1 = all(plan, 1);
        assertFalse(Arrays.equals(epoch0, epoch1), "each epoch has its own order");
        assertArrayEquals(epoch0, all(new BatchPlan(1000, 64, true, false, 42), 0), "another JVM computes the same order");
        assertFalse(Arrays.equals(epoch0, all(new BatchPlan(1000, 64, true, false, 43), 0)), "another seed, another order");
        for (long[] epoch : new long[][] {epoch0, epoch1}) {
            long[] sorted = epoch.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                assertEquals(i, sorted[i], "every sample exactly once");
            }
        }
        assertArrayEquals(Arrays.copyOfRange(epoch0, 64, 128), plan.sampleIndices(0, 1), "going back to an epoch gives it again");
    }

    @Test
    void tagsCarryEpochAndBatch() {
        long tag = BatchPlan.tag(7, 0xFFFF_FFFEL);
        assertEquals(7, BatchPlan.epochOf(tag));
        assertEquals(0xFFFF_FFFEL, BatchPlan.batchOf(tag));
    }

    @Test
    void partsTravelAsText() {
        var parts = java.util.List.of(new io.ipcobjects.TensorSpec(io.ipcobjects.DType.FLOAT32, 64, 3, 32, 32),
                new io.ipcobjects.TensorSpec(io.ipcobjects.DType.INT64, 64));
        assertEquals("FLOAT32:64x3x32x32;INT64:64", LoaderWorker.encodeParts(parts));
        assertEquals(parts, LoaderWorker.decodeParts(LoaderWorker.encodeParts(parts)));
    }

    private static long[] all(BatchPlan plan, long epoch) {
        long[] samples = new long[(int) plan.samples()];
        int n = 0;
        for (long b = 0; b < plan.batches(); b++) {
            for (long s : plan.sampleIndices(epoch, b)) {
                samples[n++] = s;
            }
        }
        return samples;
    }
}
