package io.ipcobjects.benchmarks.harness;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The scenarios the harness knows, by the name used on its command line. Add one line here for a
 * new scenario class.
 */
public final class Scenarios {

    private static final Map<String, Supplier<Scenario>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("pingpong", PingPongScenario::new);
        BY_NAME.put("lock-alternate", LockAlternationScenario::new);
        BY_NAME.put("lock-contend", LockContentionScenario::new);
        BY_NAME.put("agrona-ring", AgronaRingScenario::new);
    }

    private Scenarios() {
    }

    public static Scenario create(String name) {
        Supplier<Scenario> factory = BY_NAME.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("no scenario \"" + name + "\"; known: " + names());
        }
        return factory.get();
    }

    public static Set<String> names() {
        return BY_NAME.keySet();
    }

    /** What runs when no scenario is named (the baseline is added by the harness). */
    static List<String> defaultRun() {
        return List.of("lock-alternate", "lock-contend", "lock-contend:wait=busySpin", "agrona-ring");
    }
}
