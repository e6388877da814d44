package io.ipcobjects.internal.messages;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.Channel;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.ProcessStats;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.structs.SharedObjects;
import io.ipcobjects.testing.TestRegions;
import io.ipcobjects.testing.objects.Employee;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a handle's process stats say about the message queue: the messages it put and took (inline
 * or in a node), and the shared objects it took by reference and still holds (the owner stamps of
 * {@link Ownership}). Two handles of one region in one JVM stand for two processes. Also the
 * queue's count read without the lock, and its bound and ends checked against a crafted region.
 */
class OwnershipTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The whole block (header included) whose payload is at {@code payload}. */
    private static long blockBytes(SharedMemory shm, long payload) {
        return BlockLayout.size(TestAccess.context(shm).memory().getLong(BlockLayout.blockOf(payload)));
    }

    private static void assertHeld(SharedMemory shm, long objects, long bytes, String what) {
        ProcessStats stats = shm.processStats();
        assertEquals(objects, stats.objectsHeld(), what + ": " + stats);
        assertEquals(bytes, stats.bytesHeld(), what + ": " + stats);
    }

    @Test
    void aTakerHoldsWhatItTookByReferenceUntilItPassesItOnOrDestroysIt() {
        String name = regions.newName();
        try (SharedMemory producer = SharedMemory.create(name, 4 << 20);
             SharedMemory taker = SharedMemory.attach(name, TIMEOUT)) {
            SharedList<String> list = producer.share(new ArrayList<>(List.of("a", "b")));
            SharedTensor tensor = producer.newTensor(DType.FLOAT32, 300);
            Employee employee = producer.newObject(Employee.class);
            long listBytes = blockBytes(producer, ((ContainerView) list).offset());
            long tensorBytes = blockBytes(producer, tensor.blockOffset());
            long employeeBytes = blockBytes(producer, SharedObjects.blockOf(employee));
            assertTrue(listBytes != tensorBytes && tensorBytes != employeeBytes && listBytes != employeeBytes,
                    listBytes + "/" + tensorBytes + "/" + employeeBytes + ": three sizes tell the blocks apart");
            producer.putMessage(list);
            producer.putMessage(7L); // plain values are held by nobody
            producer.putMessage(tensor);
            producer.putMessage("a plain message too long for the slot, in a blob");
            producer.putMessage(employee);
            assertHeld(producer, 0, 0, "the producer made them, it took none");
            assertHeld(taker, 0, 0, "nothing taken yet");

            SharedList<String> takenList = taker.takeMessage();
            assertEquals(List.of("a", "b"), takenList);
            assertHeld(taker, 1, listBytes, "the list");
            assertEquals((Object) 7L, taker.takeMessage());
            assertHeld(taker, 1, listBytes, "a plain value");
            SharedTensor takenTensor = taker.takeMessage();
            assertEquals(tensor.blockOffset(), takenTensor.blockOffset());
            assertHeld(taker, 2, listBytes + tensorBytes, "and the tensor");
            taker.takeMessage();
            Employee takenEmployee = taker.takeMessage();
            assertHeld(taker, 3, listBytes + tensorBytes + employeeBytes, "and the live object");
            assertHeld(producer, 0, 0, "the producer holds none of them");

            taker.putMessage(takenList); // passed on: the queue holds it now
            assertHeld(taker, 2, tensorBytes + employeeBytes, "the list passed on");
            assertHeld(producer, 0, 0, "queued, held by nobody");
            SharedList<String> back = producer.takeMessage();
            assertEquals(List.of("a", "b"), back);
            assertHeld(producer, 1, listBytes, "the producer took the list back");

            taker.putMessage(takenEmployee);
            taker.putMessage(takenTensor);
            assertHeld(taker, 0, 0, "all passed on");
            producer.takeMessage();
            producer.takeMessage();
            assertHeld(producer, 3, listBytes + tensorBytes + employeeBytes, "the producer took them all");
            producer.destroy(back);
            assertHeld(producer, 2, tensorBytes + employeeBytes, "a destroyed object is held by nobody");
            producer.verify();
        }
    }

    @Test
    void everyPutAndTakeIsCountedWhetherTheMessageIsInlineOrInANode() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            Channel<Object> queue = shm.messages();
            ProcessStats before = shm.processStats();
            shm.putMessage(7L); // an empty queue and a value that fits a slot: the inline head
            ProcessStats one = shm.processStats();
            assertEquals(1, one.messagesPut() - before.messagesPut(), "inline");
            assertEquals(1, queue.size());
            shm.putMessage(8L); // the queue is not empty: a node
            ProcessStats two = shm.processStats();
            assertEquals(2, two.messagesPut() - before.messagesPut(), "in a node");
            assertEquals(2, queue.size());
            assertEquals(0, two.messagesTaken() - before.messagesTaken());
            assertEquals((Object) 7L, shm.takeMessage());
            ProcessStats took = shm.processStats();
            assertEquals(1, took.messagesTaken() - before.messagesTaken(), "the inline head");
            assertEquals(1, queue.size());
            assertEquals((Object) 8L, shm.takeMessage());
            ProcessStats tookBoth = shm.processStats();
            assertEquals(2, tookBoth.messagesTaken() - before.messagesTaken(), "the node");
            assertEquals(2, tookBoth.messagesPut() - before.messagesPut());
            assertEquals(0, queue.size());
            shm.close();
            assertThrows(RegionClosedException.class, queue::size, "the count of a closed region");
        }
    }

    @Test
    void aCountPastWhatTheHeapCouldHoldIsRefused() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionContext context = TestAccess.context(shm);
            RegionMemory memory = context.memory();
            HeapAllocator allocator = context.allocator();
            long most = (allocator.heapEnd() - allocator.heapStart()) / MessageQueueLayout.MIN_NODE_FOOTPRINT + 1;
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, most);
            assertEquals(most, MessageQueue.count(context), "one message per node the heap could hold, and the inline head");
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, most + 1);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> MessageQueue.count(context));
            assertTrue(e.getMessage().contains("message count " + (most + 1)), e.getMessage());
            memory.putLong(MessageQueueLayout.COUNT_OFFSET, 0);
            a.verify();
        }
    }

    @Test
    void aTailThatIsNotAMessageNodeIsRefusedBeforeAnythingIsLinkedToIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            a.putMessage("the first message, in a node of its own and not inline");
            a.putMessage("the second message, the queue's tail");
            long tail = memory.getLong(MessageQueueLayout.TAIL_OFFSET);
            assertNotEquals(memory.getLong(MessageQueueLayout.HEAD_OFFSET), tail);
            long other = a.allocateAligned(MessageQueueLayout.NODE_BYTES, MessageQueueLayout.NODE_ALIGNMENT);
            memory.putLong(other + MessageQueueLayout.NEXT_OFFSET, 0); // links nowhere, as a tail does
            memory.putLong(MessageQueueLayout.TAIL_OFFSET, other);
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> a.putMessage(9L));
            assertTrue(e.getMessage().contains("queue tail " + other), e.getMessage());
            assertEquals(0, memory.getLong(other + MessageQueueLayout.NEXT_OFFSET), "nothing was linked to it");
            assertEquals(2, a.messageCount());
            memory.putLong(MessageQueueLayout.TAIL_OFFSET, tail);
            a.free(other);
            a.putMessage(9L);
            assertEquals(3, a.messageCount());
            a.verify();
        }
    }
}
