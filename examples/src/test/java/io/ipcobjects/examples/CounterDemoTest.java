package io.ipcobjects.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CounterDemoTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void threeProcessesTakeTurnsAndTheCreatorClosesTheRegion() {
        String name = regions.newName();
        try (ChildJvm demo = ChildJvm.start(List.of("-Dipcobjects.demo.region=" + name), CounterDemo.class)) {
            ChildJvm.Result result = demo.awaitSuccess(Duration.ofSeconds(120));
            List<String> turns = result.lines().stream().filter(line -> line.contains(" wrote ")).toList();
            assertEquals(12, turns.size(), result.describe());
            for (int i = 0; i < turns.size(); i++) {
                String who = i % 3 == 0 ? "[creator" : "[consumer " + (i % 3);
                assertTrue(turns.get(i).startsWith(who), "turn " + i + " belongs to " + who + ": " + turns.get(i));
                assertTrue(turns.get(i).endsWith("saw " + i + ", wrote " + (i + 1)), turns.get(i));
            }
            assertTrue(result.stdout().contains("final counter 12 (expected 12)"), result.describe());
            assertTrue(result.stdout().contains("closed; file removed"), result.describe());
        }
        assertFalse(Files.exists(Path.of("/dev/shm/ipcobjects-" + name)));
    }
}
