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
        BY_NAME.put("message-roundtrip", MessageRoundTripScenario::new);
        BY_NAME.put("map-increment", MapIncrementScenario::new);
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

    /**
     * Named lists of specs, given on the command line as {@code @name}. {@code @fairness}: the
     * lock under contention over 200k-acquisition windows, for both wait strategies and a range
     * of {@code lockBurstLimit} values (the default is 32).
     */
    static List<String> preset(String name) {
        return switch (name) {
            case "fairness" -> {
                List<String> specs = new java.util.ArrayList<>();
                for (String wait : List.of("backoff", "busySpin")) {
                    for (String burst : List.of("0", "8", "32", "256", "4096")) {
                        specs.add("lock-contend:wait=" + wait + ",burst=" + burst + ",acquisitions=200000");
                    }
                }
                yield specs;
            }
            case "default" -> defaultRun();
            default -> throw new IllegalArgumentException("no preset @" + name + "; known: @default, @fairness");
        };
    }

    /** What runs when no scenario is named (the baseline is added by the harness). */
    static List<String> defaultRun() {
        return List.of("lock-alternate", "lock-contend", "lock-contend:wait=busySpin", "agrona-ring", "message-roundtrip",
                "map-increment");
    }
}
