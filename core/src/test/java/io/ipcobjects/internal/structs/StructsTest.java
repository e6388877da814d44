package io.ipcobjects.internal.structs;

import io.ipcobjects.TestAccess;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;
import io.ipcobjects.internal.codec.ValueSlots;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Records and user classes: stored as structs, read back as new instances of the same class. */
class StructsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public record Address(String city, int zip) {
    }

    public record Person(String name, Address address, List<String> nicknames, Map<String, Object> extra) {
    }

    public static class Base {
        protected long id;
        transient String cache = "not stored";
    }

    public static class Derived extends Base {
        private final String label;
        private Address address;

        private Derived() {
            label = null;
        }

        Derived(long id, String label, Address address) {
            this.id = id;
            this.label = label;
            this.address = address;
        }
    }

    public static class WithNumbers {
        double[] samples = new double[1];
    }

    public abstract static class Abstract {
    }

    public class Inner {
    }

    @Test
    void recordsAndUserClassesRoundTripAsTheirOwnClass() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>());
            Person person = new Person("ann", new Address("Oslo", 150), List.of("a"), Map.of("age", 30));
            list.add(person);
            Object back = list.get(0);
            assertEquals(Person.class, back.getClass());
            assertEquals(person, back);
            ((Person) back).nicknames().add("annie"); // live: the next read sees it
            assertEquals(List.of("a", "annie"), ((Person) list.get(0)).nicknames());

            Derived original = new Derived(7, "seven", new Address("Rome", 100));
            original.cache = "changed before storing";
            list.add(original);
            Derived d = (Derived) list.get(1);
            assertEquals(Derived.class, d.getClass());
            assertEquals(7, d.id);
            assertEquals("seven", d.label);
            assertEquals(new Address("Rome", 100), d.address);
            assertEquals("not stored", d.cache, "transient fields are not stored: the constructor's initializer value stays");
        }
    }

    @Test
    void classesThatCannotComeBackAreRefusedWithTheReason() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>());
            HeapStats before = a.stats();
            UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> list.add(new WithNumbers()));
            assertTrue(e.getMessage().contains("samples"), e.getMessage());
            e = assertThrows(UnsupportedTypeException.class, () -> list.add(new Abstract() { }));
            assertTrue(e.getMessage().contains("anonymous"), e.getMessage());
            e = assertThrows(UnsupportedTypeException.class, () -> list.add(new Inner()));
            assertTrue(e.getMessage().contains("inner"), e.getMessage());
            assertEquals(before, a.stats());
        }
    }

    /** Reads the record the parent stored and prints it: the class resolves in another JVM. */
    public static final class ReadingChild {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30),
                    SharedMemoryOptions.defaults().withAllowedClasses(Person.class, Address.class)); Access a = shm.acquire()) {
                Person p = (Person) ValueSlots.read(TestAccess.context(shm), a.userRoot());
                System.out.println("name=" + p.name());
                System.out.println("city=" + p.address().city());
                System.out.println("nicknames=" + p.nicknames());
                p.extra().put("seen by", "child");
            }
        }
    }

    @Test
    void aRecordIsReadBackInAnotherProcess() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            long slot;
            try (Access a = shm.acquire()) {
                slot = a.allocate(ValueSlots.SLOT_BYTES);
                a.block(slot).fill((byte) 0);
                ValueSlots.write(TestAccess.context(shm), slot, new Person("bo", new Address("Lund", 22), List.of("b", "bee"),
                        new java.util.HashMap<>()));
                a.setUserRoot(slot);
            }
            try (ChildJvm child = ChildJvm.start(ReadingChild.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                assertEquals("bo", r.value("name"));
                assertEquals("Lund", r.value("city"));
                assertEquals("[b, bee]", r.value("nicknames"));
            }
            try (Access a = shm.acquire()) {
                Person p = (Person) ValueSlots.read(TestAccess.context(shm), slot);
                assertEquals("child", p.extra().get("seen by"));
            }
        }
    }

    /** Its accessor of {@code value} throws while {@link #failAccessor} is set. */
    public record Touchy(String value) {
        static volatile boolean failAccessor;
        static volatile boolean failConstructor;

        public Touchy {
            if (failConstructor) {
                throw new IllegalStateException("refusing " + value);
            }
        }

        @Override
        public String value() {
            if (failAccessor) {
                throw new UnsupportedOperationException("no value today");
            }
            return value;
        }
    }

    @Test
    void throwingAccessorsAndConstructorsAndMistypedFieldsAreReportedWithTheirCause() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            SharedList<Object> list = a.share(new ArrayList<>());
            HeapStats before = a.stats();
            Touchy.failAccessor = true;
            try {
                IpcObjectsException e = assertThrows(IpcObjectsException.class, () -> list.add(new Touchy("x")));
                assertTrue(e.getMessage().contains("accessor value"), e.getMessage());
                assertInstanceOf(UnsupportedOperationException.class, e.getCause());
            } finally {
                Touchy.failAccessor = false;
            }
            assertEquals(before, a.stats(), "nothing of the failed store stays");
            assertEquals(List.of(), a.registeredTypes());

            list.add(new Touchy("a value in a blob"));
            Touchy.failConstructor = true;
            try {
                IpcObjectsException e = assertThrows(IpcObjectsException.class, () -> list.get(0));
                assertTrue(e.getMessage().contains("constructor"), e.getMessage());
                assertInstanceOf(IllegalStateException.class, e.getCause());
            } finally {
                Touchy.failConstructor = false;
            }

            // The stored String field now claims to be a Long: the record cannot be rebuilt from it.
            long slotsAt = TestAccess.context(shm).memory().getLong(
                    ((io.ipcobjects.internal.containers.ContainerView) list).offset() + io.ipcobjects.internal.containers.ListLayout.ELEMENTS_OFFSET);
            long struct = TestAccess.context(shm).memory().getLong(slotsAt + io.ipcobjects.internal.codec.SlotLayout.BITS_OFFSET);
            long field = StructLayout.slotOffset(struct, 0);
            ValueSlots.write(TestAccess.context(shm), field, 7L); // frees the string blob, as any overwrite does
            IpcObjectsException e = assertThrows(IpcObjectsException.class, () -> list.get(0));
            assertTrue(e.getMessage().contains("cannot rebuild"), e.getMessage());
            ValueSlots.write(TestAccess.context(shm), field, "fixed");
            assertEquals(new Touchy("fixed"), list.get(0));
            a.verify();
        }
    }
}
