package io.ipcobjects.internal.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ipcobjects.Access;
import io.ipcobjects.FrozenMap;
import io.ipcobjects.FrozenSet;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.testing.TestRegions;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot view checks its tuple without the lock, then decodes it under the lock: the block
 * is checked again there, so a snapshot destroyed (and its block reused) in between gives
 * ObjectDestroyedException, never the data of the object now in that block.
 */
class SnapshotRecheckTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aSnapshotDestroyedAndReusedWhileItsReaderWaitsForTheLockIsReportedDestroyed() throws Exception {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            FrozenMap<String, Object> mine = shm.share(FrozenMap.of(Map.of("secret", "mine")));
            CompletableFuture<Object> reader;
            try (Access a = shm.acquire()) {
                // The reader passes the unlocked check now and waits for the lock this thread holds.
                reader = CompletableFuture.supplyAsync(() -> mine.get("secret"));
                Thread.sleep(300);
                a.destroy(mine);
                FrozenMap<String, Object> theirs = a.share(FrozenMap.of(Map.of("secret", "theirs")));
                assertEquals(((ContainerView) mine).offset(), ((ContainerView) theirs).offset(), "the block was reused");
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> reader.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ObjectDestroyedException.class, e.getCause());
        }
    }

    @Test
    void aBlockReusedAsAnotherKindIsReportedDestroyedEvenIfItsBytesMatch() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionMemory memory = TestAccess.context(shm).memory();
            FrozenSet<Object> mine = a.share(FrozenSet.of(Set.of("only")));
            long tuple = ((ContainerView) mine).offset();
            long identity = ((ContainerView) mine).identity();
            a.destroy(mine);
            long raw = a.allocate(TupleLayout.blockBytes(1));
            assertEquals(tuple, raw, "the block was reused");
            memory.putLong(raw + TupleLayout.COUNT_OFFSET, 1);
            memory.putLong(raw + TupleLayout.IDENTITY_OFFSET, identity); // the application's bytes happen to match
            assertThrows(ObjectDestroyedException.class, () -> mine.contains("only"));
        }
    }
}
