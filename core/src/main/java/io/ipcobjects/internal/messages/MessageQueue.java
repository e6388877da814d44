package io.ipcobjects.internal.messages;

import static io.ipcobjects.internal.messages.MessageQueueLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.NoMessagesException;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.ValueSlots;


/**
 * The region's FIFO of messages: a singly linked list of nodes ({@link MessageQueueLayout}),
 * the Java form of the original's linked list of global messages.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>Every operation but {@link #hasMessages} (and the waiting loop of {@code LockScope.callWhen} around it)
 *       runs under the region lock (the caller holds it), with plain reads and writes: the
 *       lock's acquire and release order them between processes.</li>
 *   <li>The root words (head, tail, spare list, count) sit in the header on the lock's own
 *       cache line, after the lock word, so a put or take moves two lines between cores: the
 *       lock's (which brings the root with it) and one node's (nodes are 64-byte aligned). The
 *       count is written last in {@code put} and {@code take}, with release, so a process that
 *       reads it with acquire and sees n &gt; 0 knows a message was linked; it still takes the
 *       lock to take it (another consumer may be first). The count is the only word read
 *       without the lock; its poller shares the lock's line, which a put writes anyway.</li>
 *   <li>Inline head: a message put into a completely empty queue whose value fits a slot
 *       (an inline kind, {@link SlotKinds#isInline}: a number, a boolean, a time value, not
 *       null) is stored in the 16-byte slot on the lock's line instead of a node, so a ping-pong
 *       of small messages moves only the lock's line. The slot only ever holds the oldest
 *       message (it is filled only when the count is 0, and {@code take} empties it first), so
 *       FIFO order is kept: later puts link nodes behind it as usual.</li>
 *   <li>Failure atomicity: {@code put} allocates the node and writes the value before it links
 *       anything; if any step throws (unsupported value, full region), what it allocated is
 *       freed and the queue is as it was. {@code take} reads the
 *       value before it unlinks, so a value that cannot be read leaves the message queued.</li>
 *   <li>Ownership: a message hands its object over. {@code take} gives the queue's node back
 *       (kept as a spare for the next put, up to {@link MessageQueueLayout#MAX_SPARE_NODES},
 *       else freed) and frees the value's own blocks only when the value came back as a copy
 *       (a {@code String}, a boxed number, ...: see {@link HandOver}); a live container passes
 *       to the caller with the message's reference to it and stays in the region until
 *       destroyed.</li>
 *   <li>Every offset read from the region is checked ({@link HeapAllocator#checkBlock} with the
 *       node's tag) before it is followed, the count is checked against what the heap could
 *       hold, and head, tail and count must agree: a corrupted queue gives
 *       {@link CorruptedRegionException}. The one walk ({@link #verify}) is bounded by the count.</li>
 * </ul>
 * The root words need no allocation: a new region's header is zero, an empty queue.
 */
public final class MessageQueue {
    private MessageQueue() {
    }

    /**
     * Whether a message is queued, without the lock: one acquire read of the count, on the lock's
     * cache line.
     */
    public static boolean hasMessages(RegionContext context) {
        context.scope().ensureOpen();
        return context.memory().getLongAcquire(COUNT_OFFSET) > 0;
    }

