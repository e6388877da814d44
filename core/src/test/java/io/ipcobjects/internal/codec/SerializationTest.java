package io.ipcobjects.internal.codec;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Java serialization: off by default, opt-in per handle, read only through the handle's filter. */
class SerializationTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    static final String ALLOWED = "java.net.URI;java.util.BitSet;io.ipcobjects.internal.codec.SerializationTest$Opaque;!*";

    static SharedMemoryOptions allowing(String pattern) {
        return SharedMemoryOptions.defaults().withSerialization(ObjectInputFilter.Config.createFilter(pattern));
    }

    /** A user class that cannot be a struct (no no-argument constructor) but is Serializable. */
    public static final class Opaque implements Serializable {
        private final String label;

        public Opaque(String label) {
            this.label = label;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque other && other.label.equals(label);
        }

        @Override
        public int hashCode() {
            return label.hashCode();
        }
    }

    public record Holder(String name, Object payload) {
    }

    @Test
    void offByDefaultTheErrorSaysHowToTurnItOn() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            HeapStats before = a.stats();
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> a.putMessage(new BitSet()));
            assertTrue(e.getMessage().contains("java.util.BitSet") && e.getMessage().contains("withSerialization"),
                    e.getMessage());
            assertEquals(before, a.stats());
        }
    }

    @Test
    void serializableValuesRoundTripAndAreFreedLikeCopies() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, allowing(ALLOWED)); Access a = shm.acquire()) {
            a.putMessage("a message in a node"); // the queue's spare node: in the baseline
            a.takeMessage();
            HeapStats before = a.stats();
            BitSet bits = new BitSet();
            bits.set(3);
            bits.set(700);
            URI uri = URI.create("https://example.org/a?b=c");

            SharedList<Object> list = a.share(new ArrayList<>(List.of(uri, "short")));
            list.add(bits);
            list.add(new Opaque("opaque"));
            assertEquals(List.of(uri, "short", bits, new Opaque("opaque")), list);
            SharedMap<String, Object> map = a.share(new HashMap<>());
            map.put("uri", uri);
            assertEquals(uri, map.get("uri"));
            assertEquals(new Holder("h", bits), a.<Holder>putMessage(new Holder("h", bits)));
            assertEquals(new Holder("h", bits), a.takeMessage(), "a record field holding a serialized value");
            assertEquals(bits, a.putMessage(bits));
            assertEquals(bits, a.takeMessage());

            SharedMap<Object, Object> byKey = a.share(new HashMap<>());
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> byKey.put(bits, 1L));
            assertTrue(e.getMessage().contains("key"), e.getMessage());
            assertThrows(UnsupportedTypeException.class, () -> a.share(new java.util.HashSet<>(List.of(bits))),
                    "nor a set element");
            a.destroy(byKey);
            UnsupportedTypeException notSerializable = assertThrows(UnsupportedTypeException.class,
                    () -> list.add(new Holder("h", new Thread())), "a record can hold a serializable value, not a Thread");
            assertTrue(notSerializable.getMessage().contains("java.lang.Thread"), notSerializable.getMessage());

            a.destroy(list);
            a.destroy(map);
            assertEquals(before.usedBytes() + TestAccess.types(shm).bytes(), a.stats().usedBytes(),
                    "every serialized blob was freed (taken messages included)");
            a.verify();
        }
    }

    /** Prints what it reads from the user root slot: args region name, then "on" (with the filter) or "off". */
    public static final class Reader {
        public static void main(String[] args) {
            SharedMemoryOptions options = args[1].equals("on") ? allowing(ALLOWED)
                    : args[1].equals("strict") ? allowing("java.net.URI;!*") : SharedMemoryOptions.defaults();
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30), options); Access a = shm.acquire()) {
                try {
                    BitSet bits = (BitSet) ValueSlots.read(TestAccess.context(shm), a.userRoot());
                    System.out.println("read=" + bits);
                } catch (IpcObjectsException e) {
                    System.out.println("refused=" + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void anotherProcessReadsOnlyWithSerializationOnAndThroughItsFilter() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20, allowing(ALLOWED))) {
            try (Access a = shm.acquire()) {
                long slot = a.allocate(ValueSlots.SLOT_BYTES);
                ValueSlots.write(TestAccess.context(shm), slot, null);
                BitSet bits = new BitSet();
                bits.set(1);
                bits.set(42);
                ValueSlots.write(TestAccess.context(shm), slot, bits);
                a.setUserRoot(slot);
            }
            for (String mode : List.of("on", "off", "strict")) {
                try (ChildJvm child = ChildJvm.start(Reader.class, name, mode)) {
                    ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                    switch (mode) {
                        case "on" -> assertEquals("{1, 42}", r.value("read"), r.describe());
                        case "off" -> assertTrue(r.value("refused").contains("withSerialization"), r.describe());
                        default -> assertTrue(r.value("refused").contains("rejected by this handle's serialization filter"),
                                r.describe());
                    }
                }
            }
        }
    }

    @Test
    void aCorruptedStreamIsReportedNotFollowed() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20, allowing(ALLOWED)); Access a = shm.acquire()) {
            long slot = a.allocate(ValueSlots.SLOT_BYTES);
            ValueSlots.write(TestAccess.context(shm), slot, null);
            ValueSlots.write(TestAccess.context(shm), slot, URI.create("https://example.org"));
            long blob = TestAccess.context(shm).memory().getLong(slot + SlotLayout.BITS_OFFSET);
            long length = TestAccess.context(shm).memory().getLong(blob + BlobLayout.LENGTH_OFFSET);
            for (long i = length / 2; i < length; i++) {
                TestAccess.context(shm).memory().putByte(blob + BlobLayout.DATA_OFFSET + i, (byte) 0x7F);
            }
            assertThrows(CorruptedRegionException.class, () -> ValueSlots.read(TestAccess.context(shm), slot));
            ValueSlots.destroy(TestAccess.context(shm), slot); // still freed cleanly: the slot's kind and blob are intact
            a.verify();
        }
    }
}
