package io.ipcobjects.internal.messages;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.Access;
import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.SharedTensor;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The original's example through the queue: process A puts a nested object, process B takes it
 * and changes its nested containers, A sees every change through the view {@code putMessage}
 * gave it. The original's NumPy array field is an {@code int[]} in a field typed {@code Object}: it
 * is stored as a 1-D INT32 tensor and comes back to both processes as a {@link SharedTensor}
 * view of the same bytes, so an element the consumer sets is seen by the producer.
 */
class ExampleObjectExchangeTest {

    public record Employee(String name, int age, List<String> skills) {
    }

    public record CompanyInfo(String name, List<String> offices, Map<String, Object> metrics, Employee ceo) {
    }

    /** {@code someArray} is typed {@code Object}: an {@code int[]} goes in, a {@code SharedTensor} comes out. */
    public record SomeSharedObject(int someInt, String someString, Map<Object, Object> someDict, Object someArray,
            CompanyInfo company) {
    }

    static SomeSharedObject example() {
        Map<Object, Object> dict = new HashMap<>();
        dict.put("key1", 1L);
        dict.put(List.of(1L, 2L), "tuple key");
        Map<String, Object> metrics = new HashMap<>(Map.of("revenue", 1_000_000.5, "rating", 4.5));
        CompanyInfo company = new CompanyInfo("Example Corp", new ArrayList<>(List.of("Berlin", "Tokyo")), metrics,
                new Employee("Ada", 36, new ArrayList<>(List.of("java"))));
        return new SomeSharedObject(42, "hello", dict, new int[] {1, 2, 3, 4, 5}, company);
    }

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aConsumerChangesNestedContainersAndTheProducerSeesThem() {
        String name = regions.newName();
        try (SharedMemory shm = SharedMemory.create(name, 4 << 20)) {
            SomeSharedObject mine = shm.putMessage(example());
            assertEquals(42, mine.someInt());
            assertEquals(1L, mine.someDict().get("key1"));
            SharedTensor array = assertInstanceOf(SharedTensor.class, mine.someArray());
            assertEquals(DType.INT32, array.dtype());
            assertArrayEquals(new long[] {5}, array.shape());
            assertArrayEquals(new int[] {1, 2, 3, 4, 5}, array.toIntArray());
            try (ChildJvm child = ChildJvm.start(Consumer.class, name)) {
                ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
                assertEquals("42/hello/Example Corp/Ada", r.value("took"), r.describe());
                assertEquals("[1, 2, 3, 4, 5]", r.value("array"), r.describe());
            }
            assertFalse(shm.hasMessages());
            try (Access a = shm.acquire()) {
                assertEquals(100L, mine.someDict().get("key1"));
                assertEquals("changed", mine.someDict().get(List.of(1L, 2L)));
                assertEquals(List.of("Berlin", "Tokyo", "Paris"), mine.company().offices());
                assertEquals(5.0, mine.company().metrics().get("rating"));
                assertEquals(List.of("java", "rust"), mine.company().ceo().skills());
                assertArrayEquals(new int[] {1, 2, 300, 4, 5}, array.toIntArray());
                assertEquals(300, ((SharedTensor) mine.someArray()).getInt(2));
                a.verify();
            }
        }
    }

    /** Takes the example and changes one thing in each nested container. */
    public static final class Consumer {
        public static void main(String[] args) {
            try (SharedMemory shm = SharedMemory.attach(args[0], Duration.ofSeconds(60),
                    SharedMemoryOptions.defaults().withAllowedClasses(SomeSharedObject.class, CompanyInfo.class, Employee.class)); Access a = shm.acquire()) {
                SomeSharedObject taken = a.takeMessage();
                System.out.println("took=" + taken.someInt() + "/" + taken.someString() + "/" + taken.company().name() + "/"
                        + taken.company().ceo().name());
                taken.someDict().put("key1", 100L);
                taken.someDict().put(List.of(1L, 2L), "changed");
                taken.company().offices().add("Paris");
                taken.company().metrics().put("rating", 5.0);
                taken.company().ceo().skills().add("rust");
                SharedTensor array = (SharedTensor) taken.someArray(); // the producer's int[], as a view
                System.out.println("array=" + java.util.Arrays.toString(array.toIntArray()));
                array.setInt(300, 2);
            }
        }
    }
}
