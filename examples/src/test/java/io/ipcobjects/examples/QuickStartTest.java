package io.ipcobjects.examples;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.nd4j.SharedNd4j;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The README's quick start, as written there (only the region name differs, and the creator
 * checks the weights before it closes), with the consumer in a real child JVM. A consumer that
 * dies fails the test at once with its output.
 */
class QuickStartTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** The README's consumer process; args: region name. */
    public static final class Consumer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                SharedMap<String, Object> state = shm.takeMessage(Duration.ofSeconds(30)); // waits for the creator's message, without the lock
                SharedTensor weights = shm.get("weights");                              // put in the same critical section as the message
                INDArray w = SharedNd4j.view(weights);                                  // zero-copy (nd4j-binding)
                for (int i = 0; i < 100; i++) {
                    w.addi(1.0f);                                                       // tensor bytes: not under the lock
                    try (Access a = shm.acquire()) { state.put("step", (Long) state.get("step") + 1); }
                }
            }
        }
    }

    /** The README's creator process; then the test's checks of what the consumer did, before the close. */
    private static void creator(String name) {
        try (SharedMemory shm = SharedMemory.create(name, 256L << 20)) {
            shm.awaitConsumers(1, Duration.ofSeconds(30));
            SharedMap<String, Object> state;
            try (Access a = shm.acquire()) {                                        // one critical section
                state = a.putMessage(new HashMap<>(Map.of("step", 0L, "loss", 0.0))); // a live view comes back
                a.put("weights", new float[1 << 20]);                               // a named 1-D tensor
            }
            while (true) {
                boolean consumerAttached = shm.consumerCount() > 0;                 // looked at before the step: no race with its exit
                try (Access a = shm.acquire()) { if ((Long) state.get("step") >= 100) break; }
                if (!consumerAttached) throw new IllegalStateException("the consumer left before step 100");
                Thread.onSpinWait();
            }
            // the test's checks
            SharedTensor weights = shm.get("weights");
            assertEquals(100f, weights.getFloatAt(0), "every addi of the consumer landed in shared memory");
            assertEquals(100f, weights.getFloatAt((1 << 20) - 1));
            assertEquals(0.0, state.get("loss"));
            assertEquals(100L, state.get("step"));
        }
    }

    @Test
    void theQuickStartRunsAsWritten() throws Exception {
        String name = regions.newName();
        try (ChildJvm consumer = ChildJvm.start(Consumer.class, name)) {
            CompletableFuture<Void> created = CompletableFuture.runAsync(() -> creator(name),
                    runnable -> Thread.ofPlatform().daemon().name("quick-start creator").start(runnable));
            ChildJvm.awaitCondition(created::isDone, Duration.ofSeconds(120), "the creator to finish", consumer);
            try {
                created.get();
            } catch (ExecutionException e) {
                consumer.close(); // ends it if it still waits; its output so far is kept
                throw new AssertionError("the creator failed; the consumer: " + consumer.await(Duration.ofSeconds(10)).describe(),
                        e.getCause());
            }
            consumer.awaitSuccess(Duration.ofSeconds(60));
        }
    }
}
