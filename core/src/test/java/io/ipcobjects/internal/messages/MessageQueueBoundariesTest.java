package io.ipcobjects.internal.messages;

import static io.ipcobjects.internal.messages.MessageQueueLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.io.ObjectInputFilter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The queue's bookkeeping at its limits: a node carved from memory that held other data, the
 * spare list filling up to exactly {@link MessageQueueLayout#MAX_SPARE_NODES}, a typed take of the
 * wrong type, and what {@link MessageQueue#verify} finds in a queue whose words disagree.
 */
class MessageQueueBoundariesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** A string too long for a slot: its message needs a node (and a blob). */
    private static String longText(int i) {
        return String.format("message in a node, number %03d", i); // one length: one blob size
    }

    @Test
    void aNodeCarvedFromMemoryThatHeldOtherDataStartsEmpty() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage(1L); // the inline head: the next messages need nodes
            // A freed block full of value slots that name a string blob at a bogus offset: a node
            // carved from it must not release what its slot seems to hold.
            long dirty = a.allocate(4096);
            MemorySegment bytes = a.block(dirty);
            for (long at = 0; at + 16 <= 4096; at += 16) {
                bytes.set(ValueLayout.JAVA_INT, at, SlotKinds.STRING);
                bytes.set(ValueLayout.JAVA_INT, at + 4, 0);
                bytes.set(ValueLayout.JAVA_LONG, at + 8, 12_345);
            }
            long used = a.stats().usedBytes();
            a.free(dirty);
            for (int i = 0; i < 4; i++) {
                assertEquals(longText(i), a.putMessage(longText(i)));
            }
            assertEquals(5, MessageQueue.verify(TestAccess.context(shm)));
            assertEquals(1L, (Long) a.takeMessage());
            for (int i = 0; i < 4; i++) {
                assertEquals(longText(i), a.takeMessage());
            }
            a.verify();
            assertTrue(a.stats().usedBytes() < used, "the dirty block stays freed");
        }
    }

    @Test
    void takenNodesAreKeptAsSparesUpToTheLimitThenFreed() {
        int max = (int) MAX_SPARE_NODES;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long empty = a.stats().usedBytes();
            a.putMessage(0L); // the inline head
            for (int i = 1; i <= max + 2; i++) {
                a.putMessage(longText(i));
            }
            a.takeMessage();
            for (int i = 1; i <= max + 2; i++) {
                assertEquals(longText(i), a.takeMessage());
                assertEquals(Math.min(i, max), memory.getLong(SPARE_COUNT_OFFSET), "spare nodes after " + i + " takes");
            }
            assertEquals(empty + max * MIN_NODE_FOOTPRINT, a.stats().usedBytes(),
                    "the blobs and two nodes were freed, " + max + " nodes are kept");
            assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
            // Spares are used again, newest first, and none is left behind.
            for (int i = 0; i < max + 1; i++) {
                a.putMessage(longText(i));
            }
            assertEquals(0, memory.getLong(SPARE_COUNT_OFFSET));
            assertEquals(0, memory.getLong(SPARE_OFFSET));
            assertEquals(max + 1, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void aTypedTakeOfTheWrongTypeLeavesTheMessageQueued() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage(longText(1));
            a.putMessage(null);
            a.putMessage(7L);
            UnexpectedTypeException e = assertThrows(UnexpectedTypeException.class, () -> a.takeMessage(Long.class));
            assertTrue(e.getMessage().contains("String"), e.getMessage());
            assertEquals(3, a.messageCount(), "nothing taken");
            assertEquals(longText(1), a.takeMessage(String.class));
            assertNull(a.takeMessage(Long.class), "a null message is of any type");
            assertEquals(7L, a.takeMessage(Long.class));
            a.putMessage(8L); // the inline head
            assertThrows(UnexpectedTypeException.class, () -> a.takeMessage(String.class));
            assertEquals(8L, a.takeMessage(Number.class));
            assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void aSerializedMessageIsFreedWhenTaken() {
        SharedMemoryOptions serializing = SharedMemoryOptions.defaults()
                .withSerialization(ObjectInputFilter.Config.createFilter("java.util.BitSet;java.lang.Object;!*"));
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, serializing); Access a = shm.acquire()) {
            a.putMessage(longText(0));
            a.takeMessage(); // leaves one spare node, which the next message uses
            long baseline = a.stats().usedBytes();
            BitSet bits = BitSet.valueOf(new long[] {0x1234_5678_9ABCL, -1L});
            a.putMessage(bits);
            assertTrue(a.stats().usedBytes() > baseline, "the serialization stream is stored in a blob");
            assertEquals(bits, a.takeMessage());
            assertEquals(baseline, a.stats().usedBytes(), "the taker has a copy: the blob is freed");
            a.verify();
        }
    }

    @Test
    void verifyFindsNodesLinkedToAnEmptyQueue() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage(longText(1));
            long node = memory.getLong(HEAD_OFFSET);
            assertEquals(node, memory.getLong(TAIL_OFFSET));
            memory.putLong(COUNT_OFFSET, 0); // count 0, but head and tail still name the node
            assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
            memory.putLong(COUNT_OFFSET, 1);
            assertEquals(1, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void verifyChecksEverySpareNode() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage(longText(1));
            a.takeMessage(); // one spare node
            assertEquals(1, memory.getLong(SPARE_COUNT_OFFSET));
            long spare = memory.getLong(SPARE_OFFSET);
            long raw = a.allocate(32); // a block, but not a message node
            memory.putLong(SPARE_OFFSET, raw);
            memory.putLong(raw + NEXT_OFFSET, 0);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
            assertTrue(e.getMessage().contains("spare node"), e.getMessage());
            memory.putLong(SPARE_OFFSET, spare);
            assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void verifyDecodesTheInlineHead() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage(7L);
            assertEquals(1, MessageQueue.verify(TestAccess.context(shm)));
            memory.putInt(INLINE_SLOT_OFFSET, 25); // an inline kind no value has
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
            assertTrue(e.getMessage().contains("kind 25"), e.getMessage());
            memory.putInt(INLINE_SLOT_OFFSET, SlotKinds.LONG);
            assertEquals(7L, (Long) a.takeMessage());
        }
    }
}
