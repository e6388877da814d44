package io.ipcobjects.internal.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.TestAccess;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tensor rings between real processes: batches written in place by producer JVMs reach a
 * consumer whole, each once, in each producer's order; a slot held by a process that died is
 * given back.
 */
class TensorRingProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final List<TensorSpec> SPECS = List.of(new TensorSpec(DType.INT32, 64, 256), new TensorSpec(DType.INT64, 1));
    private static final int BATCHES = 500;

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path signals;

    /** args: region, producer number. Publishes BATCHES batches whose every element says who and which. */
    public static final class Producer {
        public static void main(String[] args) {
            int producer = Integer.parseInt(args[1]);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                TensorRing ring = shm.tensorRing("batches");
                for (int b = 0; b < BATCHES; b++) {
                    TensorRing.Slot slot = ring.claim();
                    int value = producer * 1_000_000 + b;
                    var data = slot.tensor(0).segment();
                    for (long i = 0; i < data.byteSize() / 4; i++) {
                        data.setAtIndex(ValueLayout.JAVA_INT, i, value);
                    }
                    slot.tensor(1).segment().set(ValueLayout.JAVA_LONG, 0, value);
                    slot.publish(value);
                }
                System.out.println("published=" + BATCHES);
            }
        }
    }

    @Test
    void batchesFromTwoProducerProcessesArriveWholeOnceAndInOrder() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            TensorRing ring = shm.tensorRing("batches", 4, SPECS);
            BitSet[] seen = {new BitSet(), new BitSet()};
            int[] last = {-1, -1};
            try (ChildJvm p0 = ChildJvm.start(Producer.class, name, "0");
                 ChildJvm p1 = ChildJvm.start(Producer.class, name, "1")) {
                for (int n = 0; n < 2 * BATCHES; n++) {
                    TensorRing.Slot slot = ring.take(TIMEOUT);
                    assertNotNull(slot, "batch " + n + ": " + p0.stdoutSoFar() + p1.stdoutSoFar());
                    try (slot) {
                        int value = (int) slot.tag();
                        int producer = value / 1_000_000;
                        int batch = value % 1_000_000;
                        assertTrue(batch > last[producer], "producer order");
                        last[producer] = batch;
                        assertTrue(!seen[producer].get(batch), "once");
                        seen[producer].set(batch);
                        var data = slot.tensor(0).segment();
                        for (long i = 0; i < data.byteSize() / 4; i += 97) {
                            assertEquals(value, data.getAtIndex(ValueLayout.JAVA_INT, i));
                        }
                        assertEquals(value, slot.tensor(1).segment().get(ValueLayout.JAVA_LONG, 0));
                    }
                }
                ChildJvm.awaitAllSuccess(TIMEOUT, p0, p1);
            }
            assertEquals(BATCHES, seen[0].cardinality());
            assertEquals(BATCHES, seen[1].cardinality());
            assertNull(ring.poll());
            shm.verify();
        }
    }

    /** args: region, signal dir, "claim" or "take". Holds two slots and dies. */
    public static final class DiesHoldingSlots {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            TensorRing ring = shm.tensorRing("batches");
            List<TensorRing.Slot> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(args[2].equals("claim") ? ring.claim() : ring.take());
            }
            System.out.println("held=" + held.size());
            ReadySignal.signal(Path.of(args[1], "held"));
            Runtime.getRuntime().halt(0);
        }
    }

    @Test
    void slotsAProducerDiedHoldingComeBack() {
        slotsADeadProcessHeld("claim");
    }

    @Test
    void slotsAConsumerDiedHoldingComeBack() {
        slotsADeadProcessHeld("take");
    }

    private void slotsADeadProcessHeld(String how) {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            TensorRing ring = shm.tensorRing("batches", 3, SPECS);
            if (how.equals("take")) {
                for (int i = 0; i < 3; i++) {
                    ring.claim().publish(i);
                }
            }
            try (ChildJvm child = ChildJvm.start(DiesHoldingSlots.class, name, signals.toString(), how)) {
                ReadySignal.await(signals.resolve("held"), TIMEOUT, child);
                child.await(TIMEOUT);
            }
            if (how.equals("take")) {
                TensorRing.Slot third = ring.take(Duration.ofSeconds(5));
                assertEquals(2, third.tag(), "the dead consumer took the first two");
                third.release();
            }
            List<TensorRing.Slot> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                TensorRing.Slot slot = ring.claim(Duration.ofSeconds(30));
                assertNotNull(slot, "slot " + i + " comes back");
                all.add(slot);
            }
            all.forEach(TensorRing.Slot::close);
            shm.verify();
        }
    }

    /**
     * args: region, signal dir, "publishing" or "taking". Stops inside a publish (a claimed slot
     * and a claimed entry of the published ring, its index not yet committed) or inside a take
     * (the oldest published entry claimed, its slot not yet taken), or, "claiming", right after
     * the published entry's claim word, before the entry says WRITING, and dies.
     */
    public static final class DiesInsideThePublishedRing {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT);
            SharedTensorRing ring = (SharedTensorRing) shm.tensorRing("batches");
            int me = ring.owners().ownId();
            long position;
            if (args[2].equals("publishing")) {
                ring.claim();
                position = ring.publishedIndices().tryClaimPut(me);
            } else if (args[2].equals("claiming")) {
                // Dies between the CAS of the published entry's claim word and its mark: the entry stays FREE.
                ring.claim();
                position = ChannelProcessesTest.claimWithoutMarking(TestAccess.context(shm).memory(), ring.publishedIndices(), me);
            } else {
                position = ring.publishedIndices().tryClaimTake(me);
            }
            System.out.println("position=" + position);
            ReadySignal.signal(Path.of(args[1], "held"));
            Runtime.getRuntime().halt(0);
        }
    }

    /**
     * A publisher that dies holding a published-ring entry (marked WRITING, or only claimed by its
     * claim word): consumers skip the entry, its slot
     * comes back to producers, and the ring flows on in publish order. A consumer that dies
     * holding one: the slot it named comes back too.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "dies {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"publishing", "claiming", "taking"})
    void aProcessThatDiesInsideThePublishedRingGivesItsEntryAndSlotBack(String how) {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            TensorRing ring = shm.tensorRing("batches", 3, SPECS);
            if (how.equals("taking")) {
                for (int i = 0; i < 3; i++) {
                    ring.claim().publish(i);
                }
            }
            try (ChildJvm child = ChildJvm.start(DiesInsideThePublishedRing.class, name, signals.toString(), how)) {
                ReadySignal.await(signals.resolve("held"), TIMEOUT, child);
                assertEquals("0", child.await(TIMEOUT).value("position"));
            }
            if (how.equals("taking")) {
                for (long tag = 1; tag < 3; tag++) {
                    TensorRing.Slot slot = ring.take(Duration.ofSeconds(5));
                    assertEquals(tag, slot.tag(), "the dead consumer's entry held the first");
                    slot.release();
                }
            }
            // A publisher that waits for the dead publisher's place while nobody takes must get it.
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int lap = 0; lap < 2; lap++) {
                    List<TensorRing.Slot> claimed = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        TensorRing.Slot slot = ring.claim(Duration.ofSeconds(30));
                        assertNotNull(slot, "slot " + i + " of lap " + lap + " comes back");
                        claimed.add(slot);
                    }
                    for (int i = 0; i < 3; i++) {
                        claimed.get(i).publish(10 * lap + i);
                    }
                    for (int i = 0; i < 3; i++) {
                        TensorRing.Slot slot = ring.take(Duration.ofSeconds(30));
                        assertEquals(10 * lap + i, slot.tag(), "publish order, past the dead process's entry");
                        slot.release();
                    }
                    assertNull(ring.poll());
                }
            });
            assertEquals(0, ring.published());
            shm.verify();
        }
    }

    /** Views of the slots in another process show the bytes this one wrote: nothing is copied. */
    public static final class ReadsInPlace {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                TensorRing ring = shm.tensorRing("batches");
                try (TensorRing.Slot slot = ring.take(TIMEOUT)) {
                    SharedTensor t = slot.tensor(0);
                    System.out.println("value=" + t.getDouble(63, 255));
                    t.setDouble(-1, 0, 0); // a consumer may write in place too
                    System.out.println("address=" + t.dataOffset());
                }
            }
        }
    }

    @Test
    void aConsumerProcessReadsAndWritesTheSlotInPlace() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 16 << 20)) {
            TensorRing ring = shm.tensorRing("batches", 1, SPECS);
            TensorRing.Slot slot = ring.claim();
            slot.tensor(0).setDouble(7, 63, 255);
            long offset = slot.tensor(0).dataOffset();
            slot.publish();
            try (ChildJvm child = ChildJvm.start(ReadsInPlace.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(TIMEOUT);
                assertEquals("7.0", r.value("value"), r.describe());
                assertEquals(Long.toString(offset), r.value("address"), "the same bytes of the region");
            }
            TensorRing.Slot again = ring.claim(Duration.ofSeconds(5));
            assertEquals(-1.0, again.tensor(0).getDouble(0, 0));
            again.close();
        }
    }
}
