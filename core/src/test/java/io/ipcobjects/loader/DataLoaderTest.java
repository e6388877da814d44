package io.ipcobjects.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The loader with real worker JVMs running {@link RecordingSource}: every epoch exact (each
 * sample once, checked through the sample-id part and the features), batch order, a worker
 * killed or halting mid-epoch, a source that throws, backpressure, progress and shutdown.
 */
@Timeout(180)
class DataLoaderTest {
    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private SharedMemory region() {
        return SharedMemory.create(regions.newName(), 64L << 20);
    }

    private DataLoader.Builder loader(SharedMemory shm, long samples, int batch, Path log) {
        return DataLoader.builder(shm, RecordingSource.class)
                .samples(samples).batchSize(batch)
                .part(DType.INT64)
                .part(DType.FLOAT32, RecordingSource.FEATURES)
                .sourceArg("log", log.toString())
                .batchTimeout(Duration.ofSeconds(60));
    }

    /** Reads a whole epoch, checks each batch against its sample indices, returns the samples in the order they came. */
    private static List<Long> readEpoch(DataLoader loader, boolean batchOrder) {
        DataLoader.Epoch epoch = loader.epoch();
        List<Long> samples = new ArrayList<>();
        long expected = 0;
        while (epoch.hasNext()) {
            try (LoaderBatch batch = epoch.next()) {
                if (batchOrder) {
                    assertEquals(expected++, batch.index(), "batches come in order");
                }
                assertEquals(epoch.number(), batch.epoch());
                check(batch);
                for (long s : batch.sampleIndices()) {
                    samples.add(s);
                }
            }
        }
        assertEquals(loader.sampleCount(), samples.size(), "samples in the epoch");
        return samples;
    }

    private static void check(LoaderBatch batch) {
        SharedTensor ids = batch.tensor(0);
        SharedTensor features = batch.tensor(1);
        long[] indices = batch.sampleIndices();
        assertEquals(indices.length, batch.size());
        assertEquals(batch.size(), ids.shape(0));
        assertEquals(batch.size(), features.shape(0));
        for (int row = 0; row < indices.length; row++) {
            assertEquals(indices[row], ids.getLong(row), "sample id of row " + row + " of " + batch);
            for (int j = 0; j < RecordingSource.FEATURES; j++) {
                assertEquals(indices[row] + j / 4f, features.getFloat(row, j), "feature " + j + " of row " + row + " of " + batch);
            }
        }
    }

