package io.ipcobjects.internal.lock;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.testing.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lock scope's one-shot operations (a call outside {@code acquire()} takes the lock for
 * itself) give the lock back on every path, and a handle reports its closing and closed states
 * as they are.
 */
class LockScopeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Whether another thread can take the lock at once: nobody holds it. */
    private static boolean freeForAnotherThread(SharedMemory shm) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try (Access a = shm.tryAcquire(Duration.ZERO)) {
                return a != null;
            }
        }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void assertReleased(SharedMemory shm, String after) throws Exception {
        assertFalse(shm.isHeldByCurrentThread(), "still held after " + after);
        assertTrue(freeForAnotherThread(shm), "another thread could not take the lock after " + after);
    }

    @Test
    void everyOneShotOperationGivesTheLockBack() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            assertEquals(5L, (Long) shm.putMessage(5L));
            assertReleased(shm, "putMessage");
            assertEquals(5L, shm.takeMessage(Long.class), "the typed take returns the message");
            assertReleased(shm, "takeMessage(Class)");
            shm.putMessage("a message in a node");
            assertEquals("a message in a node", shm.takeMessage(TIMEOUT));
            assertReleased(shm, "takeMessage(Duration)");
            List<Object> list = shm.share(new ArrayList<>());
            assertReleased(shm, "share");
            list.add(7L);
            assertReleased(shm, "list.add");
            assertEquals(7L, list.get(0));
            assertReleased(shm, "list.get");
            assertEquals(1, list.size());
            assertReleased(shm, "list.size");
            Map<Object, Object> map = shm.share(new HashMap<>());
            map.put("k", 1L);
            assertReleased(shm, "map.put");
            assertEquals(1L, map.get("k"));
            map.clear();
            assertReleased(shm, "map.clear");
            assertTrue(map.isEmpty());
            try (Access a = shm.acquire()) {
                list.add(8L); // inside a scope: no lock of its own, the scope keeps holding
                assertTrue(shm.isHeldByCurrentThread());
                assertEquals(2, list.size());
                assertTrue(shm.isHeldByCurrentThread());
            }
            assertReleased(shm, "the scope");
        }
    }

    @Test
    void aConsumerSeesTheCreatorClosingAndItsOwnClose() throws Exception {
        String name = regions.newName();
        SharedMemory creator = SharedMemory.create(name, 1 << 20);
        SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
        assertFalse(consumer.isClosing());
        assertFalse(consumer.isClosed());
        assertFalse(creator.isClosing());
        CompletableFuture<Void> closing = CompletableFuture.runAsync(creator::close);
        ChildJvm.awaitCondition(consumer::isClosing, TIMEOUT, "the consumer to see the creator closing");
        assertFalse(consumer.isClosed(), "closing, not closed: the consumer still finishes its work");
        consumer.close();
        assertTrue(consumer.isClosed());
        assertTrue(consumer.isClosing());
        closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(creator.isClosed());
        assertTrue(creator.isClosing());
    }

    @Test
    void aClosedHandleIsClosingAtOnce() {
        String name = regions.newName();
        try (SharedMemory creator = SharedMemory.create(name, 1 << 20)) {
            SharedMemory consumer = SharedMemory.attach(name, TIMEOUT);
            consumer.close();
            assertTrue(consumer.isClosed());
            assertTrue(consumer.isClosing(), "a closed handle reports closing although the region is still ready");
            assertFalse(creator.isClosing());
        }
    }
}
