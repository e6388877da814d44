package io.ipcobjects.internal.tensor;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tensor larger than 2 GiB in a 3 GiB region, written at both ends by one process and read
 * and changed by another, which finds it by its block offset.
 */
class LargeTensorAcrossProcessesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Child: attaches, checks the ends of the tensor at args[1], negates them. */
    public static final class Child {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(30))) {
                SharedTensor t = shm.tensorAt(Long.parseLong(args[1]));
                long n = t.elementCount();
                System.out.println("elements=" + n);
                System.out.println("bytes=" + t.byteSize());
                System.out.println("first=" + t.getFloatAt(0));
                System.out.println("last=" + t.getFloatAt(n - 1));
                t.setFloatAt(0, -t.getFloatAt(0));
                t.setFloatAt(n - 1, -t.getFloatAt(n - 1));
            }
        }
    }

    @Test
    void aTensorOver2GiBIsSharedWithAChildJvm() {
        long elements = 600_000_000L; // 2.4 GB of floats
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 3L << 30)) {
            SharedTensor t = shm.newTensor(SharedTensor.Init.UNINITIALIZED, DType.FLOAT32, elements);
            assertTrue(t.byteSize() > Integer.MAX_VALUE);
            t.setFloatAt(0, 1.25f);
            t.setFloatAt(elements - 1, 7.5f);
            try (ChildJvm child = ChildJvm.start(Child.class, name, Long.toString(t.blockOffset()))) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                assertEquals(Long.toString(elements), r.value("elements"));
                assertEquals("1.25", r.value("first"));
                assertEquals("7.5", r.value("last"));
            }
            assertEquals(-1.25f, t.getFloatAt(0));
            assertEquals(-7.5f, t.getFloatAt(elements - 1));
        }
    }
}
