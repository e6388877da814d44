package io.ipcobjects.benchmarks.messages;

import io.ipcobjects.Access;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The nested object of the original's example ({@code SomeSharedObject}): an int, a string, a
 * map with string and tuple-like keys, an {@code int[]} (declared {@code Object}: it comes back
 * as a tensor view), and a company info with lists, a map and an employee.
 */
public final class ExampleObject {
    private ExampleObject() {
    }

    public record Employee(String name, int age, List<String> skills) {
    }

    public record CompanyInfo(String name, List<String> offices, Map<String, Object> metrics, Employee ceo) {
    }

    public record SomeSharedObject(int someInt, String someString, Map<Object, Object> someDict, Object someArray,
                                   CompanyInfo company) {
    }

    /** The example; {@code withArray}: include the {@code int[]} (stored as a tensor, once tensors exist). */
    public static SomeSharedObject create(boolean withArray) {
        Map<Object, Object> dict = new HashMap<>();
        dict.put("key1", 1L);
        dict.put("key2", "value2");
        dict.put(List.of(1L, 2L), "tuple key");
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("revenue", 1_000_000.5);
        metrics.put("employees", 250L);
        metrics.put("rating", 4.5);
        CompanyInfo company = new CompanyInfo("Example Corp", new ArrayList<>(List.of("Berlin", "Lisbon", "Tokyo")), metrics,
                new Employee("Ada", 36, new ArrayList<>(List.of("python", "java", "management"))));
        return new SomeSharedObject(42, "hello shared memory", dict, withArray ? new int[] {1, 2, 3, 4, 5} : null, company);
    }

    /** Destroys the live containers (and the tensor, if any) a taken example holds: the message handed them over. */
    public static void destroyContainers(Access access, SomeSharedObject taken) {
        if (taken.someArray() != null) {
            access.destroy(taken.someArray()); // the int[] came back as a SharedTensor view
        }
        access.destroy(taken.someDict());
        access.destroy(taken.company().offices());
        access.destroy(taken.company().metrics());
        access.destroy(taken.company().ceo().skills());
    }
}
