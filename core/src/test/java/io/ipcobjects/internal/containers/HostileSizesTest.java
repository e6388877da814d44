package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sizes a container's header gives (its own block, its element block, its table's capacity) come
 * from the region: a crafted region whose header block is too small for a header, or whose
 * capacity is one more than its block holds, is refused when the container is read, and when it
 * is released or destroyed, before anything past the block is read or freed. (A refused destroy
 * leaves the container marked destroyed: the region is damaged anyway; only the heap is checked.)
 */
class HostileSizesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The slot of {@code holder}'s element {@code index}. */
    private static long elementSlot(RegionMemory memory, SharedList<Object> holder, int index) {
        long elements = memory.getLong(((ContainerView) holder).offset() + ListLayout.ELEMENTS_OFFSET);
        return ListLayout.slotOffset(elements, index);
    }

    @Test
    void aListOrMapSlotPointingAtABlockTooSmallForAHeaderIsRefusedWhenReleased() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            HeapAllocator allocator = TestAccess.context(shm).allocator();
            Object[] inners = {new ArrayList<>(List.of(1L)), new HashMap<>(Map.of("k", 1L))};
            int[] tags = {BlockTypes.LIST, BlockTypes.HASH};
            for (int i = 0; i < inners.length; i++) {
                List<Object> values = new ArrayList<>();
                values.add(inners[i]);
                SharedList<Object> holder = a.share(values);
                long slot = elementSlot(memory, holder, 0);
                long real = memory.getLong(slot + SlotLayout.BITS_OFFSET);
                // A block of the container's tag, of 16 bytes: room for an identity and a count, not a header.
                long small = allocator.allocate(16, tags[i]);
                assertEquals(16, allocator.checkBlock(small, tags[i]));
                memory.putLong(small + ContainerLayout.IDENTITY_OFFSET, 12345);
                memory.putLong(small + ContainerLayout.REFERENCES_OFFSET, 2);
                memory.putLong(slot + SlotLayout.BITS_OFFSET, small);
                CorruptedRegionException e = assertThrows(CorruptedRegionException.class, holder::clear, "tag " + tags[i]);
                assertTrue(e.getMessage().contains("container header block of 16 bytes"), e.getMessage());
                assertEquals(2, memory.getLong(small + ContainerLayout.REFERENCES_OFFSET), "no count was changed");
                assertEquals(1, holder.size());
                memory.putLong(slot + SlotLayout.BITS_OFFSET, real);
                allocator.free(small);
                holder.clear();
                a.destroy(holder);
            }
            a.verify();
        }
    }

    @Test
    void aListCapacityOneMoreThanItsBlockHoldsIsRefusedOnReadAndOnRelease() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            HeapAllocator allocator = TestAccess.context(shm).allocator();
            List<Object> values = new ArrayList<>();
            values.add(new ArrayList<>(List.of(1L, 2L, 3L)));
            SharedList<Object> holder = a.share(values);
            SharedList<Object> inner = a.get(holderName(a, holder));
            long header = ((ContainerView) inner).offset();
            long elements = memory.getLong(header + ListLayout.ELEMENTS_OFFSET);
            long capacity = memory.getLong(header + ListLayout.CAPACITY_OFFSET);
            long fits = allocator.checkBlock(elements, BlockTypes.LIST_ELEMENTS) / SlotLayout.SLOT_BYTES;
            assertTrue(capacity <= fits, capacity + " <= " + fits);
            memory.putLong(header + ListLayout.CAPACITY_OFFSET, fits + 1);
            CorruptedRegionException read = assertThrows(CorruptedRegionException.class, () -> inner.get(0));
            assertTrue(read.getMessage().contains("list capacity " + (fits + 1) + " exceeds its block"), read.getMessage());
            a.remove("inner");
            CorruptedRegionException released = assertThrows(CorruptedRegionException.class, holder::clear);
            assertTrue(released.getMessage().contains("do not fit its block"), released.getMessage());
            assertEquals(elements, memory.getLong(header + ListLayout.ELEMENTS_OFFSET), "nothing freed");
            allocator.checkBlock(elements, BlockTypes.LIST_ELEMENTS); // still a used element block
            allocator.verify(); // the heap itself is intact: nothing past the block was freed
        }
    }

    @Test
    void aTableCapacityPastItsBlockIsRefusedOnReadAndOnRelease() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            HeapAllocator allocator = TestAccess.context(shm).allocator();
            List<Object> values = new ArrayList<>();
            values.add(new HashMap<>(Map.of("k", 1L)));
            SharedList<Object> holder = a.share(values);
            SharedMap<String, Object> map = (SharedMap<String, Object>) holder.get(0);
            a.put("inner", map);
            long header = ((ContainerView) map).offset();
            long table = memory.getLong(header + HashLayout.TABLE_OFFSET);
            long capacity = memory.getLong(header + HashLayout.CAPACITY_OFFSET);
            long fits = allocator.checkBlock(table, BlockTypes.HASH_TABLE) / HashLayout.MAP_ENTRY_BYTES;
            assertTrue(capacity <= fits && 2 * capacity > fits, capacity + " of " + fits);
            memory.putLong(header + HashLayout.CAPACITY_OFFSET, 2 * capacity); // still a power of two
            CorruptedRegionException read = assertThrows(CorruptedRegionException.class, () -> map.get("k"));
            assertTrue(read.getMessage().contains("hash capacity " + 2 * capacity + " exceeds its block"), read.getMessage());
            a.remove("inner");
            CorruptedRegionException released = assertThrows(CorruptedRegionException.class, holder::clear);
            assertTrue(released.getMessage().contains("hash capacity " + 2 * capacity + " exceeds its block"),
                    released.getMessage());
            allocator.checkBlock(table, BlockTypes.HASH_TABLE); // still a used table block
            allocator.verify(); // the heap itself is intact: nothing past the block was freed
        }
    }

    /** Names {@code holder}'s first element "inner" (a second reference) and returns the name. */
    private static String holderName(Access a, SharedList<Object> holder) {
        a.put("inner", holder.get(0));
        return "inner";
    }
}
