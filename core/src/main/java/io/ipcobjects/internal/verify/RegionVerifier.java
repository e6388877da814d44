package io.ipcobjects.internal.verify;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.containers.HashLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code verify()}: checks that the whole region is what the operations of this library leave
 * behind, for tests, tools and the crash-torture runs that call it after every kill.
 *
 * <h2>Overview</h2>
 * <ol>
 *   <li>The allocator's own walk ({@code HeapAllocator.verify}): block sizes, flags, footers,
 *       free lists, counters. If it fails nothing else can be trusted, so it throws at once.</li>
 *   <li>A census of the used blocks, in address order ({@link BlockCensus}).</li>
 *   <li>A walk of everything the region's roots reach: the type registry
 *       ({@link TypeRegistryCheck}), the name directory ({@link NameDirectoryCheck}), the message
 *       queue ({@link MessageQueueCheck}), the user root (a raw block), and through their slots
 *       every value ({@link ValueWalk}) and live container ({@link ContainerWalk}): tags, bounds,
 *       counts, hashes, and that every owned block has exactly one owner.</li>
 *   <li>What a process holds rather than the region: a live container or a snapshot made by
 *       {@code share} and not stored, a tensor made by {@code newTensor}, a container handed out
 *       by a taken message. Such a block is reached by nothing in the region, yet it is no leak;
 *       it is walked as a root of its own (containers and tensors first, then tuples no other
 *       such tuple holds). Raw blocks are the application's, and opaque.</li>
 *   <li>Every other used block that nothing reached is a leak; every container is checked to
 *       count at least the slots that refer to it.</li>
 * </ol>
 * Every block is walked at most once, whatever the region claims (two owners, cycles), so the
 * walk is linear in the heap and needs no budget of its own beyond that; it reads without
 * building values and loads no class. It does not stop at the first problem: the exception lists
 * what it found ({@link Findings}), at the offset of the first.
 *
 * <p>What it cannot tell apart: a container, snapshot or tensor that a live process holds from
 * one that a dead process held or was building when it died; both are treated as held.
 */
public final class RegionVerifier {
    private RegionVerifier() {
    }

    /**
     * Verifies the region of {@code context}: under the lock, or in a
     * {@linkplain RegionContext#forReading read-only context} without it. Without the lock, a
     * process changing the region meanwhile can make the walk see a state that never existed
     * whole: its findings then mean "inconsistent or changing", and a run under the lock
     * ({@code SharedMemory.verify()}) tells which. Every walk stays bounded either way.
     *
     * @return the heap's counters, checked by the allocator's walk
     * @throws CorruptedRegionException listing what is wrong
     */
    public static HeapStats verify(RegionContext context) {
        assert context.mayRead() : "the region lock is not held";
        HeapStats stats = context.allocator().verify();
        RegionMemory memory = context.memory();
        Findings findings = new Findings();
        BlockCensus census = new BlockCensus(memory, context.allocator());
        Reach reach = new Reach(census, findings);

        Map<Long, Long> typeEntries = TypeRegistryCheck.walk(memory, reach);
        ValueWalk values = new ValueWalk(context, reach, typeEntries);
        ContainerWalk containers = new ContainerWalk(context, reach, values);
        values.containers(containers);
        RingCheck rings = new RingCheck(context, reach, values);
        values.rings(rings);

        NameDirectoryCheck.walk(memory, reach, values);
        containers.drain();
        MessageQueueCheck.walk(context, reach, values);
        containers.drain();
        long userRoot = memory.getLong(RegionHeaderLayout.ROOT_USER_OFFSET);
        if (userRoot != 0) {
            reach.shared(userRoot, BlockTypes.RAW, RegionHeaderLayout.ROOT_USER_OFFSET);
        }

        long pending = memory.getLong(RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET);
        if (pending != 0) {
            // Set only inside an operation, and finished by a takeover before anyone reads.
            findings.add("the container at " + pending + " is recorded as being destroyed, outside any operation",
                    RegionHeaderLayout.PENDING_DESTRUCTION_OFFSET);
        }
        heldOutside(memory, census, values, containers, rings);
        for (int i = 0; i < census.count(); i++) {
            if (!census.isReached(i) && census.tag(i) != BlockTypes.RAW) {
                findings.add("leaked " + Reach.tagName(census.tag(i)) + " of " + census.blockBytes(i)
                        + " bytes: nothing in the region refers to it", census.payload(i));
            }
        }
        containers.checkReferenceCounts();
        findings.throwIfAny();
        return stats;
    }

    /** Walks, as roots, the blocks a process may hold without the region referring to them. */
    private static void heldOutside(RegionMemory memory, BlockCensus census, ValueWalk values, ContainerWalk containers,
                                    RingCheck rings) {
        for (int i = 0; i < census.count(); i++) {
            if (census.isReached(i)) {
                continue;
            }
            long payload = census.payload(i);
            switch (census.tag(i)) {
                case BlockTypes.LIST -> containers.outsideRoot(SlotKinds.LIST, payload);
                case BlockTypes.HASH -> containers.outsideRoot(
                        census.blockBytes(i) >= HashLayout.HEADER_BYTES
                                && memory.getLong(payload + HashLayout.ENTRY_BYTES_OFFSET) == HashLayout.SET_ENTRY_BYTES
                                ? SlotKinds.SET : SlotKinds.MAP, payload);
                case BlockTypes.SHARED_OBJECT -> containers.outsideRoot(SlotKinds.OBJECT, payload);
                case BlockTypes.TENSOR -> values.tensor(payload, payload);
                case BlockTypes.CHANNEL, BlockTypes.TENSOR_RING -> {
                    census.reach(i);
                    rings.outsideRoot(census.tag(i), payload, census.blockBytes(i) - BlockLayout.HEADER_BYTES);
                    containers.drain();
                }
                default -> { }
            }
        }
        // Snapshots made by share(): tuples that no other unreached tuple holds (a snapshot's
        // nested tuples are found through it, and must not be taken for roots of their own).
        Set<Long> nested = new HashSet<>();
        for (int i = 0; i < census.count(); i++) {
            if (!census.isReached(i) && census.tag(i) == BlockTypes.VALUE_TUPLE) {
                long tuple = census.payload(i);
                long slots = Math.min(memory.getLong(tuple + TupleLayout.COUNT_OFFSET),
                        (census.blockBytes(i) - BlockLayout.HEADER_BYTES - TupleLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES);
                for (long s = 0; s < slots; s++) {
                    long slot = TupleLayout.slotOffset(tuple, s);
                    int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
                    if (kind >= SlotKinds.OBJECT_ARRAY && kind <= SlotKinds.FROZEN_MAP) {
                        nested.add(memory.getLong(slot + SlotLayout.BITS_OFFSET));
                    }
                }
            }
        }
        for (int i = 0; i < census.count(); i++) {
            if (!census.isReached(i) && census.tag(i) == BlockTypes.VALUE_TUPLE && !nested.contains(census.payload(i))) {
                census.reach(i);
                values.tupleContents(SlotKinds.OBJECT_ARRAY, census.payload(i), 0);
                containers.drain();
            }
        }
    }
}
