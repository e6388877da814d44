package io.ipcobjects.examples.training;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The example end to end: producer and trainer JVMs, loss per epoch going down, a clean exit. */
class DjlTrainingTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTrainerJvmTrainsOnWhatTheProducerJvmPublished(boolean sequential) {
        String[] args = sequential
                ? new String[] {"--samples", "2000", "--epochs", "3", "--sequential"}
                : new String[] {"--samples", "2000", "--epochs", "3"};
        try (ChildJvm producer = ChildJvm.start(DjlTraining.class, args)) {
            ChildJvm.Result r = producer.awaitSuccess(Duration.ofMinutes(5));
            assertEquals("0", r.value("trainerExitCode"), r.describe());
            assertTrue(r.stdout().contains("[trainer] lossWentDown=true"), r.describe());
            List<String> epochs = r.lines().stream().filter(l -> l.contains("] epoch ")).toList();
            assertEquals(3, epochs.size(), r.describe());
            assertTrue(r.stdout().contains(sequential ? "zero-copy view" : "gathered with one copy"), r.describe());
        }
    }

    @Test
    void helpListsTheOptions() {
        try (ChildJvm child = ChildJvm.start(DjlTraining.class, "--help")) {
            ChildJvm.Result r = child.await(Duration.ofSeconds(120));
            assertEquals(0, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains("--sequential"), r.describe());
        }
    }
}
