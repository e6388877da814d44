package io.ipcobjects.messages;

import io.ipcobjects.alloc.BlockLayout;
import io.ipcobjects.values.ValueSlots;

/**
 * Layout of the message queue: a root block found through the header word
 * {@code RegionHeaderLayout.ROOT_MESSAGE_QUEUE_OFFSET}, and one node block per queued message,
 * linked oldest to newest. The number of queued messages is the header word
 * {@code RegionHeaderLayout.MESSAGE_COUNT_OFFSET} (on its own cache line, so
 * {@code hasMessages()} can read it without the lock).
 *
 * <pre>
 * Queue root (block tag MESSAGE_QUEUE), payload:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  head: payload offset of the oldest node (8), 0 = empty       |  0
 *  +---------------------------------------------------------------+
 *  |  tail: payload offset of the newest node (8), 0 = empty       |  8
 *  +---------------------------------------------------------------+
 *
 * Message node (block tag MESSAGE_NODE), payload:
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
 * head reaches tail in exactly count - 1 steps.
 */
public final class MessageQueueLayout {
    private MessageQueueLayout() {
    }

    public static final long HEAD_OFFSET = 0;
    public static final long TAIL_OFFSET = 8;
    /** Payload bytes of the queue root block. */
    public static final long ROOT_BYTES = 16;

    public static final long NEXT_OFFSET = 0;
    public static final long RESERVED_OFFSET = 8;
    /** The message's value slot: 16-byte aligned, as the payload is. */
    public static final long VALUE_SLOT_OFFSET = 16;
    /** Payload bytes of a node block. */
    public static final long NODE_BYTES = VALUE_SLOT_OFFSET + ValueSlots.SLOT_BYTES;

    /** Smallest heap footprint of one node (header included): bounds any walk of the queue. */
    public static final long MIN_NODE_FOOTPRINT = BlockLayout.HEADER_BYTES + NODE_BYTES;
}
