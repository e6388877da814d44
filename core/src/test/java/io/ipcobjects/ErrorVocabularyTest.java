package io.ipcobjects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Typed reads and the one error vocabulary of the API, through public calls only. */
class ErrorVocabularyTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    record Point(int x, int y) {
    }

    @Test
    void aTypedTakeOfTheWrongTypeNamesBothAndLeavesTheMessageQueued() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            shm.putMessage(new Point(1, 2));
            shm.putMessage(7L); // an inline value, then a struct: both paths of the queue
            UnexpectedTypeException e = assertThrows(UnexpectedTypeException.class, () -> shm.takeMessage(String.class));
            assertEquals(Point.class, e.storedType());
            assertEquals(String.class, e.expectedType());
            assertTrue(e.getMessage().contains(Point.class.getName()) && e.getMessage().contains("java.lang.String"),
                    e.getMessage());
            HeapStats before = shm.stats();
            try (Access a = shm.acquire()) {
                assertEquals(2, a.messageCount(), "the refused message is still queued");
                assertThrows(UnexpectedTypeException.class, () -> a.takeMessage(Long.class));
                assertEquals(before.usedBytes(), a.stats().usedBytes(), "and nothing was freed");
                assertEquals(new Point(1, 2), a.takeMessage(Point.class));
            }
            assertThrows(UnexpectedTypeException.class, () -> shm.takeMessage(Duration.ofSeconds(5), Integer.class));
            assertEquals(7L, shm.takeMessage(Duration.ofSeconds(5), Long.class), "the inline message stayed queued too");
        }
    }

    @Test
    void aTypedGetNamesTheStoredTypeAndNullStaysNull() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            shm.put("weights", new float[] {1, 2, 3});
            SharedTensor weights = shm.get("weights", SharedTensor.class);
            assertEquals(3, weights.elementCount());
            UnexpectedTypeException e = assertThrows(UnexpectedTypeException.class, () -> shm.get("weights", SharedMap.class));
            assertTrue(e.getMessage().contains("weights"), e.getMessage());
            assertNull(shm.get("missing", String.class));
            shm.put("nothing", null);
            assertNull(shm.get("nothing", String.class));
            assertInstanceOf(SharedTensor.class, shm.get("weights"), "the untyped read is unchanged");
        }
    }

    @Test
    void closedAndDestroyedAreBothIllegalStateExceptions() {
        SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20);
        SharedList<Object> list = shm.share(new ArrayList<>(List.of(1L, 2L)));
        SharedMap<Object, Object> map = shm.share(new java.util.HashMap<>(Map.of("k", 1L)));
        shm.destroy(list);
        ObjectDestroyedException destroyed = assertThrows(ObjectDestroyedException.class, list::size);
        assertInstanceOf(IllegalStateException.class, destroyed);
        assertThrows(ObjectDestroyedException.class, () -> shm.destroy(list), "destroying twice says so");
        shm.close();
        RegionClosedException closed = assertThrows(RegionClosedException.class, map::size);
        assertInstanceOf(IllegalStateException.class, closed);
        assertThrows(RegionClosedException.class, shm::acquire);
    }

    @Test
    void refusalsToStoreAreUnsupportedTypeExceptionsAndChangeNothing() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4L << 20)) {
            long used = shm.stats().usedBytes();
            UnsupportedTypeException notContainer = assertThrows(UnsupportedTypeException.class, () -> shm.share("text"));
            assertSame(String.class, notContainer.type());
            UnsupportedTypeException notTensor = assertThrows(UnsupportedTypeException.class, () -> shm.copyToTensor("text"));
            assertSame(String.class, notTensor.type());
            assertThrows(UnsupportedTypeException.class, () -> shm.putMessage(new Object()));
            assertThrows(UnsupportedTypeException.class, () -> shm.put("thread", Thread.currentThread()));
            assertEquals(used, shm.stats().usedBytes());
            assertEquals(0, shm.names().size());
            assertTrue(!shm.hasMessages());
        }
    }
}