    private static void assertEverySampleOnce(List<Long> samples, long count) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        assertEquals(count, sorted.length);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i], "sample " + i + " exactly once");
        }
    }

    private static void assertAllGone(List<Long> pids) {
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " still runs");
        }
    }

    @Test
    void everyEpochHandsEverySampleOnceInBatchOrder() throws IOException {
        Path log = regions.newPath("loader-log");
        List<Long> pids;
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 1000, 64, log).workers(2).shuffle(true).seed(7).build()) {
            assertEquals(16, loader.batchesPerEpoch());
            assertEquals(64 * 8 + 64 * 4 * 4, loader.batchBytes());
            pids = loader.workerPids();
            assertEquals(2, pids.size());
            List<Long> first = readEpoch(loader, true);
            List<Long> second = readEpoch(loader, true);
            assertEverySampleOnce(first, 1000);
            assertEverySampleOnce(second, 1000);
            assertNotEquals(first, second, "a new order each epoch");
            assertEquals(0, loader.workersReplaced());
            long workersThatFilled = Files.readAllLines(log).stream().map(l -> l.split(" ")[1]).distinct().count();
            assertEquals(2, workersThatFilled, "both workers filled batches");
        }
        assertAllGone(pids);
    }

    @Test
    void withoutShufflingBatchBHoldsSamplesFromBTimesBatchSizeAndTheLastIsPartial() {
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 100, 30, regions.newPath("loader-log")).workers(1).build()) {
            DataLoader.Epoch epoch = loader.epoch();
            for (int b = 0; b < 4; b++) {
                try (LoaderBatch batch = epoch.next()) {
                    assertEquals(b < 3 ? 30 : 10, batch.size());
                    assertEquals(b * 30L, batch.tensor(0).getLong(0));
                    assertEquals(batch.size() * (8L + 16), batch.byteSize());
                }
            }
            assertFalse(epoch.hasNext());
            assertThrows(java.util.NoSuchElementException.class, epoch::next);
        }
    }

    @Test
    void inArrivalOrderEveryBatchStillComesOnce() {
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 2000, 16, regions.newPath("loader-log")).workers(3).shuffle(true).seed(3)
                     .deterministicOrder(false).build()) {
            assertEverySampleOnce(readEpoch(loader, false), 2000);
            assertEverySampleOnce(readEpoch(loader, false), 2000);
        }
    }

    @Test
    void aWorkerKilledMidEpochIsReplacedAndTheEpochIsStillExact() throws Exception {
        List<int[]> replaced = new CopyOnWriteArrayList<>();
        List<Long> pids;
        Path log = regions.newPath("loader-log");
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 600, 10, log).workers(2).shuffle(true).seed(11)
                     .sourceArg("delayMs", "20")
                     .listener(new LoaderListener() {
                         @Override
                         public void workerReplaced(int worker, long deadPid, int exitCode, long newPid, int batchesRedone) {
                             replaced.add(new int[] {worker, exitCode, batchesRedone});
                         }
                     }).build()) {
            long victim = loader.workerPids().get(0);
            DataLoader.Epoch epoch = loader.epoch();
            List<Long> samples = new ArrayList<>();
            while (epoch.hasNext()) {
                try (LoaderBatch batch = epoch.next()) {
                    check(batch);
                    for (long s : batch.sampleIndices()) {
                        samples.add(s);
                    }
                    if (batch.index() == 10) {
                        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
                    }
                }
            }
            assertEverySampleOnce(samples, 600);
            assertEquals(1, loader.workersReplaced());
            assertEquals(1, replaced.size());
            assertEquals(0, replaced.getFirst()[0]);
            assertEquals(137, replaced.getFirst()[1], "killed with SIGKILL");
            pids = loader.workerPids();
            assertNotEquals(victim, pids.get(0), "worker 0 is a new JVM");
            assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.startsWith("0 " + victim + " ")), "the victim filled batches first");
            assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.startsWith("0 " + pids.get(0) + " ")), "its replacement filled batches");
            assertEverySampleOnce(readEpoch(loader, true), 600);
        }
        assertAllGone(pids);
    }

    @Test
    void aWorkerThatDiesWhileFillingABatchIsReplacedAndTheBatchRedone() {
        List<int[]> replaced = new CopyOnWriteArrayList<>();
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 400, 8, regions.newPath("loader-log")).workers(2).shuffle(true).seed(5)
                     .sourceArg("haltAt", "0:20").sourceArg("haltMarker", regions.newPath("loader-halted").toString())
                     .listener(new LoaderListener() {
                         @Override
                         public void workerReplaced(int worker, long deadPid, int exitCode, long newPid, int batchesRedone) {
                             replaced.add(new int[] {worker, exitCode, batchesRedone});
                         }
                     }).build()) {
            assertEverySampleOnce(readEpoch(loader, true), 400);
            assertEquals(1, replaced.size());
            assertEquals(9, replaced.getFirst()[1], "Runtime.halt(9)");
            assertTrue(replaced.getFirst()[2] >= 1, "the batch it was filling is assigned again");
            assertEverySampleOnce(readEpoch(loader, true), 400);
        }
    }

    @Test
    void aSourceThatThrowsFailsTheLoaderWithTheWorkersOutputAndIsNotRestarted() {
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 400, 8, regions.newPath("loader-log")).workers(2)
                     .sourceArg("failAt", "0:3").build()) {
            DataLoader.Epoch epoch = loader.epoch();
            LoaderException e = assertThrows(LoaderException.class, () -> {
                while (epoch.hasNext()) {
                    epoch.next().close();
                }
            });
            assertTrue(e.getMessage().contains("failing on purpose at 0:3"), e.getMessage());
            assertTrue(e.getMessage().contains("exited with " + LoaderWorker.SOURCE_FAILED), e.getMessage());
            assertEquals(0, loader.workersReplaced());
            assertThrows(LoaderException.class, loader::epoch, "the loader stays failed");
        }
    }

    @Test
    void theWorkersStayWithinTheRingAndWaitForTheTrainer() throws Exception {
        Path log = regions.newPath("loader-log");
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 1000, 10, log).workers(2).slots(3).build()) {
            assertEquals(3, loader.slotCount());
            waitFor(() -> lines(log) >= 3, "three batches made ahead"); // once both workers have started
            Thread.sleep(1000);
            assertEquals(3, lines(log), "three slots, three batches made ahead, no more");
            waitFor(() -> loader.batchesReady() == 3, "three batches ready");
            DataLoader.Epoch epoch = loader.epoch();
            LoaderBatch held = epoch.next();
            Thread.sleep(1000);
            assertEquals(3, lines(log), "the batch the trainer holds still counts");
            assertEquals(2, loader.batchesReady(), "one handed over, two ready");
            held.close();
            waitFor(() -> lines(log) == 4, "one more batch once a slot is given back");
            Thread.sleep(500);
            assertEquals(4, lines(log));
            long n = 1;
            while (epoch.hasNext()) {
                try (LoaderBatch batch = epoch.next()) {
                    check(batch);
                    n++;
                }
            }
            assertEquals(100, n);
        }
    }

    @Test
    void leavingAnEpochEarlyStartsTheNextOneExact() {
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 500, 10, regions.newPath("loader-log")).workers(2).shuffle(true).seed(1).build()) {
            DataLoader.Epoch first = loader.epoch();
            for (int i = 0; i < 3; i++) {
                first.next().close();
            }
            List<Long> second = readEpoch(loader, true);
            assertFalse(first.hasNext(), "the left epoch is over");
            assertThrows(java.util.NoSuchElementException.class, first::next);
            assertEverySampleOnce(second, 500);
            assertEverySampleOnce(readEpoch(loader, true), 500);
        }
    }

    @Test
    void aLoaderOfTheSameNameStartsFromAnEmptyRing() throws Exception {
        try (SharedMemory shm = region()) {
            try (DataLoader first = loader(shm, 500, 10, regions.newPath("loader-log")).name("reused").workers(2)
                    .shuffle(true).seed(1).build()) {
                DataLoader.Epoch epoch = first.epoch();
                epoch.next().close();
                Thread.sleep(500); // the workers publish the slots ahead
            }
            try (DataLoader second = loader(shm, 500, 10, regions.newPath("loader-log")).name("reused").workers(2)
                    .shuffle(true).seed(2).build()) {
                assertEquals(0, second.ring().published(), "the first loader's batches are gone");
                assertEverySampleOnce(readEpoch(second, true), 500); // checks every batch against the second seed's plan
            }
        }
    }

    @Test
    void progressGoesToTheListenerAndTheLog() {
        List<LoaderProgress> progress = new CopyOnWriteArrayList<>();
        List<LoaderProgress> epochs = new CopyOnWriteArrayList<>();
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("io.ipcobjects");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Level before = jul.getLevel();
        jul.setLevel(java.util.logging.Level.ALL);
        jul.addHandler(handler);
        try (SharedMemory shm = region();
             DataLoader loader = loader(shm, 300, 10, regions.newPath("loader-log")).workers(2)
                     .progressInterval(Duration.ZERO)
                     .listener(new LoaderListener() {
                         @Override
                         public void progress(LoaderProgress p) {
                             progress.add(p);
                         }

                         @Override
                         public void epochFinished(LoaderProgress p) {
                             epochs.add(p);
                         }
                     }).build()) {
            readEpoch(loader, true);
            readEpoch(loader, true);
        } finally {
            jul.removeHandler(handler);
            jul.setLevel(before);
        }
        assertEquals(60, progress.size(), "one report per batch with a zero interval");
        assertTrue(progress.stream().allMatch(p -> p.batchesPerSecond() > 0 && p.bytesPerSecond() > 0), progress.toString());
        assertEquals(List.of(0L, 1L), epochs.stream().map(LoaderProgress::epoch).toList());
        assertTrue(epochs.stream().allMatch(p -> p.epochBatches() == 30 && p.batchesPerEpoch() == 30), epochs.toString());
        assertEquals(60, epochs.getLast().totalBatches());
        assertEquals(60 * 10 * (8 + 16), epochs.getLast().totalBytes());
        assertTrue(epochs.getFirst().trainerWaitShare() >= 0 && epochs.getFirst().trainerWaitShare() <= 1);
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.INFO
                && r.getMessage().contains("epoch 1: 30/30 batches") && r.getMessage().contains("batches/s")),
                logged.stream().map(LogRecord::getMessage).toList().toString());
    }

    @Test
    void closeStopsEveryWorkerEvenWhileTheTrainerHoldsBatches() throws Exception {
        List<Long> pids;
        try (SharedMemory shm = region()) {
            DataLoader loader = loader(shm, 1000, 10, regions.newPath("loader-log")).workers(3).slots(4).build();
            pids = loader.workerPids();
            DataLoader.Epoch epoch = loader.epoch();
            LoaderBatch held = epoch.next();
            Thread.sleep(500); // the workers wait for slots now
            long start = System.nanoTime();
            loader.close();
            assertTrue(System.nanoTime() - start < 15_000_000_000L, "close returns in time");
            assertAllGone(pids);
            assertThrows(IllegalStateException.class, loader::epoch);
            check(held); // still readable
            held.close();
            loader.close(); // twice is fine
        }
    }

    private static long lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).size() : 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
