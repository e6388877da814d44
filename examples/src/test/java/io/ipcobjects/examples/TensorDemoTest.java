package io.ipcobjects.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.childjvm.ChildJvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Runs the first demo as a user would (its own JVM, which starts its workers), small, and reads its checks. */
class TensorDemoTest {

    @Test
    void workersViewScaleAndReportEveryBatchAndTheCreatorSeesTheirWrites() {
        try (ChildJvm demo = ChildJvm.start(TensorDemo.class, "--batches", "12", "--batch-size", "8", "--workers", "3")) {
            ChildJvm.Result r = demo.awaitSuccess(Duration.ofSeconds(300));
            String out = r.stdout();
            assertTrue(out.contains("creator: wrote 12 batches of [8, 3, 32, 32] float32 (1.2 MB) into the shared tensor "
                    + "\"images\" [12, 8, 3, 32, 32]"), r.describe());
            // worker w takes batches w, w + 3, ...: four each; even workers ND4J, odd ones DJL
            assertTrue(out.contains("creator: worker 0 (nd4j) checked 4 batches"), r.describe());
            assertTrue(out.contains("creator: worker 1 (djl) checked 4 batches"), r.describe());
            assertTrue(out.contains("creator: worker 2 (nd4j) checked 4 batches"), r.describe());
            assertTrue(out.contains("[worker 1] djl: 4 batches of [8, 3, 32, 32] (393.2 kB) viewed as NDArray"), r.describe());
            assertTrue(out.contains("[worker 0] nd4j: 4 batches of [8, 3, 32, 32] (393.2 kB) viewed as INDArray"), r.describe());
            assertTrue(out.contains("OK: 12 batches (1.2 MB) passed between 4 JVMs without a copy; 0 wrong sums, "
                    + "0 batches reported twice, 0 elements differ from the workers' in-place x -> 2x - 1"), r.describe());
            Matcher region = Pattern.compile("creator: region (\\S+),").matcher(out);
            assertTrue(region.find(), r.describe());
            assertFalse(Files.exists(Path.of(region.group(1))), "the creator's close removed " + region.group(1));
            // a logging binding is on the class path, and the workers got the creator's native-access flags
            assertFalse(r.stderr().contains("SLF4J"), r.describe());
            assertFalse(r.stderr().contains("WARNING: A restricted method"), r.describe());
        }
    }
}
