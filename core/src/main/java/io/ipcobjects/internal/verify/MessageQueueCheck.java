package io.ipcobjects.internal.verify;

import static io.ipcobjects.internal.messages.MessageQueueLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueue;

/**
 * The message queue ({@code messages.MessageQueueLayout}): its own checks of count, ends and
 * links ({@link MessageQueue#verify}), then every queued node reached once with its message's
 * value, the inline head, and the spare nodes, whose slots hold nothing.
 */
final class MessageQueueCheck {
    private MessageQueueCheck() {
    }

    static void walk(RegionContext context, Reach reach, ValueWalk values) {
        RegionMemory memory = context.memory();
        Findings findings = reach.findings();
        long count;
        try {
            count = MessageQueue.verify(context);
        } catch (CorruptedRegionException e) {
            findings.add("message queue", e);
            return;
        }
        long inline = memory.getInt(INLINE_SLOT_OFFSET + SlotLayout.KIND_OFFSET) == SlotKinds.NULL ? 0 : 1;
        if (inline != 0) {
            values.slot(INLINE_SLOT_OFFSET, INLINE_SLOT_OFFSET, 0);
        }
        long from = HEAD_OFFSET;
        for (long seen = 0; seen < count - inline; seen++) {
            long node = memory.getLong(from);
            if (!reach.owned(node, BlockTypes.MESSAGE_NODE, from)) {
                return;
            }
            values.slot(node + VALUE_SLOT_OFFSET, node, 0);
            from = node + NEXT_OFFSET;
        }
        from = SPARE_OFFSET;
        for (long spare = memory.getLong(from); spare != 0; spare = memory.getLong(from)) {
            if (!reach.owned(spare, BlockTypes.MESSAGE_NODE, from)) {
                return;
            }
            if (memory.getLong(spare + VALUE_SLOT_OFFSET) != 0 || memory.getLong(spare + VALUE_SLOT_OFFSET + 8) != 0) {
                findings.add("spare message node " + spare + " still holds a value", spare + VALUE_SLOT_OFFSET);
            }
            from = spare + NEXT_OFFSET;
        }
    }
}
