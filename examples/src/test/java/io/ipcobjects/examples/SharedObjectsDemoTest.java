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

/** Runs the demo as a user would (a creator JVM that starts a consumer JVM) and checks what each printed. */
class SharedObjectsDemoTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void theCreatorSeesEveryChangeTheConsumerMakes() {
        String name = regions.newName();
        try (ChildJvm demo = ChildJvm.start(List.of("-Dipcobjects.demo.region=" + name), SharedObjectsDemo.class)) {
            ChildJvm.Result r = demo.awaitSuccess(Duration.ofSeconds(120));
            assertEquals("0", r.value("consumerExit"), r.describe());
            assertEquals("9", r.value("creatorSaw"), r.describe());
            String out = r.stdout();
            assertTrue(out.contains("took message: someProcessingStageControl=false, intValue=18, someString=hello"),
                    r.describe());
            assertTrue(out.contains("someArray=SharedTensor[1, 2, 3, 4, 5]"), r.describe());
            List<String> seen = r.lines().stream().filter(l -> l.contains("] sees change ")).toList();
            assertEquals(List.of(
                    "sees change 1: someDict.get(\"key1\") = 100",
                    "sees change 2: someDict.get(List.of(1, 2)) = changed",
                    "sees change 3: someArray = [1, 2, 300, 4, 5]",
                    "sees change 4: company.offices = [Berlin, Tokyo, Paris]",
                    "sees change 5: company.metrics.get(\"rating\") = 5.0",
                    "sees change 6: company.ceo.skills = [java, rust]",
                    "sees change 7: company.history = [2025, founded]",
                    "sees change 8: company.ceo.yearsOfEmployment = 13",
                    "sees change 9: someProcessingStageControl = true"),
                    seen.stream().map(l -> l.substring(l.indexOf("sees change "))).toList(), r.describe());
            // each change is printed by the consumer before the creator sees it
            List<String> lines = r.lines();
            for (int k = 1; k <= 9; k++) {
                int made = indexOf(lines, "] change " + k + ": ");
                int saw = indexOf(lines, "] sees change " + k + ": ");
                assertTrue(made >= 0 && made < saw, "change " + k + "\n" + r.describe());
            }
            assertTrue(out.contains("finally: someProcessingStageControl=true"), r.describe());
            assertTrue(out.contains("ceo=Ada(13 years) skills=[java, rust]"), r.describe());
        }
        assertFalse(Files.exists(Path.of("/dev/shm/ipcobjects-" + name)));
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }
}
