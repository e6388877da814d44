package io.ipcobjects.internal.channels;

import io.ipcobjects.internal.memory.RegionMemory;

/**
 * What the inspector ({@code inspect.RegionInspection}) reads of a ring from outside: how many
 * entries wait, counted as {@link Ring#size} counts them. The tail and head words alone do not
 * say: a handle whose puts or takes follow each other moves them only once every few claims
 * ({@link Ring#TAIL_MOVE_EVERY}), so the claims past them are found by reading the entries'
 * claim words, and the takes by their state words. Reads only, each word once, at most a lap of entries per word; a ring whose
 * capacity or stride does not fit its block throws {@link io.ipcobjects.CorruptedRegionException}.
 */
public final class RingInspection {
    private RingInspection() {
    }

    /** Messages waiting in the channel whose block starts at {@code block}, of {@code room} bytes. */
    public static int channelWaiting(RegionMemory memory, long block, long room) {
        return Ring.open(memory, block + ChannelLayout.RING_OFFSET, room - ChannelLayout.RING_OFFSET,
                (int) RingLayout.PAYLOAD_OFFSET + ChannelLayout.MIN_INLINE_BYTES).size();
    }

    /** Batches published and not yet taken in the tensor ring whose block starts at {@code block}, of {@code room} bytes. */
    public static int tensorRingPublished(RegionMemory memory, long block, long room, int parts, int slots) {
        long published = TensorRingLayout.publishedRing(parts, slots);
        return Ring.open(memory, block + published, room - published, TensorRingLayout.PUBLISHED_STRIDE).size();
    }
}
