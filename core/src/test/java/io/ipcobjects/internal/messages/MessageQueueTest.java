package io.ipcobjects.internal.messages;

import io.ipcobjects.TestAccess;
import static io.ipcobjects.internal.messages.MessageQueueLayout.HEAD_OFFSET;
import static io.ipcobjects.internal.messages.MessageQueueLayout.NEXT_OFFSET;
import static io.ipcobjects.internal.messages.MessageQueueLayout.TAIL_OFFSET;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.NoMessagesException;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue in one process: FIFO, peeking, emptiness, failure atomicity, memory reuse, corruption. */
class MessageQueueTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void messagesComeOutOldestFirst() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            assertFalse(a.hasMessages());
            for (long i = 0; i < 100; i++) {
                Long stored = a.putMessage(i);
                assertEquals(i, stored);
            }
            a.putMessage("text");
            a.putMessage(null);
            assertEquals(102, a.messageCount());
            assertEquals(102, MessageQueue.verify(TestAccess.context(shm)));
            for (long i = 0; i < 100; i++) {
                assertEquals(i, (Long) a.takeMessage());
            }
            assertEquals("text", a.takeMessage());
            assertTrue(a.hasMessages());
            assertNull(a.takeMessage());
            assertFalse(a.hasMessages());
            assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void readMessagePeeksWithoutRemoving() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            shm.putMessage("first");
            shm.putMessage("second");
            assertEquals("first", shm.readMessage());
            assertEquals("first", shm.readMessage());
            assertEquals("first", shm.takeMessage());
            assertEquals("second", shm.readMessage());
            assertEquals("second", shm.takeMessage());
            assertThrows(NoMessagesException.class, shm::readMessage);
        }
    }

    @Test
    void emptyQueueThrowsNoMessagesBeforeAndAfterFirstUse() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            assertThrows(NoMessagesException.class, shm::takeMessage);
            assertThrows(NoMessagesException.class, shm::readMessage);
            shm.putMessage(1L);
            assertEquals(1L, (Long) shm.takeMessage());
            NoMessagesException e = assertThrows(NoMessagesException.class, shm::takeMessage);
            assertTrue(e.getMessage().contains("no messages"), e.getMessage());
        }
    }

    @Test
    void takenMessagesGiveTheirMemoryBack() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            long afterFirstRound = 0;
            for (int round = 0; round < 50; round++) {
                try (Access a = shm.acquire()) {
                    long before = a.stats().usedBytes();
                    for (int i = 0; i < 20; i++) {
                        a.putMessage("message " + round + "/" + i + " " + "x".repeat(i * 10));
                        a.putMessage(new BigDecimal("12345.678900"));
                        a.putMessage((long) i);
                    }
                    assertTrue(a.stats().usedBytes() > before);
                    for (int i = 0; i < 20; i++) {
                        assertEquals("message " + round + "/" + i + " " + "x".repeat(i * 10), a.takeMessage());
                        assertEquals(new BigDecimal("12345.678900"), a.takeMessage());
                        assertEquals((long) i, (Long) a.takeMessage());
                    }
                    if (round == 0) {
                        afterFirstRound = a.stats().usedBytes();
                    }
                }
            }
            // Strings and decimals were freed on take; nodes went back to the spare list or the heap.
            assertEquals(afterFirstRound, shm.stats().usedBytes(), "no growth from round to round");
            long spares = MessageQueueLayout.MAX_SPARE_NODES * MessageQueueLayout.MIN_NODE_FOOTPRINT;
            assertTrue(afterFirstRound <= spares, "only spare nodes stay: " + afterFirstRound);
            shm.verify();
            try (Access a = shm.acquire()) {
                assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
            }
        }
    }

    @Test
    void spareNodesAreReusedAndChecked() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            // Long strings: a Long or a short string put into an empty queue would take the inline head, not a node.
            a.putMessage("a message in a node");
            a.takeMessage();
            long used = a.stats().usedBytes();
            for (long i = 0; i < 1000; i++) {
                a.putMessage("message number " + i);
                assertEquals("message number " + i, a.takeMessage());
            }
            assertEquals(used, a.stats().usedBytes(), "the one spare node is reused");
            RegionMemory memory = TestAccess.context(shm).memory();
            memory.putLong(MessageQueueLayout.SPARE_OFFSET, 4242);
            assertThrows(CorruptedRegionException.class, () -> a.putMessage("another message in a node"));
            memory.putLong(MessageQueueLayout.SPARE_COUNT_OFFSET, 99);
            assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void unsupportedValueLeavesQueueAndHeapUnchanged() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            // The first put of all: its failure must leave the heap empty.
            long emptyHeap = a.stats().usedBytes();
            assertThrows(UnsupportedTypeException.class, () -> a.putMessage(new Object()));
            assertEquals(emptyHeap, a.stats().usedBytes());
            assertEquals(0, TestAccess.context(shm).memory().getLong(MessageQueueLayout.COUNT_OFFSET));

            a.putMessage("kept");
            long used = a.stats().usedBytes();
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> a.putMessage(new Thread()));
            assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
            assertEquals(used, a.stats().usedBytes());
            assertEquals(1, a.messageCount());
            assertEquals(1, MessageQueue.verify(TestAccess.context(shm)));
            assertEquals("kept", a.takeMessage());
            a.verify();
        }
    }

    @Test
    void fullRegionLeavesEveryQueuedMessageIntact() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 64 << 10); Access a = shm.acquire()) {
            List<String> stored = new ArrayList<>();
            OutOfSharedMemoryException full = null;
            for (int i = 0; full == null; i++) {
                String message = "message number " + i + " " + "y".repeat(100);
                try {
                    a.putMessage(message);
                    stored.add(message);
                } catch (OutOfSharedMemoryException e) {
                    full = e;
                }
            }
            assertTrue(stored.size() > 100, "stored " + stored.size());
            long used = a.stats().usedBytes();
            assertThrows(OutOfSharedMemoryException.class, () -> a.putMessage("z".repeat(10_000)));
            assertEquals(used, a.stats().usedBytes());
            assertEquals(stored.size(), a.messageCount());
            a.verify();
            assertEquals(stored.size(), MessageQueue.verify(TestAccess.context(shm)));
            for (String message : stored) {
                assertEquals(message, a.takeMessage());
            }
            assertFalse(a.hasMessages());
        }
    }

    @Test
    void acquireIfHasMessagesHoldsTheLockOnlyWhenThereIsOne() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            assertNull(shm.acquireIfHasMessages());
            assertFalse(shm.isHeldByCurrentThread());
            shm.putMessage("here");
            try (Access a = shm.acquireIfHasMessages()) {
                assertNotNull(a);
                assertTrue(shm.isHeldByCurrentThread());
                assertEquals("here", a.takeMessage());
            }
            assertFalse(shm.isHeldByCurrentThread());
            assertNull(shm.acquireIfHasMessages());
        }
    }

    @Test
    void takeWithTimeoutReturnsAQueuedMessageAndTimesOutOnAnEmptyQueue() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            shm.putMessage(7L);
            assertEquals(7L, (Long) shm.takeMessage(Duration.ofSeconds(10)));
            WaitTimeoutException e = assertThrows(WaitTimeoutException.class, () -> shm.takeMessage(Duration.ofMillis(20)));
            assertTrue(e.getMessage().contains("no message"), e.getMessage());
            assertThrows(WaitTimeoutException.class, () -> shm.takeMessage(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> shm.takeMessage(Duration.ofSeconds(-1)));
            try (Access a = shm.acquire()) {
                assertThrows(IllegalStateException.class, () -> shm.takeMessage(Duration.ofSeconds(1)));
            }
        }
    }

    // ---- corruption: every offset is checked, walks are bounded ----

    @Test
    void corruptedNextOffsetGivesCorruptedRegionException() {
        for (long bad : new long[] {12345, 0, -16, Long.MAX_VALUE}) {
            try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
                a.putMessage("a long string: a node at the head, not the inline head");
                a.putMessage(2L);
                a.putMessage(3L);
                RegionMemory memory = TestAccess.context(shm).memory();
                long head = memory.getLong(HEAD_OFFSET);
                memory.putLong(head + NEXT_OFFSET, bad);
                assertThrows(CorruptedRegionException.class, a::takeMessage, "next = " + bad);
                assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)), "next = " + bad);
                memory.putLong(head + NEXT_OFFSET, 0);
                memory.putLong(MessageQueueLayout.COUNT_OFFSET, 1);
                memory.putLong(TAIL_OFFSET, head);
            }
        }
    }

    @Test
    void nextPointingToAnotherBlockTypeIsRejected() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a long string: a node at the head, not the inline head");
            a.putMessage(2L);
            long raw = a.allocate(64);
            RegionMemory memory = TestAccess.context(shm).memory();
            long head = memory.getLong(HEAD_OFFSET);
            memory.putLong(head + NEXT_OFFSET, raw);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertTrue(e.getMessage().contains("not a message node"), e.getMessage());
            assertEquals(2, a.messageCount(), "nothing taken");
        }
    }

    @Test
    void aTakeRefusesAHeadThatIsNotAMessageNodeAndTheLastTakeATailThatIsNotTheHead() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            String first = "a long string: a node at the head, not the inline head";
            String second = "a second long string, in the tail node";
            a.putMessage(first);
            a.putMessage(second);
            RegionMemory memory = TestAccess.context(shm).memory();
            long head = memory.getLong(HEAD_OFFSET);
            long tail = memory.getLong(TAIL_OFFSET);
            long raw = a.allocate(64);

            memory.putLong(HEAD_OFFSET, raw);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertTrue(e.getMessage().contains("queue head " + raw), e.getMessage());
            assertThrows(CorruptedRegionException.class, a::readMessage);
            assertEquals(2, a.messageCount(), "nothing taken");
            memory.putLong(HEAD_OFFSET, head);

            assertEquals(first, a.takeMessage());
            memory.putLong(TAIL_OFFSET, raw); // one node left, but the tail is another block
            e = assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertTrue(e.getMessage().contains("and tail " + raw + " differ"), e.getMessage());
            assertEquals(1, a.messageCount(), "nothing taken");
            memory.putLong(TAIL_OFFSET, tail);

            assertEquals(second, a.takeMessage());
            a.free(raw);
            a.verify();
        }
    }

    @Test
    void cycleInTheQueueIsFoundByABoundedWalk() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            for (long i = 0; i < 5; i++) {
                a.putMessage(i);
            }
            RegionMemory memory = TestAccess.context(shm).memory();
            long head = memory.getLong(HEAD_OFFSET);
            long second = memory.getLong(head + NEXT_OFFSET);
            memory.putLong(second + NEXT_OFFSET, head); // head -> second -> head -> ...
            assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void impossibleCountIsRejected() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a long string: a node at the head, not the inline head");
            RegionMemory memory = TestAccess.context(shm).memory();
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, Long.MAX_VALUE);
            assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertThrows(CorruptedRegionException.class, () -> a.putMessage(2L));
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 3); // count disagrees with head == tail
            assertThrows(CorruptedRegionException.class, a::takeMessage);
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 0); // count 0 but a node is linked
            assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertThrows(CorruptedRegionException.class, () -> a.putMessage(2L));
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 1);
            memory.putLong(HEAD_OFFSET, 8200); // head and tail point at no block
            memory.putLong(TAIL_OFFSET, 8200);
            assertThrows(CorruptedRegionException.class, a::readMessage);
        }
    }

    // ---- the inline head ----

    @Test
    void inlineHeadHoldsTheOldestMessageOnlyAndKeepsFifo() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            long emptyHeap = a.stats().usedBytes();
            a.putMessage(1L); // empty queue, inline value: no node
            assertEquals(emptyHeap, a.stats().usedBytes());
            assertNotEquals(0, memory.getInt(MessageQueueLayout.INLINE_SLOT_OFFSET));
            a.putMessage("two");
            a.putMessage(3L); // queue not empty: a node behind the others
            a.putMessage(null);
            assertEquals(4, MessageQueue.verify(TestAccess.context(shm)));
            assertEquals(1L, (Long) a.readMessage());
            assertEquals(1L, (Long) a.takeMessage());
            assertEquals(0, memory.getInt(MessageQueueLayout.INLINE_SLOT_OFFSET), "taken first, slot cleared");
            a.putMessage(5L); // not empty: must not jump the queue through the free inline slot
            assertEquals("two", a.takeMessage());
            assertEquals(3L, (Long) a.takeMessage());
            assertNull(a.takeMessage());
            assertEquals(5L, (Long) a.takeMessage());
            assertEquals(0, a.messageCount());
            a.putMessage(null); // null never takes the inline head (a null slot means "none")
            assertEquals(0, memory.getInt(MessageQueueLayout.INLINE_SLOT_OFFSET));
            assertNull(a.takeMessage());
            assertEquals(0, MessageQueue.verify(TestAccess.context(shm)));
        }
    }

    @Test
    void corruptedInlineHeadIsRejected() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage(7L);
            memory.putInt(MessageQueueLayout.INLINE_SLOT_OFFSET, 40); // a block kind cannot be inline
            assertThrows(CorruptedRegionException.class, a::takeMessage);
            assertThrows(CorruptedRegionException.class, () -> a.putMessage(8L));
            memory.putInt(MessageQueueLayout.INLINE_SLOT_OFFSET, 5);
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 0); // an inline message but count 0
            assertThrows(CorruptedRegionException.class, () -> a.putMessage(8L));
            assertThrows(CorruptedRegionException.class, () -> MessageQueue.verify(TestAccess.context(shm)));
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 2); // count 2 but no node behind the inline head
            assertThrows(CorruptedRegionException.class, a::takeMessage);
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 1);
            assertEquals(7L, (Long) a.takeMessage());
        }
    }
}
