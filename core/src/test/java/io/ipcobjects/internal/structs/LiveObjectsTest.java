package io.ipcobjects.internal.structs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.HeapStats;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.ObjectDestroyedException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.TestAccess;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.testing.TestRegions;
import io.ipcobjects.testing.objects.BadTypes;
import io.ipcobjects.testing.objects.Counter;
import io.ipcobjects.testing.objects.Employee;
import io.ipcobjects.testing.objects.Team;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Live shared objects in one process: accessors, methods, references, lifetime and refusals. */
class LiveObjectsTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void fieldsStartAtTheirDefaultsAndAccessorsReadAndWriteTheRegion() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            HeapStats before = shm.verify();
            Employee e = shm.newObject(Employee.class);
            assertEquals(0, e.years());
            assertFalse(e.stage());
            assertNull(e.name());
            assertEquals(List.of(), e.tags());
            assertTrue(e.tags() instanceof SharedList<?>, "a List field is a live list from the start");
            e.name("John Smith, a name too long to be inline");
            e.years(7);
            e.stage(true);
            e.salary(1234.5);
            e.id(Long.MIN_VALUE);
            e.tags().add("engineer");
            SharedTensor scores = shm.newTensor(DType.FLOAT32, 3);
            scores.setFloat(2.5f, 1);
            e.scores(scores);
            try (Access a = shm.acquire()) {
                assertEquals("John Smith, a name too long to be inline", e.name());
                assertEquals(7, e.years());
                assertTrue(e.stage());
                assertEquals(1234.5, e.salary());
                assertEquals(Long.MIN_VALUE, e.id());
                assertEquals(List.of("engineer"), e.tags());
                assertEquals(2.5f, e.scores().getFloat(1));
                e.increaseYearsOfEmployment();
                assertEquals(8, e.years());
            }
            assertTrue(e.toString().startsWith("Employee{"), e.toString());
            assertTrue(e.toString().contains("years=8"), e.toString());
            shm.verify();
            shm.destroy(e);
            assertEquals(before.usedBytes() + TestAccess.types(shm).bytes(), shm.verify().usedBytes(),
                    "destroy freed the object, its string, its list and the tensor its field owned (the type entry stays)");
        }
    }

    @Test
    void aViewStoredAnywhereIsAReferenceToTheSameObject() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            try (Access a = shm.acquire()) {
                Employee e = a.newObject(Employee.class);
                Employee byName = a.put("emp", e);
                List<Object> team = a.share(new ArrayList<>());
                team.add(e);
                Map<String, Object> roles = a.share(new java.util.HashMap<>());
                roles.put("lead", e);
                e.years(3);
                Employee fromList = (Employee) team.get(0);
                Employee fromName = a.get("emp");
                assertEquals(3, byName.years());
                assertEquals(3, fromList.years());
                fromName.promote("lead");
                assertEquals(4, e.years());
                assertTrue(((Employee) roles.get("lead")).stage());
                assertEquals(List.of("lead"), e.tags());
                assertEquals(e, fromList, "views of one object are equal");
                assertEquals(e.hashCode(), fromList.hashCode());
                assertNotSame(e, fromList);
                assertEquals(4, SharedObjects.references(e), "the creator, the name, the list and the map");
                e.manager(e); // an object that refers to itself
                assertSame(Employee.class, e.manager().getClass().getInterfaces()[1]);
                assertEquals(4, e.manager().years());
                a.verify();
            }
        }
    }

    @Test
    void aTakenMessageHandsTheObjectOverAndDestroyFreesItForEveryView() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            shm.put("warm", 1L); // makes the name directory
            shm.remove("warm");
            shm.putMessage("a message in a node, kept as a spare once taken");
            shm.takeMessage();
            shm.destroy(shm.newObject(Employee.class)); // registers the type
            HeapStats before = shm.verify();
            try (Access a = shm.acquire()) {
                Employee e = a.newObject(Employee.class);
                e.years(5);
                e.name("a string in a blob, replaced below");
                e.name("another string in a blob, freed with the object");
                a.put("emp", e);
                a.putMessage(e);
                assertEquals(3, SharedObjects.references(e), "the creator, the name, the message");
                Employee taken = a.takeMessage(Employee.class);
                assertEquals(5, taken.years());
                a.remove("emp");
                assertEquals(2, SharedObjects.references(e), "the creator's and the taker's");
                a.verify();
                a.destroy(taken);
                assertThrows(ObjectDestroyedException.class, e::years, "destroyed for every view");
                assertThrows(ObjectDestroyedException.class, () -> a.destroy(e));
                assertEquals(before.usedBytes(), a.verify().usedBytes(), "the object, its strings and its list are freed");
            }
        }
    }

    @Test
    void aRecordHoldingALiveObjectIsACopyAroundAReference() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            try (Access a = shm.acquire()) {
                Employee lead = a.newObject(Employee.class);
                lead.years(9);
                a.putMessage(new Team("core", lead));
                assertEquals(2, SharedObjects.references(lead), "the creator's and the record's");
                Team taken = a.takeMessage(Team.class);
                assertEquals("core", taken.name());
                taken.lead().increaseYearsOfEmployment();
                assertEquals(10, lead.years(), "the record's component is the same live object");
                assertEquals(2, SharedObjects.references(lead), "the record's reference passed to the taker");
                a.verify(); // the record's struct was freed, the object kept: no leak, counts sound
            }
        }
    }

    @Test
    void methodsRunInsideTheLockAndAThrowingMethodReleasesIt() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Employee e = shm.newObject(Employee.class);
            e.promote("x"); // outside a scope: one critical section of its own
            assertEquals(1, e.years());
            assertThrows(IllegalStateException.class, e::fail);
            assertEquals(-1, e.years());
            assertFalse(TestAccess.handle(shm).scope().isHeldByCurrentThread(), "the failing method let go of the lock");
            try (Access a = shm.acquire()) {
                e.promote("y");
                assertTrue(TestAccess.handle(shm).scope().isHeldByCurrentThread(), "the method left the scope's hold alone");
            }
            assertEquals(List.of("x", "y"), e.tags());
        }
    }

    @Test
    void abstractClassesGetTheirAccessorsGeneratedAndTheirMethodsRunOverSharedState() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Counter c = shm.newObject(Counter.class);
            c.setStep((short) 2);
            assertEquals(2, c.increment());
            assertEquals(4, c.increment());
            c.setLevel((byte) -3);
            c.setMark('\u20ac');
            c.setRatio(0.25f);
            c.setBoxed(42);
            shm.put("counter", c);
            Counter again = shm.get("counter");
            assertEquals(4, Counter.countSeenByConstructor, "the constructor ran with the view's accessors working");
            assertEquals(4, again.getCount());
            assertEquals(-3, again.getLevel());
            assertEquals('\u20ac', again.getMark());
            assertEquals(0.25f, again.getRatio());
            assertEquals(42, again.getBoxed());
            assertEquals("Counter at 4", again.toString(), "the class's own toString, run over shared state");
            again.resetFromOutside();
            assertEquals(0, c.getCount());
            assertEquals(c, again);
        }
    }

    @Test
    void typesThatCannotBeLiveObjectsAreRefusedNamingWhy() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            HeapStats before = shm.verify();
            assertRefused(shm, BadTypes.NotAnAccessor.class, "compute");
            assertRefused(shm, BadTypes.SetterTypeDiffers.class, "field years is read as int but written as long");
            assertRefused(shm, BadTypes.SetterOnly.class, "no getter");
            assertRefused(shm, BadTypes.ConcreteArray.class, "SharedTensor");
            assertRefused(shm, BadTypes.NoDefaultConstructor.class, "no-argument constructor");
            assertRefused(shm, BadTypes.WithField.class, "instance field WithField.local");
            assertRefused(shm, BadTypes.Concrete.class, "concrete class");
            assertRefused(shm, nonPublic(), "must be public");
            assertEquals(before.usedBytes(), shm.verify().usedBytes(), "nothing stays allocated");
        }
    }

    private static Class<?> nonPublic() {
        try {
            return Class.forName("io.ipcobjects.testing.objects.BadTypes$NotPublic");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRefused(SharedMemory shm, Class<?> type, String why) {
        UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class, () -> shm.newObject(type));
        assertTrue(e.getMessage().contains(type.getName()) && e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void aViewThrowsOnceItsObjectIsDestroyedOrItsRegionClosed() {
        Employee e;
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            Employee destroyed = shm.newObject(Employee.class);
            shm.destroy(destroyed);
            assertThrows(ObjectDestroyedException.class, destroyed::years);
            assertThrows(ObjectDestroyedException.class, () -> destroyed.name("x"));
            assertThrows(ObjectDestroyedException.class, destroyed::increaseYearsOfEmployment);
            assertThrows(ObjectDestroyedException.class, () -> shm.put("d", destroyed));
            e = shm.newObject(Employee.class);
        }
        assertThrows(RegionClosedException.class, e::years);
        assertThrows(RegionClosedException.class, () -> e.years(1));
        assertThrows(RegionClosedException.class, e::increaseYearsOfEmployment);
    }

    @Test
    void aStoredFieldTableThatDoesNotMatchTheReadersTypeIsRefusedNamingTheField() {
        try (SharedMemory shm = SharedMemory.create(regions.newName(), 4 << 20)) {
            try (Access a = shm.acquire()) {
                Employee e = a.newObject(Employee.class);
                a.put("emp", e);
                RegionContext context = TestAccess.context(shm);
                ObjectType type = ObjectType.of(Employee.class);
                // What another version of Employee, whose years is a long, would have stored.
                String descriptor = new String(type.descriptor(), StandardCharsets.UTF_8).replace("years int", "years long");
                long entry = handMadeEntry(context, descriptor, type.fieldCount());
                long object = SharedObjects.stateOf(e).object;
                context.memory().putLong(object + ObjectLayout.TYPE_ENTRY_OFFSET, entry);
                IpcObjectsException refused = assertThrows(IpcObjectsException.class, () -> a.get("emp"));
                assertTrue(refused.getMessage().contains("field years is stored as long but declared here as int"),
                        refused.getMessage());
                String renamed = new String(type.descriptor(), StandardCharsets.UTF_8).replace("stage boolean", "staged boolean");
                context.memory().putLong(object + ObjectLayout.TYPE_ENTRY_OFFSET,
                        handMadeEntry(context, renamed, type.fieldCount()));
                refused = assertThrows(IpcObjectsException.class, () -> a.get("emp"));
                assertTrue(refused.getMessage().contains("field stage is declared here but not stored"), refused.getMessage());
            }
        }
    }

    /** A registry block with {@code descriptor}, not linked into the registry (the reader checks the block, not the list). */
    private static long handMadeEntry(RegionContext context, String descriptor, int fields) {
        byte[] bytes = descriptor.getBytes(StandardCharsets.UTF_8);
        long entry = context.allocator().allocate(TypeRegistryLayout.blockBytes(bytes.length), BlockTypes.TYPE_DESCRIPTOR);
        context.memory().putLong(entry + TypeRegistryLayout.NEXT_OFFSET, 0);
        context.memory().putLong(entry + TypeRegistryLayout.ORDINAL_OFFSET, 1);
        context.memory().putLong(entry + TypeRegistryLayout.FIELD_COUNT_OFFSET, fields);
        context.memory().putLong(entry + TypeRegistryLayout.LENGTH_OFFSET, bytes.length);
        context.memory().putBytes(entry + TypeRegistryLayout.DESCRIPTOR_OFFSET, bytes);
        return entry;
    }
}
