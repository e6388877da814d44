package io.ipcobjects.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A trainer JVM killed with its loader open: its workers notice and halt, none is left running. */
@Timeout(120)
class TrainerGoneTest {
    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The trainer: builds a loader with two workers, prints their pids, takes a batch and waits to be killed. */
    public static final class TrainerJvm {
        private TrainerJvm() {
        }

        public static void main(String[] args) throws Exception {
            SharedMemory shm = SharedMemory.create(args[0], 16L << 20);
            DataLoader loader = DataLoader.builder(shm, RecordingSource.class)
                    .workers(2).samples(1000).batchSize(10)
                    .part(DType.INT64).part(DType.FLOAT32, RecordingSource.FEATURES)
                    .sourceArg("log", args[1])
                    .build();
            loader.epoch().next().close(); // the workers are up
            System.out.println("workers=" + loader.workerPids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow());
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void killingTheTrainerEndsItsWorkers() throws Exception {
        try (ChildJvm trainer = ChildJvm.start(TrainerJvm.class, regions.newName(), regions.newPath("loader-log").toString())) {
            ChildJvm.awaitCondition(() -> trainer.stdoutSoFar().contains("workers="), Duration.ofSeconds(60),
                    "the trainer's worker pids", trainer);
            String line = trainer.stdoutSoFar().lines().filter(l -> l.startsWith("workers=")).findFirst().orElseThrow();
            List<Long> pids = Arrays.stream(line.substring("workers=".length()).split(",")).map(Long::parseLong).toList();
            assertEquals(2, pids.size());
            trainer.process().destroyForcibly(); // the trainer only: its workers must see it go
            trainer.process().waitFor();
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (long pid : pids) {
                ProcessHandle worker = ProcessHandle.of(pid).orElse(null);
                if (worker != null) {
                    worker.onExit().get(Math.max(1, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
                }
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " outlived its trainer");
            }
        }
    }
}
