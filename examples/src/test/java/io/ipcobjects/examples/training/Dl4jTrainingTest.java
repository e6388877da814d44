package io.ipcobjects.examples.training;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;

import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Runs the DL4J training example as a user would (its own JVM, which starts the trainer) with small sizes. */
class Dl4jTrainingTest {

    @Test
    void theTrainerJvmTrainsOverTheProducersDatasetAndTheScoreGoesDown() {
        try (ChildJvm example = ChildJvm.start(Dl4jTraining.class, "--samples", "4000", "--batch", "64", "--epochs", "3")) {
            ChildJvm.Result r = example.awaitSuccess(Duration.ofSeconds(300));
            assertEquals("true", r.value("scoreWentDown"), r.describe());
            String scores = r.value("epochScores");
            assertNotNull(scores, r.describe());
            double[] perEpoch = Arrays.stream(scores.substring(1, scores.length() - 1).split(", "))
                    .mapToDouble(Double::parseDouble).toArray();
            assertEquals(3, perEpoch.length, r.describe());
            assertTrue(perEpoch[2] < perEpoch[0], "the last epoch's score is below the first's\n" + r.describe());
            assertTrue(r.stdout().contains("[trainer] epoch 3/3: score"), r.describe());
        }
    }
}
