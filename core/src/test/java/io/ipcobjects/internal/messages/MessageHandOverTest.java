package io.ipcobjects.internal.messages;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.internal.containers.ContainerView;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.testing.TestRegions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a taken message gives the caller and what it frees: copies go, live containers stay. */
class MessageHandOverTest {

    public record Holder(String label, Map<String, Object> state, List<Object> items) {
    }

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aTakenContainerStaysLiveUntilDestroyed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // (a Long or a short string would take the inline head), kept as a spare: in the baseline
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            SharedMap<String, Object> put = a.putMessage(new HashMap<>(Map.of("step", 0L)));
            SharedMap<String, Object> taken = a.takeMessage();
            taken.put("step", 1L);
            assertEquals(1L, put.get("step"), "both views show one live map");
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) taken), "the message's reference passed on");
            assertTrue(a.stats().usedBytes() > baseline);
            a.destroy(taken);
            assertEquals(baseline, a.stats().usedBytes());
            a.verify();
        }
    }

    @Test
    void aTakenRecordIsFreedButItsContainersLive() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // (a Long or a short string would take the inline head), kept as a spare: in the baseline
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            a.putMessage(new Holder("a label", new HashMap<>(Map.of("k", "v")), new ArrayList<>(List.of(1L, "two"))));
            Holder taken = a.takeMessage();
            assertEquals("a label", taken.label());
            assertInstanceOf(SharedMap.class, taken.state());
            assertInstanceOf(SharedList.class, taken.items());
            taken.items().add(3.0);
            assertEquals(List.of(1L, "two", 3.0), taken.items());
            a.destroy(taken.state());
            a.destroy(taken.items());
            assertEquals(List.of(Holder.class.getName()), a.registeredTypes(), "the record's class stays registered");
            assertEquals(baseline + TestAccess.types(shm).bytes(), a.stats().usedBytes(),
                    "the struct and its strings were freed on take; only the class's type entry stays");
            a.verify();
        }
    }

    @Test
    void copiedOutValuesAreFreedOnTake() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // two nodes, kept as spares after the takes: the baseline includes them
            a.putMessage("a message in a node"); // (long strings: a Long or a short string would take the inline head)
            a.takeMessage();
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            a.putMessage(new Object[] {"tuple", 1L, List.of("nested", "list")});
            a.putMessage(Map.of(List.of(1L, 2L), "tuple key"));
            Object[] tuple = a.takeMessage();
            assertEquals("tuple", tuple[0]);
            Map<?, ?> map = a.takeMessage();
            assertInstanceOf(SharedMap.class, map);
            assertEquals("tuple key", map.get(List.of(1L, 2L)));
            a.destroy(map);
            a.destroy(tuple[2]);
            assertEquals(baseline, a.stats().usedBytes());
        }
    }

    @Test
    void aContainerReferencedElsewhereSurvivesTheTake() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.put("named", new ArrayList<>(List.of("x")));
            a.putMessage(list); // the same object, a second reference
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) list));
            SharedList<Object> taken = a.takeMessage();
            taken.add("y");
            assertEquals(List.of("x", "y"), a.get("named"));
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) list), "the name's and the taker's");
            assertTrue(a.remove("named"));
            assertEquals(List.of("x", "y"), taken, "still live: the taker holds a reference");
            a.destroy(taken);
            a.verify();
        }
    }

    public record Nested(String label, Holder inner, Object array) {
    }

    @Test
    void aContainerInANestedRecordKeepsItsOtherReferencesThroughTheTake() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.put("named", new ArrayList<>(List.of("x")));
            a.putMessage(new Nested("outer", new Holder("inner", new HashMap<>(Map.of("k", 1L)), list), null));
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) list), "the name's and the message's");
            Nested taken = a.takeMessage();
            assertEquals("inner", taken.inner().label());
            assertEquals(2, Containers.references(TestAccess.context(shm), (ContainerView) list), "the name's and the taker's");
            assertEquals(1, Containers.references(TestAccess.context(shm), (ContainerView) taken.inner().state()), "the taker's");
            a.destroy(taken.inner().state());
            assertEquals(List.of("x"), a.get("named"));
            a.verify();
        }
    }

    @Test
    void aTakenRecordHoldingATensorIsFreedButTheTensorStays() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // (a Long or a short string would take the inline head), kept as a spare: in the baseline
            a.takeMessage();
            long baseline = a.stats().usedBytes();
            a.putMessage(new Nested("with an array", null, new int[] {1, 2, 3}));
            long withRecord = a.stats().usedBytes();
            Nested taken = a.takeMessage();
            io.ipcobjects.SharedTensor tensor = assertInstanceOf(io.ipcobjects.SharedTensor.class, taken.array());
            assertArrayEquals(new int[] {1, 2, 3}, tensor.toIntArray());
            long after = a.stats().usedBytes();
            assertTrue(after > baseline && after < withRecord, "the record and its strings were freed, the tensor kept: "
                    + baseline + " < " + after + " < " + withRecord);
            a.verify();
        }
    }
}
