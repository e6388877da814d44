package io.ipcobjects.internal.messages;

import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.lock.LockLayout;
import io.ipcobjects.internal.memory.RegionHeaderLayout;

/**
 * Layout of the message queue: root words in the region header, on the lock's cache line
 * ({@link RegionHeaderLayout#LOCK_LINE_OFFSET}, after the lock word), and one node block per
 * queued message, linked oldest to newest. The root words are written only under the lock, so a
 * put or take moves one shared line for the lock and the root together (plus the node's line),
 * and {@code hasMessages()} polls that same line. The offsets below are absolute (header
 * offsets); the root needs no allocation and is never freed.
 *
 * <pre>
 * Lock line (RegionHeaderLayout.LOCK_LINE_OFFSET), absolute offsets:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *    128 |                     lock word: LockLayout                     |
 *        +---------------------------------------------------------------+
 *    136 |                 head: oldest node, 0 = empty                  |
 *        +---------------------------------------------------------------+
 *    144 |                 tail: newest node, 0 = empty                  |
 *        +---------------------------------------------------------------+
 *    152 |               spare: first spare node, 0 = none               |
 *        +---------------------------------------------------------------+
 *    160 |                          spare count                          |
 *        +---------------------------------------------------------------+
 *    168 |                    count: queued messages                     |
 *        +---------------------------------------------------------------+
 *    176 |             inline head: value slot (SlotLayout)              |
 *    184 |                                                               |
 *        +---------------------------------------------------------------+
 *
 * Message node (block tag MESSAGE_NODE), payload:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                next: next newer node, 0 = last                |
 *        +---------------------------------------------------------------+
 *      8 |                           reserved                            |
 *        +---------------------------------------------------------------+
 *     16 |             value slot (SlotLayout): the message              |
 *     24 |                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>head, tail, spare: payload offsets of node blocks; the spare nodes are linked through
 *       their next fields.</li>
 *   <li>spare count: at most {@link #MAX_SPARE_NODES}.</li>
 *   <li>count: queued messages, the inline head included; written last, with release, under the
 *       lock, and read with acquire without it.</li>
 *   <li>inline head: the oldest message when it is an inline value put into an empty queue; kind
 *       {@code NULL} when none.</li>
 *   <li>a node's payload is 64-byte aligned ({@link #NODE_ALIGNMENT}): one cache line holds it.
 *       Its value slot holds the message as {@code codec.ValueSlots} writes it.</li>
 * </ul>
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

    // Root words: absolute header offsets on the lock's line, after the lock word.
    public static final long HEAD_OFFSET = LockLayout.LOCK_WORD_OFFSET + Long.BYTES;
    public static final long TAIL_OFFSET = HEAD_OFFSET + Long.BYTES;
    public static final long SPARE_OFFSET = TAIL_OFFSET + Long.BYTES;
    public static final long SPARE_COUNT_OFFSET = SPARE_OFFSET + Long.BYTES;
    public static final long COUNT_OFFSET = SPARE_COUNT_OFFSET + Long.BYTES;
    /** Bytes of the root words, head to count, side by side: one undo entry covers them all. */
    public static final int ROOT_WORDS_BYTES = (int) (COUNT_OFFSET + Long.BYTES - HEAD_OFFSET);
    /** The inline head's value slot: 16-byte aligned; it ends the lock's line. */
    public static final long INLINE_SLOT_OFFSET = COUNT_OFFSET + Long.BYTES;
    /** Bytes of the count and the inline head's slot, side by side: what an inline put or take writes, one undo entry. */
    public static final int COUNT_AND_INLINE_SLOT_BYTES = (int) (INLINE_SLOT_OFFSET + SlotLayout.SLOT_BYTES - COUNT_OFFSET);
    /** Alignment of a node's payload: one cache line holds all of it. */
    public static final long NODE_ALIGNMENT = 64;
    /** Most taken nodes kept for reuse (8 x 48 bytes of heap at most). */
    public static final long MAX_SPARE_NODES = 8;

    // A node's payload.
    public static final long NEXT_OFFSET = 0;
    public static final long RESERVED_OFFSET = NEXT_OFFSET + Long.BYTES;
    /** Bytes of a node's next link and reserved word, side by side. */
    public static final int NODE_LINK_BYTES = (int) (RESERVED_OFFSET + Long.BYTES - NEXT_OFFSET);
    /** The message's value slot: 16-byte aligned, as the payload is. */
    public static final long VALUE_SLOT_OFFSET = RESERVED_OFFSET + Long.BYTES;
    /** Payload bytes of a node block. */
    public static final long NODE_BYTES = VALUE_SLOT_OFFSET + SlotLayout.SLOT_BYTES;

    /** Smallest heap footprint of one node (header included): bounds any walk of the queue. */
    public static final long MIN_NODE_FOOTPRINT = BlockLayout.HEADER_BYTES + NODE_BYTES;
}
