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
        BY_NAME.put("channel-oneway", ChannelOneWayScenario::new);
        BY_NAME.put("channel-roundtrip", ChannelRoundTripScenario::new);
        BY_NAME.put("agrona-oneway", AgronaOneWayScenario::new);
        BY_NAME.put("uds-oneway", UdsOneWayScenario::new);
        BY_NAME.put("uds-objects", UdsObjectsScenario::new);
        BY_NAME.put("tensor-ring", TensorRingScenario::new);
        BY_NAME.put("memcpy", MemcpyScenario::new);
        BY_NAME.put("raw-slots", RawSlotsScenario::new);
        BY_NAME.put("raw-ring", RawRingScenario::new);
        BY_NAME.put("raw-roundtrip", RawRoundTripScenario::new);
    }

    /**
     * A scenario set beside its peer measured in the same run, with the target for the ratio of
     * their medians: at least {@code target} for rates ({@code higherIsBetter}), at most
     * {@code target} for times; {@code NaN}: no target, the ratio is only shown. {@code floor}:
     * a least median of the scenario itself, in its unit ({@code NaN}: none).
     */
    record Comparison(String spec, String peerSpec, boolean higherIsBetter, double target, double floor) {

        boolean matches(String spec, String peerSpec) {
            return normalized(this.spec).equals(normalized(spec)) && normalized(this.peerSpec).equals(normalized(peerSpec));
        }

        static String normalized(String spec) {
            return RunContext.parse("", spec).spec();
        }

        /** The target as the summaries print it, e.g. {@code ">= 3.00x, >= 1.000 M msg/s"}; {@code "-"} for none. */
        String targetText(String unit) {
            String ratio = Double.isNaN(target) ? "" : (higherIsBetter ? ">= " : "<= ") + String.format(java.util.Locale.ROOT, "%.2fx", target);
            String least = Double.isNaN(floor) ? "" : ">= " + WindowStats.figure(floor) + " " + unit;
            return ratio.isEmpty() ? (least.isEmpty() ? "-" : least) : (least.isEmpty() ? ratio : ratio + ", " + least);
        }
    }

    /** 1 MiB messages taken with {@code pollBytes} from a channel holding up to 64 of them, put in turn through the heap. */
    static final String BYTES_1M_IN_FLIGHT = "channel-oneway:msg=bytes,bytes=1048576,consume=pollbytes,capacity=64,spread=true";
    /** A tensor ring of 64 slots of 1 MiB. */
    static final String TENSOR_RING_IN_FLIGHT = "tensor-ring:rows=256,cols=1024,slots=64";

    /**
     * How fast 1 MiB batches move between the two processes by how many are in flight: plain
     * slots with no library, 4 to 64 of them, the socket, and one core copying into 64
     * destinations in turn. With few slots a batch is read while it is still in the writer's
     * cache: fastest when the two cores share that cache, slowest when they do not (the data
     * then crosses between caches line by line). With more slots than the caches hold, it is
     * read from memory, at one speed either way.
     */
    static final List<String> IN_FLIGHT = List.of("raw-slots:bytes=1048576,slots=4", "raw-slots:bytes=1048576,slots=8",
            "raw-slots:bytes=1048576,slots=16", "raw-slots:bytes=1048576,slots=32", "raw-slots:bytes=1048576,slots=64",
            "uds-oneway:bytes=1048576", "memcpy:bytes=1048576,targets=64");

    /**
     * The channel and tensor-ring scenarios beside their peers, with the targets of issue 10:
     * small messages one way at least 0.8x Agrona's ring, a round trip at most 1.3x Agrona's time,
     * 1 MiB messages at least the socket's rate, records at least 3x Java serialization over a
     * socket and 1 M/s, tensor batches at least 0.8x {@code MemorySegment.copy}.
     */
    static final List<Comparison> COMPARISONS = List.of(
            new Comparison("channel-oneway:msg=long", "agrona-oneway:bytes=8", true, 0.8, Double.NaN),
            // Beside Agrona's ring for many producers, whose writers claim room with a CAS as these channels' putters do.
            new Comparison("channel-oneway:msg=long", "agrona-oneway:bytes=8,producers=many", true, Double.NaN, Double.NaN),
            new Comparison("channel-oneway:msg=bytes,bytes=32", "agrona-oneway:bytes=32", true, 0.8, Double.NaN),
            // Read in place, as Agrona's handler reads its ring: no array per message on either side.
            new Comparison("channel-oneway:msg=bytes,bytes=32,consume=drainbytes", "agrona-oneway:bytes=32", true, 0.8, Double.NaN),
            new Comparison("channel-roundtrip:bytes=32", "agrona-ring:bytes=32", false, 1.3, Double.NaN),
            new Comparison("channel-roundtrip:bytes=32,consume=pollbytes", "agrona-ring:bytes=32", false, 1.3, Double.NaN),
            // Channels of one producer (Channel.Producers.ONE), as Agrona's one-to-one ring takes one.
            new Comparison("channel-oneway:msg=long,producers=one", "agrona-oneway:bytes=8", true, 0.8, Double.NaN),
            new Comparison("channel-oneway:msg=long,produce=putlong,consume=drainlongs", "agrona-oneway:bytes=8", true, 0.8, Double.NaN),
            new Comparison("channel-oneway:msg=long,produce=putlong,consume=drainlongs,producers=one", "agrona-oneway:bytes=8", true, 0.8,
                    Double.NaN),
            new Comparison("channel-oneway:msg=bytes,bytes=32,consume=drainbytes,producers=one", "agrona-oneway:bytes=32", true, 0.8,
                    Double.NaN),
            new Comparison("channel-roundtrip:bytes=32,producers=one", "agrona-ring:bytes=32", false, 1.3, Double.NaN),
            new Comparison("channel-roundtrip:bytes=32,consume=pollbytes,producers=one", "agrona-ring:bytes=32", false, 1.3, Double.NaN),
            new Comparison("channel-oneway:msg=bytes,bytes=1048576", "uds-oneway:bytes=1048576", true, 1.0, Double.NaN),
            // Each message copied out of its view into one reused byte[], as the socket's reader reads into one buffer.
            new Comparison("channel-oneway:msg=bytes,bytes=1048576,consume=pollbytes", "uds-oneway:bytes=1048576", true, 1.0, Double.NaN),
            new Comparison("channel-oneway:msg=record", "uds-objects:codec=oos", true, 3.0, 1.0),
            new Comparison("channel-oneway:msg=record", "uds-objects:codec=data", true, Double.NaN, Double.NaN),
            new Comparison("tensor-ring:rows=256,cols=1024", "memcpy:bytes=1048576", true, 0.8, Double.NaN),
            new Comparison("tensor-ring:rows=256,cols=1024", "memcpy:bytes=1048576,sum=true", true, Double.NaN, Double.NaN),
            new Comparison("tensor-ring:rows=256,cols=1024", "raw-slots:bytes=1048576", true, Double.NaN, Double.NaN),
            // A copy whose destinations are not in the caches (64 MiB of them, in turn): a copy at the memory's speed.
            new Comparison("tensor-ring:rows=256,cols=1024", "memcpy:bytes=1048576,targets=64", true, Double.NaN, Double.NaN),
            // The same with 64 MiB in flight, more than the caches hold: what moves large
            // batches fastest when the two processes do not share a core's cache (IN_FLIGHT).
            new Comparison(BYTES_1M_IN_FLIGHT, "uds-oneway:bytes=1048576", true, 1.0, Double.NaN),
            new Comparison(TENSOR_RING_IN_FLIGHT, "memcpy:bytes=1048576", true, 0.8, Double.NaN),
            new Comparison(TENSOR_RING_IN_FLIGHT, "memcpy:bytes=1048576,targets=64", true, Double.NaN, Double.NaN));

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
     * of {@code lockBurstLimit} values (the default is 32). {@code @channels}: every
     * {@link #COMPARISONS comparison}'s scenario followed by its peer. {@code @in-flight}: {@link #IN_FLIGHT}.
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
            case "channels" -> {
                // Each scenario once, followed by its peers, each peer once after it: a peer that
                // ran before for another scenario runs again, beside this one.
                List<String> specs = new java.util.ArrayList<>();
                String scenario = null;
                Set<String> peersSince = new java.util.HashSet<>();
                for (Comparison c : COMPARISONS) {
                    if (!c.spec().equals(scenario)) {
                        scenario = c.spec();
                        specs.add(scenario);
                        peersSince.clear();
                    }
                    if (peersSince.add(c.peerSpec())) {
                        specs.add(c.peerSpec());
                    }
                }
                yield List.copyOf(specs);
            }
            case "in-flight" -> IN_FLIGHT;
            default -> throw new IllegalArgumentException("no preset @" + name + "; known: @default, @fairness, @channels, @in-flight");
        };
    }

    /** What runs when no scenario is named (the baseline is added by the harness). */
    static List<String> defaultRun() {
        return List.of("lock-alternate", "lock-contend", "lock-contend:wait=busySpin", "agrona-ring", "message-roundtrip",
                "map-increment");
    }
}
