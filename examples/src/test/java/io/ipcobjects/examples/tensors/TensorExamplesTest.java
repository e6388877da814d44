package io.ipcobjects.examples.tensors;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;

import java.time.Duration;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** Runs each tensor example as a user would (its own JVM, which starts its workers) with small sizes. */
class TensorExamplesTest {

    @Test
    void trainingPipelineTrainsEveryBatchOnceWithMatchingSums() {
        try (ChildJvm example = ChildJvm.start(TrainingPipeline.class, "--batches", "30", "--slots", "3")) {
            ChildJvm.Result r = example.awaitSuccess(Duration.ofSeconds(240));
            assertEquals("30", r.value("trained"), r.describe());
            assertEquals("0", r.value("mismatches"), r.describe());
            assertTrue(r.stdout().contains("trainer djl: "), r.describe());
            assertTrue(r.stdout().contains("trainer nd4j: "), r.describe());
            // every batch was trained once by one of the two, every slot came back, every message was taken
            assertEquals(LongStream.range(0, 30).boxed().toList().toString(), r.value("trainedBatchIds"),
                    "the numbers of the batches trained, sorted: each of 0..29 exactly once\n" + r.describe());
            assertEquals("true", r.value("everyBatchOnce"), r.describe());
            assertEquals(30, Long.parseLong(r.value("trainedByDjl")) + Long.parseLong(r.value("trainedByNd4j")), r.describe());
            assertEquals("0", r.value("slotsPublished"), "every slot came back\n" + r.describe());
        }
    }

    @Test
    void datasetWorkersSeeWhatThePublisherWrote() {
        try (ChildJvm example = ChildJvm.start(DatasetLoader.class, "--samples", "1000", "--batch", "64")) {
            ChildJvm.Result r = example.awaitSuccess(Duration.ofSeconds(240));
            assertEquals("true", r.value("workersOk"), r.describe());
            for (int w = 0; w < 2; w++) {
                double expected = Double.parseDouble(r.value("expectedSum" + w));
                double seen = Double.parseDouble(r.value("worker" + w + "Sum"));
                assertTrue(expected > 0);
                assertEquals(expected, seen, expected * 1e-9, r.describe());
            }
            assertEquals("8", r.value("worker0Batches"), r.describe());
            assertEquals("8", r.value("worker1Batches"), r.describe());
            assertTrue(r.stdout().contains("worker 0 (nd4j) saw exactly what was written"), r.describe());
            assertTrue(r.stdout().contains("worker 1 (djl) saw exactly what was written"), r.describe());
        }
    }
}
