package io.ipcobjects.examples.training;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The worker-fed examples end to end: a trainer JVM, its loader's worker JVMs, a loss that goes down, a clean exit. */
class WorkerFedTrainingTest {

    @Test
    void djlEasyTrainFitLearnsFromBatchesMadeByWorkerJvms() {
        try (ChildJvm trainer = ChildJvm.builder(WorkerFedDjlTraining.class).maxHeap("1g")
                .args("--samples", "3000", "--epochs", "3", "--workers", "2").start()) {
            ChildJvm.Result r = trainer.awaitSuccess(Duration.ofMinutes(5));
            assertTrue(r.stdout().contains("lossWentDown=true"), r.describe());
            List<String> epochs = r.lines().stream().filter(l -> l.startsWith("epoch ")).toList();
            assertEquals(3, epochs.size(), r.describe());
            assertEquals("0", r.value("workersReplaced"), r.describe());
            assertTrue(Double.parseDouble(r.value("finalAccuracy")) > 0.5, r.describe());
        }
    }

    @Test
    void dl4jFitLearnsFromBatchesMadeByWorkerJvms() {
        try (ChildJvm trainer = ChildJvm.builder(WorkerFedDl4jTraining.class).maxHeap("1g")
                .args("--samples", "3000", "--epochs", "3", "--workers", "2").start()) {
            ChildJvm.Result r = trainer.awaitSuccess(Duration.ofMinutes(5));
            assertTrue(r.stdout().contains("scoreWentDown=true"), r.describe());
            List<String> epochs = r.lines().stream().filter(l -> l.startsWith("epoch ")).toList();
            assertEquals(3, epochs.size(), r.describe());
            assertEquals("0", r.value("workersReplaced"), r.describe());
        }
    }
}
