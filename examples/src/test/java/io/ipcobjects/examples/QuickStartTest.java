package io.ipcobjects.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.nd4j.SharedNd4j;
import io.ipcobjects.testing.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The README's quick start, as written there, with the consumer in a real child JVM. */
class QuickStartTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The README's consumer process; args: region name. */
    public static final class Consumer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                SharedMap<String, Object> state;
                SharedTensor weights;
                try (Access a = shm.acquire()) { state = a.takeMessage(); weights = a.get("weights"); }
                INDArray w = SharedNd4j.view(weights);                      // zero-copy (nd4j-binding)
                for (int i = 0; i < 100; i++) {
                    w.addi(1.0f);                                           // tensor bytes: not under the lock
                    try (Access a = shm.acquire()) { state.put("step", (Long) state.get("step") + 1); }
                }
            }
        }
    }

    @Test
    void theQuickStartRunsAsWritten() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 256L << 20)) {
            try (ChildJvm consumer = ChildJvm.start(Consumer.class, name)) {
                shm.awaitConsumers(1, Duration.ofSeconds(60));
                SharedMap<String, Object> state;
                try (Access a = shm.acquire()) {
                    state = a.putMessage(new HashMap<>(Map.of("step", 0L, "loss", 0.0)));
                    a.put("weights", new float[1 << 20]);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (true) {
                    try (Access a = shm.acquire()) { if ((Long) state.get("step") >= 100) break; }
                    assertTrue(System.nanoTime() < deadline, "the consumer did not reach step 100");
                    Thread.onSpinWait();
                }
                ChildJvm.Result result = consumer.awaitSuccess(Duration.ofSeconds(60));
                SharedTensor weights = shm.get("weights");
                assertEquals(100f, weights.getFloatAt(0), "every addi of the consumer landed in shared memory");
                assertEquals(100f, weights.getFloatAt((1 << 20) - 1));
                assertEquals(0.0, state.get("loss"));
            }
        }
    }
}
