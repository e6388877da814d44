package io.ipcobjects.examples.tensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A ring of batch slots in one raw block of the region, shared by a loader and its trainers.
 *
 * <h2>Protocol</h2>
 * Each slot holds a state word, the number of the batch in it, the block of its tensor and the
 * loader's checksum of the batch. The loader fills the tensor of slot {@code b % slots} once that
 * slot is FREE, then publishes the batch number, checksum and, last and with release, FULL.
 * A trainer claims the next batch number from a shared counter ({@code getAndAdd}), waits until
 * that batch's slot is FULL with that batch number (acquire), reads the tensor through its view,
 * and sets the slot FREE (release): the tensor bytes go from loader to trainer with no copy and no
 * lock, ordered only by these two words. Results (batches, checksum mismatches) are counted in
 * the block with atomic adds; trainers also count themselves ready there before the first batch.
 *
 * <pre>
 *   0  batch count       8  slot count      16  next batch to claim
 *  24  batches trained  32  mismatches      40  trainers ready
 *  64 + 32 * i: slot i = state | batch number | tensor block | checksum (double bits)
 * </pre>
 */
final class BatchRing {

    static final long FREE = 0;
    static final long FULL = 1;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long BATCH_COUNT = 0;
    private static final long SLOT_COUNT = 8;
    private static final long NEXT_CLAIM = 16;
    private static final long TRAINED = 24;
    private static final long MISMATCHES = 32;
    private static final long READY = 40;
    private static final long SLOTS = 64;
    private static final long SLOT_BYTES = 32;
    private static final long STATE = 0;
    private static final long BATCH = 8;
    private static final long TENSOR = 16;
    private static final long CHECKSUM = 24;

    private final MemorySegment block;

    BatchRing(MemorySegment block) {
        this.block = block;
    }

    static long bytesFor(int slots) {
        return SLOTS + SLOT_BYTES * slots;
    }

    /** Formats the ring (before anyone else can see it). */
    void format(long batches, long[] tensorBlocks) {
        block.fill((byte) 0);
        block.set(ValueLayout.JAVA_LONG, BATCH_COUNT, batches);
        block.set(ValueLayout.JAVA_LONG, SLOT_COUNT, tensorBlocks.length);
        for (int i = 0; i < tensorBlocks.length; i++) {
            block.set(ValueLayout.JAVA_LONG, slot(i) + TENSOR, tensorBlocks[i]);
            block.set(ValueLayout.JAVA_LONG, slot(i) + BATCH, -1);
        }
    }

    long batches() {
        return block.get(ValueLayout.JAVA_LONG, BATCH_COUNT);
    }

    int slots() {
        return (int) block.get(ValueLayout.JAVA_LONG, SLOT_COUNT);
    }

    long tensorBlock(int slot) {
        return block.get(ValueLayout.JAVA_LONG, slot(slot) + TENSOR);
    }

    // ---- loader side ----

    /**
     * Waits until {@code slot} is FREE; its tensor may then be overwritten.
     *
     * @param peersAlive checked while waiting: when the other side is gone, waiting is pointless
     */
    void awaitFree(int slot, BooleanSupplier peersAlive) {
        while ((long) LONG.getAcquire(block, slot(slot) + STATE) != FREE) {
            checkPeers(peersAlive, "the trainers exited with slot " + slot + " still full");
            LockSupport.parkNanos(20_000);
        }
    }

    private static void checkPeers(BooleanSupplier peersAlive, String what) {
        if (!peersAlive.getAsBoolean()) {
            throw new IllegalStateException(what);
        }
    }

    void publish(int slot, long batch, double checksum) {
        block.set(ValueLayout.JAVA_LONG, slot(slot) + BATCH, batch);
        block.set(ValueLayout.JAVA_DOUBLE, slot(slot) + CHECKSUM, checksum);
        LONG.setRelease(block, slot(slot) + STATE, FULL);
    }

    /** Waits until {@code trainers} trainers said they are ready, so work is shared from the first batch. */
    void awaitTrainers(int trainers, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((long) LONG.getAcquire(block, READY) < trainers) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("only " + (long) LONG.getAcquire(block, READY) + " of " + trainers
                        + " trainers became ready within " + timeout);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    // ---- trainer side ----

    void ready() {
        LONG.getAndAdd(block, READY, 1L);
    }

    /** The next batch number for this trainer, or -1 when all are claimed. */
    long claim() {
        long batch = (long) LONG.getAndAdd(block, NEXT_CLAIM, 1L);
        return batch < batches() ? batch : -1;
    }

    /** Waits until {@code batch} is in its slot; returns the slot. */
    int awaitBatch(long batch, BooleanSupplier loaderAlive) {
        int slot = (int) (batch % slots());
        while ((long) LONG.getAcquire(block, slot(slot) + STATE) != FULL
                || block.get(ValueLayout.JAVA_LONG, slot(slot) + BATCH) != batch) {
            checkPeers(loaderAlive, "the loader exited before batch " + batch);
            LockSupport.parkNanos(20_000);
        }
        return slot;
    }

    double checksum(int slot) {
        return block.get(ValueLayout.JAVA_DOUBLE, slot(slot) + CHECKSUM);
    }

    void release(int slot, boolean matched) {
        LONG.getAndAdd(block, TRAINED, 1L);
        if (!matched) {
            LONG.getAndAdd(block, MISMATCHES, 1L);
        }
        LONG.setRelease(block, slot(slot) + STATE, FREE);
    }

    long trained() {
        return (long) LONG.getVolatile(block, TRAINED);
    }

    long mismatches() {
        return (long) LONG.getVolatile(block, MISMATCHES);
    }

    private static long slot(int i) {
        return SLOTS + SLOT_BYTES * i;
    }
}
