package io.ipcobjects.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.examples.tensors.DatasetLoader;
import io.ipcobjects.examples.tensors.TrainingPipeline;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every example's command line, as picocli reads it, in the example's own JVM (so its exit code is real). */
class CommandLineTest {

    private static ChildJvm.Result run(Class<?> example, String... args) {
        try (ChildJvm child = ChildJvm.start(example, args)) {
            return child.await(Duration.ofSeconds(120));
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {TensorDemo.class, CounterDemo.class, TrainingPipeline.class, DatasetLoader.class})
    void anUnknownOptionExitsWithPicocliMessage(Class<?> example) {
        ChildJvm.Result r = run(example, "--sample", "3");
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("Unknown options: '--sample', '3'"), r.describe());
        assertFalse(r.stdout().contains("creator") || r.stdout().contains("loader") || r.stdout().contains("publisher"),
                "nothing ran: " + r.describe());
    }

    @ParameterizedTest
    @ValueSource(classes = {TensorDemo.class, CounterDemo.class, TrainingPipeline.class, DatasetLoader.class})
    void helpListsTheOptionsWithTheirDefaults(Class<?> example) {
        ChildJvm.Result r = run(example, "--help");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("Usage: " + example.getSimpleName()), r.describe());
        assertTrue(r.stdout().contains("-h, --help"), r.describe());
        assertTrue(r.stdout().contains("Default: "), r.describe());
    }

    @org.junit.jupiter.api.Test
    void aMalformedValueExitsWithPicocliMessage() {
        ChildJvm.Result r = run(TensorDemo.class, "--batches", "many");
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("Invalid value for option '--batches': 'many' is not an int"), r.describe());
    }

    @org.junit.jupiter.api.Test
    void aValueOutOfRangeExitsWithTheRange() {
        ChildJvm.Result r = run(TensorDemo.class, "--workers", "0");
        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("--workers 1 to 8"), r.describe());
    }
}
