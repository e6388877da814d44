package io.ipcobjects.internal.tensor;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every field of a tensor header that a hostile or broken writer could set is checked before use. */
class CorruptedTensorHeaderTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private void assertCorrupt(String expectedWords, BiConsumer<RegionMemory, Long> damage) {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            SharedTensor t = shm.newTensor(DType.FLOAT32, 4, 8);
            damage.accept(TestAccess.context(shm).memory(), t.blockOffset());
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, () -> shm.tensorAt(t.blockOffset()));
            assertTrue(e.getMessage().contains(expectedWords), e.getMessage());
        }
    }

    @Test
    void unknownDtype() {
        assertCorrupt("dtype", (m, b) -> m.putInt(b + TensorLayout.DTYPE_OFFSET, 99));
    }

    @Test
    void rankOutOfRangeOrBeyondTheBlock() {
        assertCorrupt("rank", (m, b) -> m.putInt(b + TensorLayout.RANK_OFFSET, -1));
        assertCorrupt("rank", (m, b) -> m.putInt(b + TensorLayout.RANK_OFFSET, 33));
    }

    @Test
    void negativeDimension() {
        assertCorrupt("negative", (m, b) -> m.putLong(b + TensorLayout.SHAPE_OFFSET, -4));
    }

    @Test
    void shapeWhoseBytesOverflow() {
        assertCorrupt("overflows", (m, b) -> {
            m.putLong(b + TensorLayout.SHAPE_OFFSET, Long.MAX_VALUE / 2);
            m.putLong(b + TensorLayout.stridesOffset(2), Long.MAX_VALUE / 2);
        });
    }

    @Test
    void shapeWhoseByteSizeExceedsTheBlock() {
        assertCorrupt("outside its block", (m, b) -> {
            m.putLong(b + TensorLayout.SHAPE_OFFSET, 1L << 30);
            m.putLong(b + TensorLayout.SPAN_BYTES_OFFSET, (1L << 30) * 8 * 4);
        });
    }

    @Test
    void spanThatDisagreesWithTheShape() {
        assertCorrupt("span", (m, b) -> m.putLong(b + TensorLayout.SPAN_BYTES_OFFSET, 4));
    }

    @Test
    void dataOffsetOutsideOrMisaligned() {
        assertCorrupt("outside its block", (m, b) -> m.putLong(b + TensorLayout.DATA_OFFSET_OFFSET, 64));
        assertCorrupt("aligned", (m, b) -> m.putLong(b + TensorLayout.DATA_OFFSET_OFFSET,
                m.getLong(b + TensorLayout.DATA_OFFSET_OFFSET) + 4));
    }

    @Test
    void baseBlockThatIsNotATensor() {
        assertCorrupt("block", (m, b) -> m.putLong(b + TensorLayout.BASE_BLOCK_OFFSET, 4096));
        assertCorrupt("itself", (m, b) -> m.putLong(b + TensorLayout.BASE_BLOCK_OFFSET, b));
    }

    @Test
    void anOffsetThatIsNoTensorBlock() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 16L << 20)) {
            long raw;
            try (var a = shm.acquire()) {
                raw = a.allocate(256);
            }
            assertThrows(CorruptedRegionException.class, () -> shm.tensorAt(raw));
            assertThrows(CorruptedRegionException.class, () -> shm.tensorAt(12345));
            assertThrows(CorruptedRegionException.class, () -> shm.tensorAt(-64));
        }
    }
}
