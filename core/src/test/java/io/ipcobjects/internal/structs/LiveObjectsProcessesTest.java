package io.ipcobjects.internal.structs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.HeapStats;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.KillTorture;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;
import io.ipcobjects.testing.objects.Counter;
import io.ipcobjects.testing.objects.Employee;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live shared objects between real processes: a method called in a child JVM changes what the
 * parent sees; a child whose handle does not allow the type is refused; a child killed inside a
 * scope that wrote fields leaves the object as it was when the scope began.
 */
class LiveObjectsProcessesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path signals;

    /** Takes the employee message, calls its methods, and changes a counter found by name. */
    public static final class ChangesTheEmployee {
        public static void main(String[] args) {
            SharedMemoryOptions options = SharedMemoryOptions.defaults().withAllowedClasses(Employee.class, Counter.class);
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT, options)) {
                Employee e = shm.takeMessage(TIMEOUT);
                System.out.println("seen=" + e.name() + "/" + e.years() + "/" + e.tags());
                e.increaseYearsOfEmployment();          // a default method: one critical section here
                try (Access a = shm.acquire()) {
                    e.stage(true);                      // the stage flag of the original's example
                    e.tags().add("promoted in " + ProcessHandle.current().pid());
                    Counter c = a.get("counter");
                    c.increment();                      // a concrete method of an abstract class
                }
                System.out.println("done=" + e.years());
            }
        }
    }

    @Test
    void aMethodCalledInAnotherProcessChangesWhatThisProcessSees() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            Employee e;
            Counter c;
            try (Access a = shm.acquire()) {
                e = a.newObject(Employee.class);
                e.name("John Smith");
                e.years(3);
                e.tags().add("engineer");
                c = a.newObject(Counter.class);
                c.setStep((short) 5);
                a.put("counter", c);
                a.putMessage(e);
            }
            try (ChildJvm child = ChildJvm.start(ChangesTheEmployee.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(TIMEOUT);
                assertEquals("John Smith/3/[engineer]", r.value("seen"), r.describe());
                assertEquals("4", r.value("done"), r.describe());
                try (Access a = shm.acquire()) {
                    assertEquals(4, e.years(), "the child's default method changed the shared field");
                    assertTrue(e.stage(), "the child's stage flag");
                    assertEquals(List.of("engineer", "promoted in " + child.pid()), e.tags());
                    assertEquals(5, c.getCount(), "the child's concrete method of the abstract class");
                    a.verify();
                }
            }
        }
    }

    /** Calls the default method {@code args[1]} times, each outside any scope: each call is a critical section of its own. */
    public static final class IncreasesYears {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT,
                    SharedMemoryOptions.defaults().withAllowedClasses(Employee.class))) {
                Employee e = shm.get("emp");
                int times = Integer.parseInt(args[1]);
                ReadySignal.signal(Path.of(args[2]));
                ReadySignal.await(Path.of(args[3]), TIMEOUT); // both children start together
                for (int i = 0; i < times; i++) {
                    e.increaseYearsOfEmployment();
                }
                System.out.println("done=" + times);
            }
        }
    }

    @Test
    void aDefaultMethodCalledByTwoProcessesAtOnceLosesNoUpdate() {
        String name = regions.newName();
        int times = 100_000;
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            Employee e = shm.newObject(Employee.class);
            shm.put("emp", e);
            Path go = signals.resolve("go");
            Path ready1 = signals.resolve("ready1");
            Path ready2 = signals.resolve("ready2");
            try (ChildJvm first = ChildJvm.start(IncreasesYears.class, name, Integer.toString(times), ready1.toString(),
                    go.toString());
                 ChildJvm second = ChildJvm.start(IncreasesYears.class, name, Integer.toString(times), ready2.toString(),
                    go.toString())) {
                ReadySignal.await(ready1, TIMEOUT, first, second);
                ReadySignal.await(ready2, TIMEOUT, first, second);
                ReadySignal.signal(go);
                first.awaitSuccess(TIMEOUT);
                second.awaitSuccess(TIMEOUT);
            }
            assertEquals(2 * times, e.years(), "every read-increment-write of the default method was one critical section");
        }
    }

    /** Reads a name holding an employee with a handle that does not allow the type; prints what it got. */
    public static final class ReadsWithoutAllowing {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT)) {
                try {
                    Object e = shm.get("emp");
                    System.out.println("read=" + e.getClass().getName());
                } catch (IpcObjectsException refused) {
                    System.out.println("refused=" + refused.getMessage());
                }
            }
        }
    }

    @Test
    void aProcessWhoseHandleDoesNotAllowTheTypeIsRefusedBeforeTheClassIsLoaded() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            shm.put("emp", shm.newObject(Employee.class));
            try (ChildJvm child = ChildJvm.start(ReadsWithoutAllowing.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(TIMEOUT);
                String refused = r.value("refused");
                assertTrue(refused != null && refused.contains(Employee.class.getName()) && refused.contains("withAllowedClasses"),
                        r.describe());
            }
        }
    }

    /** In one scope: writes fields and calls a method, signals, and waits to be killed holding the lock. */
    public static final class DiesWritingFields {
        public static void main(String[] args) {
            SharedMemory shm = SharedMemory.attach(args[0], TIMEOUT,
                    KillTorture.options().withAllowedClasses(Employee.class));
            Access a = shm.acquire();
            Employee e = a.get("emp");
            e.years(99);
            e.name("a new name, longer than a slot holds");
            e.promote("uncommitted");
            e.salary(-1);
            ReadySignal.signal(Path.of(args[1]));
            LockSupport.park(); // holds the lock until killed
        }
    }

    @Test
    void aProcessKilledInsideAScopeWritingFieldsLeavesTheObjectAsTheScopeFoundIt() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20, KillTorture.options())) {
            Employee e;
            HeapStats baseline;
            try (Access a = shm.acquire()) {
                e = a.newObject(Employee.class);
                e.name("John Smith");
                e.years(3);
                e.salary(1000.0);
                e.tags().add("engineer");
                a.put("emp", e);
                baseline = a.verify();
            }
            Path ready = signals.resolve("ready");
            try (ChildJvm child = ChildJvm.start(DiesWritingFields.class, name, ready.toString())) {
                ReadySignal.await(ready, TIMEOUT, child);
                child.kill9();
            }
            try (Access a = shm.acquire()) {
                assertEquals(1, shm.lockTakeovers());
                assertEquals("John Smith", e.name());
                assertEquals(3, e.years());
                assertFalse(e.stage());
                assertEquals(1000.0, e.salary());
                assertEquals(List.of("engineer"), e.tags());
                assertEquals(baseline.usedBytes(), a.verify().usedBytes(), "nothing leaked");
            }
        }
    }
}