    /** The number of queued messages read without the lock (one acquire read), clamped to an int. */
    public static int countWithoutLock(RegionContext context) {
        context.scope().ensureOpen();
        long count = context.memory().getLongAcquire(COUNT_OFFSET);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, count));
    }

    /** The number of queued messages (under the lock), checked against the heap's capacity. */
    public static long count(RegionContext context) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        return checkedCount(context);
    }

    /** The count word, checked against the heap's capacity. */
    private static long checkedCount(RegionContext context) {
        long count = context.memory().getLong(COUNT_OFFSET);
        HeapAllocator allocator = context.allocator();
        // At most one message per node the heap could hold, plus the inline head.
        if (count < 0 || count > (allocator.heapEnd() - allocator.heapStart()) / MIN_NODE_FOOTPRINT + 1) {
            throw new CorruptedRegionException("message count " + count + " is impossible for this heap", COUNT_OFFSET);
        }
        return count;
    }

    /**
     * Stores {@code value} and appends it as the newest message; returns what
     * {@link ValueSlots#read} gives for it (the live view of a container, a copy of a plain value).
     */
    public static Object put(RegionContext context, Object value) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        RegionMemory memory = context.memory();
        HeapAllocator allocator = context.allocator();
        long count = checkedCount(context);
        long nodes = count - checkedInline(context, count);
        checkEndsAgree(context, nodes);
        if (nodes != 0) {
            checkTail(context); // the new node is linked behind it
        }
        if (count == 0 && value != null && ValueSlots.isInline(value)) {
            // Empty queue, a value that fits a slot: it is the oldest message, on the lock's line.
            // The count and the slot beside it are one undo entry, which a take logs too: a loop
            // of puts and takes finds it settled by the log's last-range check (three compares).
            memory.logBefore(COUNT_OFFSET, COUNT_AND_INLINE_SLOT_BYTES);
            ValueSlots.writeInlineLogged(memory, INLINE_SLOT_OFFSET, value);
            memory.putLongReleaseLogged(COUNT_OFFSET, 1);
            context.counters().messagePut();
            return ValueSlots.read(context, INLINE_SLOT_OFFSET);
        }
        long tail = memory.getLong(TAIL_OFFSET);
        // A spare node is used in place (unlinked only once the value is stored); else a new one.
        long spare = checkedSpare(context);
        long node = spare != 0 ? spare : allocator.allocateAligned(NODE_BYTES, NODE_ALIGNMENT, BlockTypes.MESSAGE_NODE);
        if (ValueSlots.isInline(value)) {
            // The node's links and slot as one undo entry; the value overwrites the whole slot,
            // and owns no block, so nothing the slot held is released (a spare's slot is null).
            memory.logBefore(node + NEXT_OFFSET, (int) NODE_BYTES);
            ValueSlots.writeInlineLogged(memory, node + VALUE_SLOT_OFFSET, value);
        } else {
            try {
                // A zeroed slot holds null: write() releases what a slot held, so it must hold nothing.
                clearSlot(memory, node + VALUE_SLOT_OFFSET);
                ValueSlots.write(context, node + VALUE_SLOT_OFFSET, value);
                Ownership.passedOn(context, value);
            } catch (RuntimeException e) {
                if (spare == 0) {
                    allocator.free(node);
                }
                throw e;
            }
        }
        // Nothing below can fail or commit: the node's two link words and the root words are
        // logged as two entries (the links settled already for an inline value: the last range),
        // then written without a lookup each. The root words last, so that a take right after
        // finds them settled by the last-range check.
        memory.logBefore(node + NEXT_OFFSET, NODE_LINK_BYTES);
        memory.logBefore(HEAD_OFFSET, ROOT_WORDS_BYTES);
        if (spare != 0) {
            memory.putLongLogged(SPARE_OFFSET, memory.getLong(spare + NEXT_OFFSET));
            memory.putLongLogged(SPARE_COUNT_OFFSET, memory.getLong(SPARE_COUNT_OFFSET) - 1);
        }
        memory.putLongLogged(node + NEXT_OFFSET, 0);
        memory.putLongLogged(node + RESERVED_OFFSET, 0);
        // Link the node, then publish the new count (release).
        if (tail == 0) {
            memory.putLongLogged(HEAD_OFFSET, node);
        } else {
            memory.putLong(tail + NEXT_OFFSET, node);
        }
        memory.putLongLogged(TAIL_OFFSET, node);
        memory.putLongReleaseLogged(COUNT_OFFSET, count + 1);
        context.counters().messagePut();
        return ValueSlots.read(context, node + VALUE_SLOT_OFFSET);
    }

    /**
     * {@link #take} of the inline head, the oldest message: an inline value owns no block, so
     * nothing is freed. A method of its own so that {@code take} stays within the size C2
     * inlines into its callers.
     */
    private static Object takeInlineHead(RegionContext context, long count, Class<?> expected) {
        RegionMemory memory = context.memory();
        Object value = checkType(ValueSlots.read(context, INLINE_SLOT_OFFSET), expected);
        memory.logBefore(COUNT_OFFSET, COUNT_AND_INLINE_SLOT_BYTES); // as the put did
        memory.putIntIntLongLogged(INLINE_SLOT_OFFSET, 0, 0, 0L); // null
        memory.putLongReleaseLogged(COUNT_OFFSET, count - 1);
        context.counters().messageTaken();
        return value;
    }

    /**
     * Removes the oldest message and returns its value.
     *
     * @throws NoMessagesException if the queue is empty
     */
    public static Object take(RegionContext context) {
        return take(context, null);
    }

    /**
     * Removes the oldest message and returns its value, if the value is an {@code expected}
     * (null: any type); otherwise the queue is left as it was. Decoding a message changes
     * nothing in the region, so the check comes before anything is unlinked or freed.
     *
     * @throws NoMessagesException     if the queue is empty
     * @throws UnexpectedTypeException the oldest message is not an {@code expected}
     */
    public static Object take(RegionContext context, Class<?> expected) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        RegionMemory memory = context.memory();
        long count = countOrEmpty(context);
        if (checkedInline(context, count) != 0) {
            return takeInlineHead(context, count, expected);
        }
        long head = memory.getLong(HEAD_OFFSET);
        long next = memory.getLong(head + NEXT_OFFSET);
        if (count == 1) {
            if (next != 0) {
                throw new CorruptedRegionException("the only queued message links to " + next, head + NEXT_OFFSET);
            }
        } else {
            if (next == 0) {
                throw new CorruptedRegionException("message count is " + count + " but the queue ends after one node",
                        head + NEXT_OFFSET);
            }
            checkNode(context, next, "next message node");
        }
        long slot = head + VALUE_SLOT_OFFSET;
        Object value = checkType(ValueSlots.read(context, slot), expected);
        long spares = checkedSpareCount(context);
        HandOver.release(context, slot, value); // frees copies; live objects pass to the caller (may commit steps)
        Ownership.taken(context, value);
        // The root words: one undo entry, then no lookup for each.
        memory.logBefore(HEAD_OFFSET, ROOT_WORDS_BYTES);
        memory.putLongLogged(HEAD_OFFSET, next);
        if (next == 0) {
            memory.putLongLogged(TAIL_OFFSET, 0);
        }
        if (spares < MAX_SPARE_NODES) {
            memory.putLong(head + NEXT_OFFSET, memory.getLong(SPARE_OFFSET));
            memory.putLongLogged(SPARE_OFFSET, head);
            memory.putLongLogged(SPARE_COUNT_OFFSET, spares + 1);
        } else {
            context.allocator().free(head);
        }
        memory.putLongReleaseLogged(COUNT_OFFSET, count - 1);
        context.counters().messageTaken();
        return value;
    }

    /**
     * The oldest message's value, left queued.
     *
     * @throws NoMessagesException if the queue is empty
     */
    public static Object peek(RegionContext context) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        RegionMemory memory = context.memory();
        long count = countOrEmpty(context);
        if (checkedInline(context, count) != 0) {
            return ValueSlots.read(context, INLINE_SLOT_OFFSET);
        }
        long head = memory.getLong(HEAD_OFFSET);
        return ValueSlots.read(context, head + VALUE_SLOT_OFFSET);
    }

    private static Object checkType(Object value, Class<?> expected) {
        if (expected != null && value != null && !expected.isInstance(value)) {
            throw new UnexpectedTypeException("the oldest message", expected, value.getClass());
        }
        return value;
    }

    /**
     * Walks the whole queue from head to tail, at most count nodes, and checks every link.
     * Returns the count. For tests and inspection.
     *
     * @throws CorruptedRegionException at the first inconsistency
     */
    public static long verify(RegionContext context) {
        RegionMemory memory = context.memory();
        long count = checkedCount(context);
        long inline = checkedInline(context, count);
        if (inline != 0) {
            ValueSlots.read(context, INLINE_SLOT_OFFSET); // decodes, so a bad inline value is found here
        }
        long nodes = count - inline;
        checkEndsAgree(context, nodes);
        if (nodes != 0) {
            checkHead(context);
            checkTail(context);
        }
        long node = memory.getLong(HEAD_OFFSET);
        long tail = memory.getLong(TAIL_OFFSET);
        for (long seen = 1; seen < nodes; seen++) {
            long next = memory.getLong(node + NEXT_OFFSET);
            if (next == 0) {
                throw new CorruptedRegionException("queue ends after " + seen + " of " + nodes + " message nodes", node + NEXT_OFFSET);
            }
            checkNode(context, next, "message node " + (seen + 1));
            node = next;
        }
        if (node != tail) {
            throw new CorruptedRegionException("message node " + nodes + " is " + node + " but the tail is " + tail,
                    TAIL_OFFSET);
        }
        long spares = checkedSpareCount(context);
        long spare = memory.getLong(SPARE_OFFSET);
        for (long seen = 0; seen < spares; seen++) {
            checkNode(context, spare, "spare node " + (seen + 1));
            spare = memory.getLong(spare + NEXT_OFFSET);
        }
        if (spare != 0) {
            throw new CorruptedRegionException("the spare list is longer than its count " + spares, SPARE_OFFSET);
        }
        return count;
    }

    // ---- checks of what is read from the region ----

    /**
     * The checked count of a non-empty queue, for a take or a peek: head and tail agree with it,
     * and the head, which a take or a peek reads, is a message node (the tail is read only by a
     * put, which checks it). Throws NoMessagesException when the queue is empty.
     */
    private static long countOrEmpty(RegionContext context) {
        long count = checkedCount(context);
        long nodes = count - checkedInline(context, count);
        checkEndsAgree(context, nodes);
        if (nodes != 0) {
            checkHead(context);
        }
        if (count == 0) {
            throw new NoMessagesException("no messages in region " + context.path());
        }
        return count;
    }

    /**
     * 1 if the inline slot holds the oldest message, else 0. Its kind must be null or an inline
     * kind, and it may hold a message only while the count is positive.
     */
    private static long checkedInline(RegionContext context, long count) {
        int kind = context.memory().getInt(INLINE_SLOT_OFFSET + SlotLayout.KIND_OFFSET);
        if (kind == SlotKinds.NULL) {
            return 0;
        }
        if (kind < 0 || !SlotKinds.isInline(kind) || count == 0) {
            throw new CorruptedRegionException("the queue's inline slot holds kind " + kind + " with message count " + count,
                    INLINE_SLOT_OFFSET);
        }
        return 1;
    }

    /** Sets a 16-byte value slot to null (all zero). */
    private static void clearSlot(RegionMemory memory, long slot) {
        memory.putIntIntLong(slot, 0, 0, 0L); // one undo entry for the whole slot
    }

    /** The first spare node, checked, or 0 if there is none. */
    private static long checkedSpare(RegionContext context) {
        long spares = checkedSpareCount(context);
        long spare = context.memory().getLong(SPARE_OFFSET);
        if ((spare == 0) != (spares == 0)) {
            throw new CorruptedRegionException("spare list head " + spare + " disagrees with spare count " + spares,
                    SPARE_OFFSET);
        }
        if (spare != 0) {
            checkNode(context, spare, "spare node");
        }
        return spare;
    }

    private static long checkedSpareCount(RegionContext context) {
        long spares = context.memory().getLong(SPARE_COUNT_OFFSET);
        if (spares < 0 || spares > MAX_SPARE_NODES) {
            throw new CorruptedRegionException("spare node count " + spares + " is out of range", SPARE_COUNT_OFFSET);
        }
        return spares;
    }

    /**
     * Checks head and tail against {@code nodes}, the number of queued nodes (the message count
     * less the inline head), without following either: both null with no node, both set with
     * some, one node exactly when they are equal. Each operation then checks the end it follows
     * ({@link #checkHead}, {@link #checkTail}): an end nobody follows is read as a number only,
     * so a bad one is refused by the first operation that would use it, and by {@link #verify}.
     */
    private static void checkEndsAgree(RegionContext context, long nodes) {
        RegionMemory memory = context.memory();
        long head = memory.getLong(HEAD_OFFSET);
        long tail = memory.getLong(TAIL_OFFSET);
        if (nodes == 0) {
            if (head != 0 || tail != 0) {
                throw new CorruptedRegionException("message count is 0 but the queue has head " + head + ", tail " + tail,
                        HEAD_OFFSET);
            }
        } else if (head == 0 || tail == 0) {
            throw new CorruptedRegionException("message count is " + nodes + " but the queue has head " + head + ", tail " + tail,
                    HEAD_OFFSET);
        } else if ((tail == head) != (nodes == 1)) {
            throw new CorruptedRegionException(tail == head
                    ? "message count is " + nodes + " but head and tail are one node"
                    : "one message node but head " + head + " and tail " + tail + " differ", TAIL_OFFSET);
        }
    }

    /** The head of a queue with nodes, before a take or a peek reads it: a message node. */
    private static void checkHead(RegionContext context) {
        checkNode(context, context.memory().getLong(HEAD_OFFSET), "queue head");
    }

    /** The tail of a queue with nodes, before a put links behind it: a message node that links nowhere. */
    private static void checkTail(RegionContext context) {
        RegionMemory memory = context.memory();
        long tail = memory.getLong(TAIL_OFFSET);
        checkNode(context, tail, "queue tail");
        if (memory.getLong(tail + NEXT_OFFSET) != 0) {
            throw new CorruptedRegionException("the newest message node links further", tail + NEXT_OFFSET);
        }
    }

    private static void checkNode(RegionContext context, long node, String what) {
        try {
            context.allocator().checkBlock(node, BlockTypes.MESSAGE_NODE);
        } catch (CorruptedRegionException e) {
            throw corrupted(what + " " + node + " is not a message node", node, e);
        }
    }

    private static CorruptedRegionException corrupted(String message, long offset, CorruptedRegionException cause) {
        CorruptedRegionException e = new CorruptedRegionException(message + ": " + cause.getMessage(), offset);
        e.initCause(cause);
        return e;
    }
}
