package io.ipcobjects.messages;

import io.ipcobjects.alloc.BlockLayout;
import io.ipcobjects.values.ValueSlots;

/**
 * Layout of the message queue: a root block found through the header word
 * {@code RegionHeaderLayout.ROOT_MESSAGE_QUEUE_OFFSET}, and one node block per queued message,
 * linked oldest to newest. The root holds the number of queued messages beside head and tail,
 * all on one cache line (the root's payload is 64-byte aligned), so {@code hasMessages()} reads
 * the line a put or take writes anyway.
 *
 * <pre>
 * Queue root (block tag MESSAGE_QUEUE), payload 64-byte aligned:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  head: payload offset of the oldest node (8), 0 = empty       |  0
 *  +---------------------------------------------------------------+
 *  |  tail: payload offset of the newest node (8), 0 = empty       |  8
 *  +---------------------------------------------------------------+
 *  |  spare: first node kept for reuse (8), 0 = none; linked       | 16
 *  |  through their next fields                                    |
 *  +---------------------------------------------------------------+
 *  |  spare count (8), at most MAX_SPARE_NODES                     | 24
 *  +---------------------------------------------------------------+
 *  |  count (8): queued messages; written last, with release, under | 32
 *  |  the lock; read with acquire without it                       |
 *  +---------------------------------------------------------------+
 *  |  reserved, 0 (8)                                              | 40
 *  +---------------------------------------------------------------+
 *
 * Message node (block tag MESSAGE_NODE), payload 64-byte aligned (one cache line):
 *  +---------------------------------------------------------------+
 *  |  next: payload offset of the next newer node (8), 0 = last    |  0
 *  +---------------------------------------------------------------+
 *  |  reserved, 0 (8)                                              |  8
 *  +---------------------------------------------------------------+
 *  |  value slot (16): the message, see values.ValueSlots          | 16
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Invariants (checked on every operation): count 0 if and only if head and tail are 0;
 * otherwise head and tail are MESSAGE_NODE blocks, tail's next is 0, and following next from
 * head reaches tail in exactly count - 1 steps. The spare list holds spare count nodes (their
 * value slots null), the last with next 0.
 *
 * <p>Why spares: a taken node is kept for the next put (up to {@link #MAX_SPARE_NODES}) instead
 * of going back to the allocator, so a steady flow of messages touches the queue's own cache
 * lines and not the allocator's bins, bitmap and counters: between two processes each of those
 * lines would cross cores on every message.
 */
public final class MessageQueueLayout {
    private MessageQueueLayout() {
    }

    public static final long HEAD_OFFSET = 0;
    public static final long TAIL_OFFSET = 8;
    public static final long SPARE_OFFSET = 16;
    public static final long SPARE_COUNT_OFFSET = 24;
    public static final long COUNT_OFFSET = 32;
    /** Payload bytes of the queue root block. */
    public static final long ROOT_BYTES = 48;
    /** Alignment of the root's payload: one cache line holds all of it. */
    public static final long ROOT_ALIGNMENT = 64;
    /** Alignment of a node's payload: one cache line holds all of it. */
    public static final long NODE_ALIGNMENT = 64;
    /** Most taken nodes kept for reuse (8 x 48 bytes of heap at most). */
    public static final long MAX_SPARE_NODES = 8;

    public static final long NEXT_OFFSET = 0;
    public static final long RESERVED_OFFSET = 8;
    /** The message's value slot: 16-byte aligned, as the payload is. */
    public static final long VALUE_SLOT_OFFSET = 16;
    /** Payload bytes of a node block. */
    public static final long NODE_BYTES = VALUE_SLOT_OFFSET + ValueSlots.SLOT_BYTES;

    /** Smallest heap footprint of one node (header included): bounds any walk of the queue. */
    public static final long MIN_NODE_FOOTPRINT = BlockLayout.HEADER_BYTES + NODE_BYTES;
}
