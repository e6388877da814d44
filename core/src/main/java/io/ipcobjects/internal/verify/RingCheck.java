package io.ipcobjects.internal.verify;

import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.channels.ChannelLayout;
import io.ipcobjects.internal.channels.RingLayout;
import io.ipcobjects.internal.channels.TensorRingLayout;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.memory.RegionMemory;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks channels and tensor rings, from the names that hold them or, since a ring outlives its
 * name, as roots of their own: a channel's heap entries own the values in their slots, a tensor
 * ring owns its slots' tensor blocks. Every count read is checked against the block first.
 */
final class RingCheck {
    private final RegionContext context;
    private final RegionMemory memory;
    private final Reach reach;
    private final Findings findings;
    private final ValueWalk values;
    private final Set<Long> walked = new HashSet<>();

    RingCheck(RegionContext context, Reach reach, ValueWalk values) {
        this.context = context;
        this.memory = context.memory();
        this.reach = reach;
        this.findings = reach.findings();
        this.values = values;
    }

    /** A name's slot of kind CHANNEL or TENSOR_RING. */
    void reference(int kind, long block, long slot) {
        int tag = kind == SlotKinds.CHANNEL ? BlockTypes.CHANNEL : BlockTypes.TENSOR_RING;
        if (reach.shared(block, tag, slot) >= 0) {
            walk(tag, block, blockBytes(block));
        }
    }

    /** A ring block no name refers to any more: still alive for the processes that opened it. */
    void outsideRoot(int tag, long block, long payloadBytes) {
        walk(tag, block, payloadBytes);
    }

    private long blockBytes(long block) {
        return context.allocator().checkBlock(block, memory.getInt(block - 8));
    }

    private void walk(int tag, long block, long room) {
        if (!walked.add(block)) {
            return;
        }
        if (tag == BlockTypes.CHANNEL) {
            channel(block, room);
        } else {
            tensorRing(block, room);
        }
    }

    private void channel(long block, long room) {
        if (room < ChannelLayout.RING_OFFSET + RingLayout.ENTRIES_OFFSET
                || memory.getInt(block + ChannelLayout.MAGIC_OFFSET) != ChannelLayout.MAGIC) {
            findings.add("channel block " + block + " has no channel header", block);
            return;
        }
        long typeName = memory.getLong(block + ChannelLayout.TYPE_NAME_OFFSET);
        if (typeName != 0) {
            reach.owned(typeName, BlockTypes.VALUE_BLOB, block + ChannelLayout.TYPE_NAME_OFFSET);
        }
        long ring = block + ChannelLayout.RING_OFFSET;
        int capacity = memory.getInt(ring + RingLayout.CAPACITY_OFFSET);
        int stride = memory.getInt(ring + RingLayout.STRIDE_OFFSET);
        if (capacity < 1 || capacity > RingLayout.MAX_CAPACITY || stride < RingLayout.PAYLOAD_OFFSET + 16 || stride % 16 != 0
                || ChannelLayout.RING_OFFSET + RingLayout.bytes(capacity, stride) > room) {
            findings.add("channel block " + block + " has a ring of capacity " + capacity + " and stride " + stride
                    + " that does not fit its " + room + " bytes", ring);
            return;
        }
        for (int i = 0; i < capacity; i++) {
            long entry = ring + RingLayout.ENTRIES_OFFSET + (long) i * stride;
            if (memory.getInt(entry + RingLayout.PAYLOAD_KIND_OFFSET) == ChannelLayout.PAYLOAD_HEAP) {
                values.slot(entry + RingLayout.PAYLOAD_OFFSET, block, 1);
            }
        }
    }

    private void tensorRing(long block, long room) {
        int slots = memory.getInt(block + TensorRingLayout.SLOT_COUNT_OFFSET);
        int parts = memory.getInt(block + TensorRingLayout.SPEC_COUNT_OFFSET);
        if (memory.getInt(block + TensorRingLayout.MAGIC_OFFSET) != TensorRingLayout.MAGIC || slots < 1
                || slots > TensorRingLayout.MAX_SLOTS || parts < 1 || parts > TensorRingLayout.MAX_PARTS
                || TensorRingLayout.bytes(parts, slots) > room) {
            findings.add("tensor ring block " + block + " has a header of " + slots + " slots and " + parts
                    + " parts that does not fit its " + room + " bytes", block);
            return;
        }
        long table = block + TensorRingLayout.slotTable(parts);
        for (int s = 0; s < slots; s++) {
            for (int p = 0; p < parts; p++) {
                long field = table + s * TensorRingLayout.SLOT_BYTES + TensorRingLayout.TENSORS_OFFSET + p * 8L;
                values.tensor(memory.getLong(field), field);
            }
        }
    }
}
