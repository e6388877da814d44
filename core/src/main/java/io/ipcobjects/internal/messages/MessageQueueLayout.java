package io.ipcobjects.internal.messages;

import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.codec.ValueSlots;

/**
 * Layout of the message queue: root words in the region header, on the lock's cache line
 * ({@link RegionHeaderLayout#LOCK_LINE_OFFSET}, after the lock word), and one node block per
 * queued message, linked oldest to newest. The root words are written only under the lock, so a
 * put or take moves one shared line for the lock and the root together (plus the node's line),
 * and {@code hasMessages()} polls that same line. The offsets below are absolute (header
 * offsets); the root needs no allocation and is never freed.
 *
 * <pre>
 * Lock line (RegionHeaderLayout.LOCK_LINE_OFFSET = 128), 64 bytes:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  lock word (8): see sync.LockLayout                           | 128
 *  +---------------------------------------------------------------+
 *  |  head: payload offset of the oldest node (8), 0 = empty       | 136
 *  +---------------------------------------------------------------+
 *  |  tail: payload offset of the newest node (8), 0 = empty       | 144
 *  +---------------------------------------------------------------+
 *  |  spare: first node kept for reuse (8), 0 = none; linked       | 152
 *  |  through their next fields                                    |
 *  +---------------------------------------------------------------+
 *  |  spare count (8), at most MAX_SPARE_NODES                     | 160
 *  +---------------------------------------------------------------+
 *  |  count (8): queued messages, the inline head included;       | 168
 *  |  written last, with release, under the lock; read with        |
 *  |  acquire without it                                           |
 *  +---------------------------------------------------------------+
 *  |  inline head (16): a value slot (values.SlotLayout) holding   | 176
 *  |  the oldest message when it is an inline value put into an    |
 *  |  empty queue; kind NULL = none                                |
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
 * <p>Invariants (checked on every operation): the inline head holds null or an inline kind, and
 * a message only when count &gt; 0; then it is the oldest message and nodes = count - 1, else
 * nodes = count. nodes 0 if and only if head and tail are 0; otherwise head and tail are
 * MESSAGE_NODE blocks, tail's next is 0, and following next from head reaches tail in exactly
 * nodes - 1 steps. The spare list holds spare count nodes (their
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

    // Root words: absolute header offsets on the lock's line, after the 8-byte lock word.
    public static final long HEAD_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 8;
    public static final long TAIL_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 16;
    public static final long SPARE_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 24;
    public static final long SPARE_COUNT_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 32;
    public static final long COUNT_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 40;
    /** The inline head's value slot: 16-byte aligned (header offset 176). */
    public static final long INLINE_SLOT_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 48;
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
