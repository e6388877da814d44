package io.ipcobjects.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ipcobjects.DType;
import io.ipcobjects.HeapStats;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.testing.TestRegions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tensor rings in one process: claim, publish, take, release, in order, without allocating. */
class TensorRingTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void slotsGoRoundInPublishOrderWithTheirTagsAndData() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 8 << 20)) {
            TensorRing ring = shm.tensorRing("batches", 3, List.of(new TensorSpec(DType.FLOAT32, 4, 8),
                    new TensorSpec(DType.INT64, 4)));
            HeapStats before = shm.stats();
            for (int round = 0; round < 100; round++) {
                for (int i = 0; i < 3; i++) {
                    TensorRing.Slot slot = ring.claim();
                    slot.tensor(0).setDouble(round * 10 + i, 3, 7);
                    slot.tensor(1).setDouble(round, 2);
                    slot.publish(round * 10L + i);
                }
                assertNull(ring.claim(Duration.ofMillis(5)), "every slot is published");
                assertEquals(3, ring.published());
                for (int i = 0; i < 3; i++) {
                    try (TensorRing.Slot slot = ring.take(Duration.ofSeconds(5))) {
                        assertEquals(round * 10L + i, slot.tag(), "publish order");
                        assertEquals(round * 10 + i, slot.tensor(0).getDouble(3, 7));
                        assertEquals(round, slot.tensor(1).getDouble(2));
                    }
                }
                assertNull(ring.poll());
            }
            assertEquals(before.usedBytes(), shm.stats().usedBytes(), "no allocation per batch");
            shm.verify();
        }
    }

    @Test
    void viewsAreMadeOnceAndSlotsAreGivenBackByClose() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            TensorRing ring = shm.tensorRing("r", 2, DType.FLOAT64, 16);
            Set<Integer> seen = new HashSet<>();
            TensorRing.Slot a = ring.claim();
            TensorRing.Slot b = ring.claim();
            seen.add(a.index());
            seen.add(b.index());
            assertEquals(Set.of(0, 1), seen);
            assertSame(a.tensor(), a.tensor(0));
            assertThrows(IndexOutOfBoundsException.class, () -> a.tensor(1));
            assertThrows(IllegalStateException.class, a::release, "a claimed slot is published, not released");
            a.close(); // gives the claimed slot back unpublished
            TensorRing.Slot again = ring.claim(Duration.ofSeconds(1));
            assertNotNull(again);
            assertEquals(a.index(), again.index());
            assertSame(a.tensor(), again.tensor(), "the same view every time");
            again.publish();
            b.publish();
            TensorRing.Slot taken = ring.take();
            assertThrows(IllegalStateException.class, () -> taken.publish(1));
            taken.release();
            assertThrows(IllegalStateException.class, taken::release);
            ring.take().close();
            assertEquals(0, ring.published());
        }
    }

    @Test
    void openingChecksNameAndSpecs() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            TensorRing ring = shm.tensorRing("r", 2, DType.FLOAT32, 8, 8);
            assertSame(ring, shm.tensorRing("r"));
            assertSame(ring, shm.tensorRing("r", 2, DType.FLOAT32, 8, 8));
            assertThrows(IllegalArgumentException.class, () -> shm.tensorRing("r", 3, DType.FLOAT32, 8, 8));
            assertThrows(IllegalArgumentException.class, () -> shm.tensorRing("r", 2, DType.FLOAT64, 8, 8));
            assertThrows(NoSuchElementException.class, () -> shm.tensorRing("missing"));
            assertThrows(IllegalArgumentException.class, () -> shm.tensorRing("zero", 0, DType.FLOAT32, 8));
            assertThrows(IllegalArgumentException.class, () -> new TensorSpec(DType.FLOAT32, 0));
            shm.channel("c", String.class, 4);
            assertThrows(io.ipcobjects.UnexpectedTypeException.class, () -> shm.tensorRing("c"));
        }
    }
}
