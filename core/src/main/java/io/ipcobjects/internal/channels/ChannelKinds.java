package io.ipcobjects.internal.channels;

import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.Blobs;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueKind;
import io.ipcobjects.internal.memory.RegionMemory;
import java.nio.charset.StandardCharsets;

/**
 * Channels and tensor rings in the codec's table, so a name can hold one: storing a
 * {@link ChannelSpec} or {@link TensorRingSpec} under a name creates the block, reading the name
 * gives a {@link StoredRing}.
 *
 * <p>Releasing the name (removing or replacing it) frees nothing: processes that opened the
 * channel use its ring without the lock and could not be told it went away, so a ring lives as
 * long as its region; the verifier counts such blocks as roots.
 */
public final class ChannelKinds implements ValueKind {

    /**
     * A channel to create: its capacity, inline bytes, element class name (null: any) and
     * producers ({@link ChannelLayout#PRODUCERS_MANY} or {@link ChannelLayout#PRODUCERS_ONE}).
     */
    record ChannelSpec(int capacity, int inlineBytes, String typeName, int producers) {
    }

    @Override
    public int[] kinds() {
        return new int[] {SlotKinds.CHANNEL, SlotKinds.TENSOR_RING};
    }

    @Override
    public boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen) {
        if (value instanceof ChannelSpec spec) {
            out.set(SlotKinds.CHANNEL, 0, createChannel(context, spec));
            return true;
        }
        if (value instanceof TensorRingSpec spec) {
            out.set(SlotKinds.TENSOR_RING, 0, SharedTensorRing.create(context, spec));
            return true;
        }
        return false;
    }

    private static long createChannel(RegionContext context, ChannelSpec spec) {
        RegionMemory memory = context.memory();
        int stride = ChannelLayout.stride(spec.inlineBytes());
        long block = context.allocator().allocateAligned(ChannelLayout.bytes(spec.capacity(), spec.inlineBytes()), 64,
                BlockTypes.CHANNEL);
        long typeName = 0;
        if (spec.typeName() != null) {
            try {
                typeName = Blobs.store(context, spec.typeName().getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                context.allocator().free(block);
                throw e;
            }
        }
        memory.putInt(block + ChannelLayout.MAGIC_OFFSET, ChannelLayout.MAGIC);
        memory.putInt(block + ChannelLayout.INLINE_BYTES_OFFSET, stride - (int) RingLayout.PAYLOAD_OFFSET);
        memory.putLong(block + ChannelLayout.TYPE_NAME_OFFSET, typeName);
        memory.putInt(block + ChannelLayout.PRODUCERS_OFFSET, spec.producers());
        Ring.format(memory, block + ChannelLayout.RING_OFFSET, spec.capacity(), stride);
        return block;
    }

    @Override
    public Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget) {
        context.allocator().checkBlock(bits, kind == SlotKinds.CHANNEL ? BlockTypes.CHANNEL : BlockTypes.TENSOR_RING);
        return new StoredRing(kind, bits);
    }

    @Override
    public void release(RegionContext context, int kind, int aux, long bits, int depth) {
        // A ring lives as long as its region: see the class comment.
    }
}
