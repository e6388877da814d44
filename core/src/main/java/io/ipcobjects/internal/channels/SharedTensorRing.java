package io.ipcobjects.internal.channels;

import static io.ipcobjects.internal.channels.TensorRingLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.tensor.TensorBlocks;
import io.ipcobjects.internal.tensor.TensorView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tensor ring ({@link TensorRingLayout}): slots of preallocated tensors whose holder words say
 * who has each, and a {@link Ring} of published slot indices that gives consumers publish order.
 * No operation takes the region lock (only creating and opening the ring do).
 *
 * <ul>
 *   <li>claim: CAS a FREE holder to CLAIMED(me), scanning from a rotating start;</li>
 *   <li>publish: claim a published-ring entry, write the index, move the holder to
 *       PUBLISHED(at the entry's sequence), commit the entry;</li>
 *   <li>take: claim the oldest entry, read the index, move the holder from PUBLISHED(at that
 *       sequence) to TAKEN(me), free the entry;</li>
 *   <li>release: TAKEN(me) to FREE.</li>
 * </ul>
 * A waiter sweeps for dead holders once a millisecond ({@link #sweep}): a slot CLAIMED or TAKEN
 * by a dead process goes back to FREE; a published-ring entry a dead writer held is skipped and
 * one a dead reader held is freed, with its slot if that is still PUBLISHED at the entry's
 * sequence (the dead reader took it and what it held is dropped). A skipped entry whose slot is
 * PUBLISHED at its sequence (the writer died between its last two steps) frees that slot too.
 * The sweep also passes a skipped entry at the head itself, so its place comes back even while
 * no consumer takes.
 */
final class SharedTensorRing implements TensorRing {
    private final String name;
    private final long block;
    private final RegionContext context;
    private final RegionMemory memory;
    private final Owners owners;
    private final int slotCount;
    private final List<TensorSpec> specs;
    private final Ring published;
    private final long slotTable;
    /** The views of every slot's tensors, made once when the ring is opened. */
    private final SharedTensor[][] tensors;
    private int claimHint;
    /** The handle's channels: where this ring's waits get their wait strategy. */
    private final Channels channels;

    private SharedTensorRing(String name, long block, RegionContext context, Owners owners, Channels channels, int slotCount,
                             List<TensorSpec> specs, Ring published, SharedTensor[][] tensors) {
        this.name = name;
        this.channels = channels;
        this.block = block;
        this.context = context;
        this.memory = context.memory();
        this.owners = owners;
        this.slotCount = slotCount;
        this.specs = specs;
        this.published = published;
        this.slotTable = block + slotTable(specs.size());
        this.tensors = tensors;
    }

    /** The ring of published slot indices, for tests that stop a process between the steps of a publish or take. */
    Ring publishedIndices() {
        return published;
    }

    /** Who this handle is to the rings, for the same tests. */
    Owners owners() {
        return owners;
    }

    /** Creates the ring's block and its slots' tensors (under the lock); returns the block. */
    static long create(RegionContext context, TensorRingSpec spec) {
        RegionMemory memory = context.memory();
        int parts = spec.specs().size();
        long block = context.allocator().allocateAligned(bytes(parts, spec.slots()), 64, BlockTypes.TENSOR_RING);
        List<Long> allocated = new ArrayList<>();
        try {
            memory.fill(block, publishedRing(parts, spec.slots()), (byte) 0);
            memory.putInt(block + MAGIC_OFFSET, MAGIC);
            memory.putInt(block + SLOT_COUNT_OFFSET, spec.slots());
            memory.putInt(block + SPEC_COUNT_OFFSET, parts);
            for (int p = 0; p < parts; p++) {
                TensorSpec part = spec.specs().get(p);
                long at = block + SPECS_OFFSET + p * SPEC_BYTES;
                long[] shape = part.shape();
                memory.putInt(at + SPEC_DTYPE_OFFSET, part.dtype().code());
                memory.putInt(at + SPEC_RANK_OFFSET, shape.length);
                for (int d = 0; d < shape.length; d++) {
                    memory.putLong(at + SPEC_EXTENTS_OFFSET + d * 8L, shape[d]);
                }
            }
            long table = block + slotTable(parts);
            for (int s = 0; s < spec.slots(); s++) {
                long slot = table + s * SLOT_BYTES;
                memory.putLong(slot + HOLDER_OFFSET, holder(HELD_FREE, 0, 0));
                for (int p = 0; p < parts; p++) {
                    TensorSpec part = spec.specs().get(p);
                    TensorView tensor = TensorBlocks.allocate(context, part.dtype(), part.shape(), 0);
                    allocated.add(tensor.blockOffset());
                    memory.putLong(slot + TENSORS_OFFSET + p * 8L, tensor.blockOffset());
                }
            }
            Ring.format(memory, block + publishedRing(parts, spec.slots()), spec.slots(), PUBLISHED_STRIDE);
        } catch (RuntimeException e) {
            for (long tensor : allocated) {
                context.allocator().free(tensor);
            }
            context.allocator().free(block);
            throw e;
        }
        return block;
    }

    /** Opens the ring at {@code block}: checks its header and makes the views of its tensors (under the lock). */
    static SharedTensorRing open(String name, long block, RegionContext context, Owners owners, Channels channels) {
        return context.scope().call(() -> {
            RegionMemory memory = context.memory();
            long room = context.allocator().checkBlock(block, BlockTypes.TENSOR_RING);
            int slots = memory.getInt(block + SLOT_COUNT_OFFSET);
            int parts = memory.getInt(block + SPEC_COUNT_OFFSET);
            if (memory.getInt(block + MAGIC_OFFSET) != MAGIC || slots < 1 || slots > MAX_SLOTS || parts < 1
                    || parts > MAX_PARTS || bytes(parts, slots) > room) {
                throw new CorruptedRegionException("tensor ring " + name + " has a header of " + slots + " slots and "
                        + parts + " parts that does not fit its block", block);
            }
            List<TensorSpec> specs = new ArrayList<>();
            for (int p = 0; p < parts; p++) {
                long at = block + SPECS_OFFSET + p * SPEC_BYTES;
                DType dtype = DType.ofCode(memory.getInt(at + SPEC_DTYPE_OFFSET));
                int rank = memory.getInt(at + SPEC_RANK_OFFSET);
                if (dtype == null || rank < 1 || rank > MAX_RANK) {
                    throw new CorruptedRegionException("tensor ring " + name + " spec " + p + " is unreadable", at);
                }
                long[] shape = new long[rank];
                for (int d = 0; d < rank; d++) {
                    shape[d] = memory.getLong(at + SPEC_EXTENTS_OFFSET + d * 8L);
                }
                try {
                    specs.add(new TensorSpec(dtype, shape));
                } catch (IllegalArgumentException e) {
                    throw new CorruptedRegionException("tensor ring " + name + " spec " + p + ": " + e.getMessage(), at);
                }
            }
            long table = block + slotTable(parts);
            SharedTensor[][] tensors = new SharedTensor[slots][parts];
            for (int s = 0; s < slots; s++) {
                for (int p = 0; p < parts; p++) {
                    TensorView view = TensorBlocks.read(context, memory.getLong(table + s * SLOT_BYTES + TENSORS_OFFSET + p * 8L));
                    if (view.dtype() != specs.get(p).dtype() || !Arrays.equals(view.shape(), specs.get(p).shape())) {
                        throw new CorruptedRegionException("tensor ring " + name + " slot " + s + " part " + p
                                + " is not a " + specs.get(p), table + s * SLOT_BYTES);
                    }
                    tensors[s][p] = view;
                }
            }
            long ringAt = block + publishedRing(parts, slots);
            Ring ring = Ring.open(memory, ringAt, room - publishedRing(parts, slots), PUBLISHED_STRIDE);
            if (ring.capacity() != slots) {
                throw new CorruptedRegionException("tensor ring " + name + " has " + slots + " slots but a published ring of "
                        + ring.capacity(), ringAt);
            }
            return new SharedTensorRing(name, block, context, owners, channels, slots, List.copyOf(specs), ring, tensors);
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int slotCount() {
        return slotCount;
    }

    @Override
    public List<TensorSpec> specs() {
        return specs;
    }

    @Override
    public int published() {
        ensureOpen();
        return published.size();
    }

    private long holderAt(int slot) {
        return slotTable + slot * SLOT_BYTES + HOLDER_OFFSET;
    }

    // ---- producers ----

    @Override
    public Slot claim() {
        return claimBefore(Long.MAX_VALUE);
    }

    @Override
    public Slot claim(Duration timeout) {
        return claimBefore(Waiter.deadline(timeout));
    }

    private Slot claimBefore(long deadline) {
        ensureOpen();
        int me = owners.ownId();
        Waiter waiter = null;
        while (true) {
            int start;
            synchronized (this) {
                start = claimHint;
                claimHint = (start + 1) % slotCount;
            }
            for (int i = 0; i < slotCount; i++) {
                int slot = (start + i) % slotCount;
                long at = holderAt(slot);
                long word = memory.getLongVolatile(at);
                if (heldState(word) == HELD_FREE && memory.compareAndSetLong(at, word, holder(HELD_CLAIMED, 0, me))) {
                    memory.putLongReleaseUnlogged(slotTable + slot * SLOT_BYTES + TAG_OFFSET, 0);
                    return new RingSlot(slot, true);
                }
            }
            waiter = waitOnce(waiter, deadline);
            if (waiter == null) {
                return null;
            }
        }
    }

    private void publish(int slot, long tag) {
        int me = owners.ownId();
        long at = holderAt(slot);
        long word = memory.getLongVolatile(at);
        if (word != holder(HELD_CLAIMED, 0, me)) {
            throw new IllegalStateException("slot " + slot + " of tensor ring " + name + " is not claimed by this process");
        }
        memory.putLongReleaseUnlogged(slotTable + slot * SLOT_BYTES + TAG_OFFSET, tag);
        Waiter waiter = null;
        long position;
        // The published ring has a place for every slot; it is full only while a dead reader holds an entry.
        while ((position = published.tryClaimPut(me)) == Ring.FULL_RING) {
            waiter = waitOnce(waiter, Long.MAX_VALUE);
        }
        memory.segment().set(java.lang.foreign.ValueLayout.JAVA_INT, published.payload(position), slot);
        published.describe(position, 1, Integer.BYTES);
        if (!memory.compareAndSetLong(at, word, holder(HELD_PUBLISHED, position, 0))) {
            published.abandon(position);
            throw new IllegalStateException("slot " + slot + " of tensor ring " + name + " was taken from this process");
        }
        published.commit(position);
    }

    // ---- consumers ----

    @Override
    public Slot take() {
        return takeBefore(Long.MAX_VALUE, false);
    }

    @Override
    public Slot take(Duration timeout) {
        return takeBefore(Waiter.deadline(timeout), false);
    }

    @Override
    public Slot poll() {
        return takeBefore(0, true);
    }

    private Slot takeBefore(long deadline, boolean once) {
        ensureOpen();
        int me = owners.ownId();
        Waiter waiter = null;
        while (true) {
            long position = published.tryClaimTake(me);
            if (position >= 0) {
                boolean skipped = (position & Ring.SKIPPED) != 0;
                position &= ~Ring.SKIPPED;
                int slot = indexAt(position);
                try {
                    long at = slot < 0 ? 0 : holderAt(slot);
                    long publishedWord = holder(HELD_PUBLISHED, position, 0);
                    if (skipped) {
                        if (slot >= 0) {
                            memory.compareAndSetLong(at, publishedWord, holder(HELD_FREE, 0, 0));
                        }
                        continue;
                    }
                    if (slot < 0 || !memory.compareAndSetLong(at, publishedWord, holder(HELD_TAKEN, 0, me))) {
                        throw new CorruptedRegionException("tensor ring " + name + " published slot " + slot
                                + " that is not published at sequence " + (int) position, block);
                    }
                    return new RingSlot(slot, false);
                } finally {
                    published.release(position);
                }
            }
            if (once) {
                return null;
            }
            waiter = waitOnce(waiter, deadline);
            if (waiter == null) {
                return null;
            }
        }
    }

    /**
     * One round of waiting for another process (the waiter made on the first round): sweeps for
     * dead holders once a millisecond, checks the handle is open; null once the deadline passed.
     */
    private Waiter waitOnce(Waiter waiter, long deadline) {
        Waiter current = waiter != null ? waiter : channels.newWaiter(deadline);
        if (current.livenessCheckDue()) {
            sweep();
        }
        if (!current.idle()) {
            return null;
        }
        ensureOpen();
        return current;
    }

    /** The slot index in the published entry at {@code position}, or -1 if it names no slot. */
    private int indexAt(long position) {
        int slot = memory.segment().get(java.lang.foreign.ValueLayout.JAVA_INT, published.payload(position));
        return slot >= 0 && slot < slotCount ? slot : -1;
    }

    private void release(int slot, int expectedState) {
        long at = holderAt(slot);
        long word = holder(expectedState, 0, owners.ownId());
        if (!memory.compareAndSetLong(at, word, holder(HELD_FREE, 0, 0))) {
            throw new IllegalStateException("slot " + slot + " of tensor ring " + name + " is not held by this process");
        }
    }

    /** Gives back what dead processes hold: their slots, and published-ring entries (see the class comment). */
    int sweep() {
        int freed = 0;
        int me = owners.ownId();
        for (int slot = 0; slot < slotCount; slot++) {
            long at = holderAt(slot);
            long word = memory.getLongVolatile(at);
            int state = heldState(word);
            if ((state == HELD_CLAIMED || state == HELD_TAKEN) && heldOwner(word) != me && !owners.isLive(heldOwner(word))
                    && memory.compareAndSetLong(at, word, holder(HELD_FREE, 0, 0))) {
                freed++;
            }
        }
        freed += published.sweepDead(owners, me, this::freePublishedEntry);
        // A dead publisher's entry, now SKIP, keeps its place until a taker passes it; a producer
        // that waits for that place while no consumer takes (one thread that publishes every
        // slot before it takes any) would wait for ever, so the sweep passes it itself.
        long skipped;
        while ((skipped = published.claimSkippedAtHead(me)) >= 0) {
            freePublishedEntry(skipped);
            freed++;
        }
        return freed;
    }

    /** Frees the slot a claimed published entry names, if it still says published there, and releases the entry. */
    private void freePublishedEntry(long position) {
        int slot = indexAt(position);
        if (slot >= 0) {
            memory.compareAndSetLong(holderAt(slot), holder(HELD_PUBLISHED, position, 0), holder(HELD_FREE, 0, 0));
        }
        published.release(position);
    }

    private void ensureOpen() {
        if (context.scope().isClosed()) {
            throw new RegionClosedException("region " + context.path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "tensor ring " + name + " of " + slotCount + " slots of " + specs;
    }

    /** A claimed (producer) or taken (consumer) slot. */
    private final class RingSlot implements Slot {
        private final int index;
        private final boolean claimed;
        private boolean done;

        RingSlot(int index, boolean claimed) {
            this.index = index;
            this.claimed = claimed;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public SharedTensor tensor() {
            return tensor(0);
        }

        @Override
        public SharedTensor tensor(int part) {
            if (part < 0 || part >= specs.size()) {
                throw new IndexOutOfBoundsException("tensor ring " + name + " slots hold " + specs.size() + " tensors, not part " + part);
            }
            return tensors[index][part];
        }

        @Override
        public long tag() {
            return memory.getLongAcquire(slotTable + index * SLOT_BYTES + TAG_OFFSET);
        }

        @Override
        public void publish() {
            publish(0);
        }

        @Override
        public void publish(long tag) {
            if (!claimed || done) {
                throw new IllegalStateException(claimed ? "slot " + index + " was already given up" : "a taken slot is released, not published");
            }
            ensureOpen();
            SharedTensorRing.this.publish(index, tag);
            done = true;
        }

        @Override
        public void release() {
            if (claimed || done) {
                throw new IllegalStateException(claimed ? "a claimed slot is published (or closed to give it back)" : "slot " + index + " was already released");
            }
            ensureOpen();
            SharedTensorRing.this.release(index, HELD_TAKEN);
            done = true;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            if (context.scope().isClosed()) {
                return; // the process table slot is gone: others sweep what it held
            }
            SharedTensorRing.this.release(index, claimed ? HELD_CLAIMED : HELD_TAKEN);
        }

        @Override
        public String toString() {
            return "slot " + index + " of " + name + (claimed ? " (claimed)" : " (taken)");
        }
    }
}
