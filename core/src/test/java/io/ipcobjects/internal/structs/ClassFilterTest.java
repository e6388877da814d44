package io.ipcobjects.internal.structs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.TestAccess;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.Blobs;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.messages.MessageQueueLayout;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Classes named by the region are loaded only if the handle allows them (this process stored
 * them, or the class filter accepts them), never initialized by loading, and an enum value must
 * name an enum: a hostile region cannot make a reader run a constructor, an initializer or a
 * {@code hashCode()} of a class it did not expect.
 */
class ClassFilterTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    public record Holder(String value) {
    }

    private static final String BOMB = "ipcobjects.test.bomb";
    private static final String NOT_ENUM = "ipcobjects.test.notAnEnum";
    private static final String PREFIX = ClassFilterTest.class.getName() + "$";

    /** Named only by the region: never loaded by this test class, so any initialization is the reader's doing. */
    static final class Bomb {
        static {
            System.setProperty(BOMB, "initialized");
        }

        private final String value;

        private Bomb() {
            value = null;
            System.setProperty(BOMB, "constructed");
        }

        @Override
        public int hashCode() {
            System.setProperty(BOMB, "hashed");
            return 0;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** A user class a consumer allows by name. */
    static final class Allowed {
        private String value;

        private Allowed() {
        }
    }

    static final class NotAnEnum {
        static {
            System.setProperty(NOT_ENUM, "initialized");
        }
    }

    public enum Color {
        RED
    }

    private static long oldestMessageSlot(RegionMemory memory) {
        return memory.getLong(MessageQueueLayout.HEAD_OFFSET) + MessageQueueLayout.VALUE_SLOT_OFFSET;
    }

    /** A type registry entry (not linked into the registry: readers do not need it to be) naming {@code className}. */
    private static long typeEntry(RegionContext context, String className, String... fields) {
        byte[] descriptor = (className + "\n" + String.join("\n", fields)).getBytes(StandardCharsets.UTF_8);
        RegionMemory memory = context.memory();
        long entry = context.allocator().allocate(TypeRegistryLayout.blockBytes(descriptor.length), BlockTypes.TYPE_DESCRIPTOR);
        memory.putLong(entry + TypeRegistryLayout.NEXT_OFFSET, 0);
        memory.putLong(entry + TypeRegistryLayout.ORDINAL_OFFSET, 1);
        memory.putLong(entry + TypeRegistryLayout.FIELD_COUNT_OFFSET, fields.length);
        memory.putLong(entry + TypeRegistryLayout.LENGTH_OFFSET, descriptor.length);
        MemorySegment.copy(descriptor, 0, memory.segment(), ValueLayout.JAVA_BYTE, entry + TypeRegistryLayout.DESCRIPTOR_OFFSET,
                descriptor.length);
        return entry;
    }

    /** Queues a record, then makes its struct name {@code className} instead. */
    private static void queueStructNaming(SharedMemory shm, String className) {
        try (Access a = shm.acquire()) {
            RegionContext context = TestAccess.context(shm);
            a.putMessage(new Holder("a value long enough for a blob"));
            long struct = context.memory().getLong(oldestMessageSlot(context.memory()) + SlotLayout.BITS_OFFSET);
            context.memory().putLong(struct + StructLayout.DESCRIPTOR_OFFSET, typeEntry(context, className, "value"));
        }
    }

    private static void assertRefusedByTheFilter(IpcObjectsException e, String className) {
        assertFalse(e instanceof CorruptedRegionException, "a refused class is not corruption: " + e);
        assertTrue(e.getMessage().contains(className) && e.getMessage().contains("withAllowedClasses"), e.getMessage());
    }

    @Test
    void aStructNamingAClassThisProcessNeverStoredIsRefusedWithoutTouchingIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20)) {
            queueStructNaming(shm, PREFIX + "Bomb");
            IpcObjectsException e = assertThrows(IpcObjectsException.class, shm::readMessage);
            assertRefusedByTheFilter(e, PREFIX + "Bomb");
            assertThrows(IpcObjectsException.class, shm::takeMessage);
            assertNull(System.getProperty(BOMB), "no initializer, constructor or hashCode of the named class ran");
        }
    }

    @Test
    void aClassFilterLetsAConsumerReadClassesItAllows() {
        String name = regions.newName();
        SharedMemoryOptions allowing = SharedMemoryOptions.defaults().withClassFilter(n -> n.equals(PREFIX + "Allowed"));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory consumer = SharedMemory.attach(name, Duration.ofSeconds(5), allowing)) {
            queueStructNaming(shm, PREFIX + "Allowed");
            assertRefusedByTheFilter(assertThrows(IpcObjectsException.class, shm::readMessage), PREFIX + "Allowed");
            Allowed read = assertInstanceOf(Allowed.class, consumer.readMessage());
            assertEquals("a value long enough for a blob", read.value);
            // The process-wide cache of resolved descriptors now knows the class: the default handle still refuses it.
            assertRefusedByTheFilter(assertThrows(IpcObjectsException.class, shm::readMessage), PREFIX + "Allowed");
            assertEquals(Allowed.class, consumer.<Allowed>takeMessage().getClass());
        }
    }

    @Test
    void anEnumValueMustNameAnEnumAndIsCheckedBeforeItIsInitialized() {
        String name = regions.newName();
        SharedMemoryOptions allowing = SharedMemoryOptions.defaults().withClassFilter(n -> n.equals(PREFIX + "NotAnEnum"));
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20);
             SharedMemory consumer = SharedMemory.attach(name, Duration.ofSeconds(5), allowing)) {
            try (Access a = shm.acquire()) {
                RegionContext context = TestAccess.context(shm);
                a.putMessage(Color.RED);
                assertEquals(Color.RED, a.readMessage(), "this process stored the enum: it reads back");
                long slot = oldestMessageSlot(context.memory());
                byte[] text = (PREFIX + "NotAnEnum\0RED").getBytes(StandardCharsets.UTF_8);
                context.memory().putLong(slot + SlotLayout.BITS_OFFSET, Blobs.store(context, text));
            }
            assertRefusedByTheFilter(assertThrows(IpcObjectsException.class, shm::readMessage), PREFIX + "NotAnEnum");
            CorruptedRegionException e = assertThrows(CorruptedRegionException.class, consumer::readMessage);
            assertTrue(e.getMessage().contains("is not an enum"), e.getMessage());
            assertNull(System.getProperty(NOT_ENUM), "the class was loaded without running its initializer");
        }
    }

    @Test
    void enumsOfTheJdkAreReadBackByDefault() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 1 << 20); Access a = shm.acquire()) {
            RegionContext context = TestAccess.context(shm);
            a.putMessage(Color.RED);
            byte[] text = (DayOfWeek.class.getName() + "\0FRIDAY").getBytes(StandardCharsets.UTF_8);
            long slot = oldestMessageSlot(context.memory());
            context.memory().putLong(slot + SlotLayout.BITS_OFFSET, Blobs.store(context, text));
            assertEquals(DayOfWeek.FRIDAY, a.readMessage());
        }
    }

    /** A consumer with default options: prints what reading the parent's record gave. */
    public static final class DefaultConsumer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                try {
                    System.out.println("read=" + shm.readMessage());
                } catch (IpcObjectsException e) {
                    System.out.println("refused=" + e.getMessage());
                }
            }
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30),
                    SharedMemoryOptions.defaults().withAllowedClasses(Holder.class))) {
                Holder allowed = shm.readMessage();
                System.out.println("allowed=" + allowed.value());
            }
        }
    }

    @Test
    void anotherProcessReadsARecordOnlyOnceItAllowsTheClass() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 1 << 20)) {
            shm.putMessage(new Holder("from the parent"));
            try (ChildJvm child = ChildJvm.start(DefaultConsumer.class, name)) {
                ChildJvm.Result r = child.await(Duration.ofSeconds(60));
                assertEquals(0, r.exitCode(), r.describe());
                assertTrue(r.value("refused").contains(Holder.class.getName()), r.describe());
                assertTrue(r.value("refused").contains("withAllowedClasses"), r.describe());
                assertEquals("from the parent", r.value("allowed"), r.describe());
            }
        }
    }
}
