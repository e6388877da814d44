package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.benchmarks.charts.Json;
import io.ipcobjects.childjvm.ChildJvm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The cross-process harness: runs two-process scenarios ({@link Scenarios}), each side pinned to
 * its own core, and prints per-window figures, their median (with min and max) and a check that
 * every message or count is accounted for.
 *
 * <p>Core-to-core latency on the VMs this was written on changes between runs by up to 4x, so a
 * figure only means something beside a baseline measured right next to it: unless told
 * otherwise the harness runs the plain cache-line ping-pong ({@link PingPongScenario}) before and
 * after every scenario, and prints each "ns/" figure as a multiple of both.
 *
 * <p>Scenarios that time single operations ({@link Scenario#recordsLatency()}: the round trips
 * and the lock alternation) then run as many latency windows again, with the clock read once per
 * operation, and the harness prints the percentiles of those latencies (p50 to max, from an
 * HdrHistogram). The medians come from the first windows only, which have no clock read per
 * operation. {@code --json=<file>} writes every figure of the run to a JSON file as well
 * ({@code benchmarks/run-charts.sh} draws charts from it).
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.harness.Harness \
 *      [--windows=5] [--warmup=3] [--max-warmup=13] [--window-ms=1000] [--quick] [--no-pin] [--no-baseline] [--cores=0,1] \
 *      [--no-latency] [--interleave] [--json=results.json] [scenario[:key=value,...] | @preset ...]
 * </pre>
 * {@code --quick} is {@code --warmup=1 --windows=3 --window-ms=300} (options after it still
 * count). {@code --warmup} is the least number of warm-up windows: more run while the figure still
 * improves by more than 10% a window, up to {@code --max-warmup} (default: {@code --warmup} + 10;
 * {@link WarmUp}). Scenarios run with their peer ({@link Scenarios#COMPARISONS}, the {@code @channels}
 * preset) are also set beside it in a table of ratios and targets at the end.
 * {@code --interleave} sets every scenario up at once and measures them one window at a time in
 * turn, the other children stopped, and compares each scenario with its peer round by round
 * ({@link InterleavedRun}).
 * The {@code --add-exports} flag is only for the Agrona ring scenario (Agrona's
 * {@code UnsafeBuffer}); children get the parent's flags. Exit code 0 when every scenario ran
 * and verified, 1 otherwise.
 */
public final class Harness {

    static final String BASELINE = "pingpong";
    private static final long CHILD_READY_TIMEOUT_MILLIS = 60_000;
    static final long CHILD_EXIT_TIMEOUT_MILLIS = 30_000;
    /**
     * Warm-up windows past {@code --warmup} a scenario may take by default while its figure still
     * improves ({@link WarmUp}): enough for the slowest compile seen here (a round trip that took
     * seven windows of 300 ms to settle), at most 10 windows more per scenario.
     */
    private static final int DEFAULT_EXTRA_WARMUP = 10;

    private final int warmupWindows;
    /** Warm-up windows a scenario may take while its figure still improves ({@link WarmUp}). */
    private final int maxWarmupWindows;
    private final int windows;
    private final long windowNanos;
    private final Pinning pinning;
    private final int cpus;
    private final boolean latency;
    private int runs;

    /**
     * A harness for tests: unpinned (a test JVM must not pin itself), latency windows on, as many
     * warm-up and measured windows of {@code windowMillis} as given; {@link #run} one spec at a time.
     */
    static Harness forTests(int warmupWindows, int windows, long windowMillis) {
        return new Harness(warmupWindows, warmupWindows, windows, windowMillis * 1_000_000, Pinning.detect(0, 1, false),
                Runtime.getRuntime().availableProcessors(), true);
    }

    private Harness(int warmupWindows, int maxWarmupWindows, int windows, long windowNanos, Pinning pinning, int cpus,
            boolean latency) {
        this.warmupWindows = warmupWindows;
        this.maxWarmupWindows = maxWarmupWindows;
        this.windows = windows;
        this.windowNanos = windowNanos;
        this.pinning = pinning;
        this.cpus = cpus;
        this.latency = latency;
    }

    /**
     * What one scenario gave: its window figures and their stats, the latency percentiles if it
     * timed single operations ({@code latencyOperation} names the operation), or why it failed.
     */
    record Outcome(String spec, String unit, List<Double> figures, WindowStats stats, String latencyOperation,
                           LatencyStats latency, String check, String failure, String loadAverage) {
        boolean ok() {
            return failure == null;
        }

        static Outcome failed(String spec, String unit, String failure, String loadAverage) {
            return new Outcome(spec, unit, List.of(), null, null, null, null, failure, loadAverage);
        }
    }

    public static void main(String[] args) throws Exception {
        int warmup = 3;
        int maxWarmup = -1; // by default --warmup + DEFAULT_EXTRA_WARMUP
        int windows = 5;
        long windowMillis = 1000;
        boolean pin = true;
        boolean baseline = true;
        int parentCore = 0;
        int childCore = 1;
        boolean latency = true;
        boolean interleave = false;
        Path json = null;
        List<String> specs = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--windows=")) {
                windows = Integer.parseInt(arg.substring("--windows=".length()));
            } else if (arg.startsWith("--warmup=")) {
                warmup = Integer.parseInt(arg.substring("--warmup=".length()));
            } else if (arg.startsWith("--max-warmup=")) {
                maxWarmup = Integer.parseInt(arg.substring("--max-warmup=".length()));
            } else if (arg.startsWith("--window-ms=")) {
                windowMillis = Long.parseLong(arg.substring("--window-ms=".length()));
            } else if (arg.equals("--quick")) {
                warmup = 1;
                windows = 3;
                windowMillis = 300;
            } else if (arg.equals("--no-pin")) {
                pin = false;
            } else if (arg.equals("--no-baseline")) {
                baseline = false;
            } else if (arg.equals("--no-latency")) {
                latency = false;
            } else if (arg.equals("--interleave")) {
                interleave = true;
            } else if (arg.startsWith("--json=")) {
                json = Path.of(arg.substring("--json=".length()));
            } else if (arg.startsWith("--cores=")) {
                String[] cores = arg.substring("--cores=".length()).split(",");
                parentCore = Integer.parseInt(cores[0]);
                childCore = Integer.parseInt(cores[1]);
            } else if (arg.startsWith("--")) {
                throw new IllegalArgumentException("unknown option " + arg + "; scenarios: " + Scenarios.names());
            } else if (arg.startsWith("@")) {
                specs.addAll(Scenarios.preset(arg.substring(1)));
            } else {
                specs.add(arg);
            }
        }
        if (specs.isEmpty()) {
            specs.addAll(Scenarios.defaultRun());
        }
        if (windows < 1 || warmup < 0 || windowMillis < 1) {
            throw new IllegalArgumentException("need --windows >= 1, --warmup >= 0, --window-ms >= 1");
        }
        if (maxWarmup < 0) {
            maxWarmup = warmup + DEFAULT_EXTRA_WARMUP;
        } else if (maxWarmup < warmup) {
            throw new IllegalArgumentException("--max-warmup=" + maxWarmup + " is below --warmup=" + warmup);
        }
        int cpus = Runtime.getRuntime().availableProcessors(); // before pinning, which makes it 1
        Pinning pinning = Pinning.detect(parentCore, childCore, pin);
        if (pinning.enabled() && !pinning.pinSelf()) {
            pinning = Pinning.detect(parentCore, childCore, false);
        }
        Harness harness = new Harness(warmup, maxWarmup, windows, windowMillis * 1_000_000, pinning, cpus, latency);
        if (interleave) {
            String unsupported = ChildPause.unsupportedReason();
            if (unsupported != null) {
                throw new IllegalArgumentException("--interleave: " + unsupported);
            }
            System.exit(harness.runInterleaved(specs, baseline, json) ? 0 : 1);
        }
        System.exit(harness.runAll(specs, baseline, json) ? 0 : 1);
    }

    /**
     * Runs the scenarios, each between two baselines unless told otherwise: the core-to-core
     * latency of this VM switches between levels (70 and 400 ns per ping-pong were both seen
     * within a minute), so a scenario is only compared with the baselines right before and after
     * it, and the summary flags a scenario whose two baselines disagree.
     */
    private boolean runAll(List<String> specs, boolean withBaseline, Path json) throws IOException {
        System.out.println("harness: " + pinning.describe() + "; " + warmupWindows + " warm-up (up to " + maxWarmupWindows
                + " while the figure still improves) + " + windows + " windows of "
                + windowNanos / 1_000_000 + " ms" + (latency ? " (+ " + windows + " latency windows where timed per operation)" : "")
                + "; java " + Runtime.version() + "; " + cpus + " cpus: " + cpuModel());
        List<Outcome> outcomes = new ArrayList<>();
        for (String spec : specs) {
            boolean isBaseline = RunContext.parse("", spec).scenario().equals(BASELINE);
            if (withBaseline && !isBaseline && !lastIsBaseline(outcomes)) {
                outcomes.add(run(BASELINE));
            }
            outcomes.add(run(spec));
            if (withBaseline && !isBaseline) {
                outcomes.add(run(BASELINE));
            }
        }
        printSummary(outcomes);
        if (json != null) {
            writeJson(json, toJson(outcomes, withBaseline));
        }
        return outcomes.stream().allMatch(Outcome::ok);
    }

    /** {@code --interleave}: the scenarios set up at once and measured window by window in turn ({@link InterleavedRun}). */
    boolean runInterleaved(List<String> specs, boolean withBaseline, Path json) throws IOException {
        System.out.println("harness: " + pinning.describe() + "; interleaved: every scenario set up at once, one window of each in "
                + "turn, the other children stopped; " + warmupWindows + " warm-up rounds (up to " + maxWarmupWindows
                + " while a figure still improves) + " + windows + " rounds of " + windowNanos / 1_000_000 + " ms windows; java "
                + Runtime.version() + "; " + cpus + " cpus: " + cpuModel());
        List<Outcome> outcomes = new InterleavedRun(warmupWindows, maxWarmupWindows, windows, windowNanos, pinning)
                .run(specs, withBaseline);
        InterleavedRun.printSummary(outcomes);
        if (json != null) {
            writeJson(json, interleavedJson(outcomes, withBaseline));
        }
        return outcomes.stream().allMatch(Outcome::ok);
    }

    private static void writeJson(Path json, Map<String, Object> content) throws IOException {
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(json, Json.write(content));
        System.out.println("wrote " + json);
    }

    private static boolean lastIsBaseline(List<Outcome> outcomes) {
        return !outcomes.isEmpty() && isBaseline(outcomes.getLast());
    }

    private static boolean isBaseline(Outcome o) {
        return RunContext.parse("", o.spec()).scenario().equals(BASELINE);
    }

    Outcome run(String spec) {
        RunContext run = RunContext.parse(ProcessHandle.current().pid() + "-" + (++runs), spec);
        System.out.println();
        String load = loadAverage();
        System.out.println("== " + run.spec() + "   (load average " + load + ")");
        Scenario scenario;
        try {
            scenario = Scenarios.create(run.scenario());
        } catch (IllegalArgumentException e) {
            System.out.println("FAILED: " + e.getMessage());
            return Outcome.failed(spec, "", e.getMessage(), load);
        }
        Path controlPath = run.file("control");
        ChildJvm child = null;
        try (ControlBlock control = ControlBlock.create(controlPath)) {
            try {
                scenario.setUp(run);
                child = startChild(pinning, run, scenario, controlPath);
                awaitReady(control, child);
                WarmUp warmUp = new WarmUp(warmupWindows, maxWarmupWindows, scenario.unit());
                List<Double> warmUpFigures = new ArrayList<>();
                while (warmUp.wantsAnother(warmUpFigures)) {
                    double figure = scenario.measureWindow(windowNanos);
                    warmUpFigures.add(figure);
                    System.out.printf(Locale.ROOT, "  warm-up %d: %s %s %s%n", warmUpFigures.size(), WindowStats.figure(figure),
                            scenario.unit(), scenario.windowDetail());
                }
                System.out.print(warmUp.describe(warmUpFigures));
                List<Double> figures = new ArrayList<>();
                for (int i = 0; i < windows; i++) {
                    double figure = scenario.measureWindow(windowNanos);
                    figures.add(figure);
                    System.out.printf(Locale.ROOT, "  window %d: %s %s %s%n", i + 1, WindowStats.figure(figure), scenario.unit(),
                            scenario.windowDetail());
                }
                LatencyStats latencyStats = latency && scenario.recordsLatency() ? measureLatency(scenario) : null;
                control.requestStop();
                scenario.afterStopRequested(control);
                child.awaitSuccess(Duration.ofMillis(CHILD_EXIT_TIMEOUT_MILLIS));
                String check = scenario.verify(control);
                WindowStats stats = WindowStats.of(figures);
                System.out.println("  result: " + stats.format(scenario.unit()));
                if (latencyStats != null) {
                    System.out.println("  latency per " + scenario.latencyOperation() + ": " + latencyStats.format());
                }
                System.out.println("  check:  " + check);
                return new Outcome(spec, scenario.unit(), List.copyOf(figures), stats,
                        latencyStats == null ? null : scenario.latencyOperation(), latencyStats, check, null, load);
            } finally {
                control.requestStop(); // lets a child still serving finish on its own
                if (child != null && child.isAlive()) {
                    try {
                        child.await(Duration.ofSeconds(5)); // kills it after that
                    } catch (ChildJvm.ChildJvmException e) {
                        child.close();
                    }
                }
                scenario.tearDown();
                control.closeAndDelete();
            }
        } catch (Exception | AssertionError e) {
            System.out.println("FAILED: " + e);
            return Outcome.failed(spec, scenario.unit(), String.valueOf(e), load);
        }
    }

    /**
     * Starts the child JVM of {@code scenario}: it runs as this JVM does (its flags, plus the
     * scenario's), pinned as {@code pinning} says, its output echoed; the scenario is handed it.
     */
    static ChildJvm startChild(Pinning pinning, RunContext run, Scenario scenario, Path controlPath) {
        ChildJvm child = ChildJvm.builder(HarnessChild.class).wrapper(pinning.childPrefix()).inheritAllJvmFlags()
                .jvmOptions(scenario.childJvmFlags()).args(run.runId(), run.spec(), controlPath.toString()).echo("").start();
        scenario.childStarted(child);
        return child;
    }

    /**
     * The latency windows: one warm-up window (unless there are no warm-ups), then as many as the
     * measured windows, each timing every operation, all recorded into one histogram; each
     * window's own percentiles are printed as it ends.
     */
    private LatencyStats measureLatency(Scenario scenario) throws Exception {
        Histogram all = LatencyStats.newHistogram();
        Histogram window = LatencyStats.newHistogram();
        if (warmupWindows > 0) {
            double figure = scenario.measureLatencyWindow(windowNanos, window); // compiles the timed loop
            System.out.printf(Locale.ROOT, "  latency warm-up: %.1f %s, %s%n", figure, scenario.unit(),
                    LatencyStats.of(window).format());
        }
        for (int i = 0; i < windows; i++) {
            window.reset();
            double figure = scenario.measureLatencyWindow(windowNanos, window);
            all.add(window);
            System.out.printf(Locale.ROOT, "  latency window %d: %.1f %s, %s%n", i + 1, figure, scenario.unit(),
                    LatencyStats.of(window).format());
        }
        return LatencyStats.of(all);
    }

    /**
     * The processor's model name as the kernel reports it ({@code /proc/cpuinfo}), or "unknown":
     * a cloud guest can move to another kind of host between runs, and the two-process figures
     * change with it (docs/performance.md, "The machine").
     */
    static String cpuModel() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average: on a shared machine, the first thing to read beside a figure. */
    static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static void awaitReady(ControlBlock control, ChildJvm child) throws InterruptedException {
        long deadline = System.nanoTime() + CHILD_READY_TIMEOUT_MILLIS * 1_000_000;
        while (!control.isReady()) {
            if (!child.isAlive()) {
                throw new IllegalStateException("child exited before it was ready: " + child.await(Duration.ZERO).describe());
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("child pid " + child.pid() + " not ready within " + CHILD_READY_TIMEOUT_MILLIS + " ms");
            }
            Thread.sleep(1);
        }
    }

    /** Drift between the baselines around a scenario above which its ratios are flagged. */
    private static final double DRIFT_LIMIT = 1.25;

    private static void printSummary(List<Outcome> outcomes) {
        System.out.println();
        System.out.println("== summary (load average " + loadAverage() + "); x before / x after: median over the median of the "
                + "ping-pong right before / after; DRIFT: those two baselines differ by more than "
                + Math.round((DRIFT_LIMIT - 1) * 100) + "%");
        System.out.printf(Locale.ROOT, "%-52s %10s %10s %10s  %-15s %8s %8s  %s%n", "scenario", "median", "min", "max", "unit",
                "x before", "x after", "check");
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (!o.ok()) {
                System.out.printf(Locale.ROOT, "%-52s FAILED: %s%n", o.spec(), o.failure());
                continue;
            }
            Outcome before = isBaseline(o) ? null : neighbourBaseline(outcomes, i, -1);
            Outcome after = isBaseline(o) ? null : neighbourBaseline(outcomes, i, +1);
            boolean ns = o.unit().startsWith("ns/");
            String ratioBefore = ns && before != null ? ratio(o, before) : "";
            String ratioAfter = ns && after != null ? ratio(o, after) : "";
            String drift = before != null && after != null
                    && Math.max(before.stats().median(), after.stats().median())
                    > DRIFT_LIMIT * Math.min(before.stats().median(), after.stats().median()) ? "DRIFT " : "";
            System.out.printf(Locale.ROOT, "%-52s %10s %10s %10s  %-15s %8s %8s  %s%s%n", o.spec(), WindowStats.figure(o.stats().median()),
                    WindowStats.figure(o.stats().min()), WindowStats.figure(o.stats().max()), o.unit(), ratioBefore, ratioAfter, drift,
                    o.check());
        }
        printLatencySummary(outcomes);
        printComparisons(outcomes);
    }

    /**
     * Where this machine's core-to-core latency sat around a scenario, by the ping-pongs right
     * before and after it: {@code fast} if every window of both stayed under
     * {@link #FAST_LEVEL_NANOS} (about 70-110 ns here: two vCPUs on one physical core), {@code slow}
     * if every window of both was at or above it (about 300-500 ns), {@code mixed} otherwise (or
     * with no ping-pong beside it). A ratio means most when scenario and peer ran at one level.
     */
    enum Level {
        FAST, SLOW, MIXED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The ping-pong round trip that separates the fast level from the slow one. */
    static final double FAST_LEVEL_NANOS = 200;

    /** The level around outcome {@code i} of {@code outcomes}, by its neighbouring ping-pongs. */
    static Level levelAround(List<Outcome> outcomes, int i) {
        Outcome before = neighbourBaseline(outcomes, i, -1);
        Outcome after = neighbourBaseline(outcomes, i, +1);
        if (before == null || after == null) {
            return Level.MIXED;
        }
        double max = Math.max(before.stats().max(), after.stats().max());
        double min = Math.min(before.stats().min(), after.stats().min());
        return max < FAST_LEVEL_NANOS ? Level.FAST : min >= FAST_LEVEL_NANOS ? Level.SLOW : Level.MIXED;
    }

    /**
     * A scenario and its peer from the same run, both successful, with the comparison they were
     * run for and the level the machine sat at around each.
     */
    record Paired(Scenarios.Comparison comparison, Outcome scenario, Outcome peer, Level scenarioLevel, Level peerLevel) {

        /** Whether scenario and peer both ran at the fast level, or both at the slow one. */
        boolean atOneLevel() {
            return scenarioLevel == peerLevel && scenarioLevel != Level.MIXED;
        }

        /** The scenario's median over the peer's. */
        double ratio() {
            return scenario.stats().median() / peer.stats().median();
        }

        /** Whether the ratio and the floor are met; null when there is no target. */
        Boolean met() {
            if (Double.isNaN(comparison.target()) && Double.isNaN(comparison.floor())) {
                return null;
            }
            boolean ratioMet = Double.isNaN(comparison.target())
                    || (comparison.higherIsBetter() ? ratio() >= comparison.target() : ratio() <= comparison.target());
            boolean floorMet = Double.isNaN(comparison.floor()) || scenario.stats().median() >= comparison.floor();
            return ratioMet && floorMet;
        }

        String target() {
            return comparison.targetText(scenario.unit());
        }

        /** Ratios of the latency percentiles, for round trips timed per operation; "" otherwise. */
        String latencyRatios() {
            LatencyStats s = scenario.latency();
            LatencyStats p = peer.latency();
            return s == null || p == null ? ""
                    : String.format(Locale.ROOT, "p50 %.2fx, p90 %.2fx, p99 %.2fx", s.p50() / p.p50(), s.p90() / p.p90(), s.p99() / p.p99());
        }
    }

    /**
     * Every comparison of {@link Scenarios#COMPARISONS} whose scenario and peer both ran, and
     * succeeded, in this run: once for each run of the scenario, beside the first run of its
     * peer after it (or, if none follows, the last one before it), so a list given several times
     * gives one pair per pass.
     */
    static List<Paired> pairs(List<Outcome> outcomes) {
        List<Paired> pairs = new ArrayList<>();
        for (Scenarios.Comparison c : Scenarios.COMPARISONS) {
            String spec = Scenarios.Comparison.normalized(c.spec());
            String peerSpec = Scenarios.Comparison.normalized(c.peerSpec());
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome scenario = outcomes.get(i);
                if (!scenario.ok() || !Scenarios.Comparison.normalized(scenario.spec()).equals(spec)) {
                    continue;
                }
                int peer = -1;
                for (int j = i + 1; j < outcomes.size() && peer < 0; j++) {
                    if (Scenarios.Comparison.normalized(outcomes.get(j).spec()).equals(spec)) {
                        break; // the next pass's run of the scenario: its peer is that one's
                    }
                    if (outcomes.get(j).ok() && Scenarios.Comparison.normalized(outcomes.get(j).spec()).equals(peerSpec)) {
                        peer = j;
                    }
                }
                for (int j = i - 1; j >= 0 && peer < 0; j--) {
                    if (outcomes.get(j).ok() && Scenarios.Comparison.normalized(outcomes.get(j).spec()).equals(peerSpec)) {
                        peer = j;
                    }
                }
                if (peer >= 0) {
                    pairs.add(new Paired(c, scenario, outcomes.get(peer), levelAround(outcomes, i), levelAround(outcomes, peer)));
                }
            }
        }
        return pairs;
    }

    /**
     * For each comparison, the median of its ratios over the pairs that ran at one level, by
     * level: "fast: 0.41x (3 pairs); slow: 0.84x (2 pairs)"; empty when no pair did.
     */
    static Map<Scenarios.Comparison, String> ratiosByLevel(List<Paired> pairs) {
        Map<Scenarios.Comparison, String> byComparison = new LinkedHashMap<>();
        for (Scenarios.Comparison c : Scenarios.COMPARISONS) {
            List<String> parts = new ArrayList<>();
            for (Level level : List.of(Level.FAST, Level.SLOW)) {
                List<Double> ratios = new ArrayList<>();
                for (Paired p : pairs) {
                    if (p.comparison() == c && p.atOneLevel() && p.scenarioLevel() == level) {
                        ratios.add(p.ratio());
                    }
                }
                if (!ratios.isEmpty()) {
                    parts.add(String.format(Locale.ROOT, "%s: %.2fx (%d pair%s)", level, WindowStats.of(ratios).median(),
                            ratios.size(), ratios.size() == 1 ? "" : "s"));
                }
            }
            if (!parts.isEmpty()) {
                byComparison.put(c, String.join("; ", parts));
            }
        }
        return byComparison;
    }

    /** The summary's third table: each scenario beside its peer of the same run, the ratio of their medians and the target. */
    private static void printComparisons(List<Outcome> outcomes) {
        List<Paired> pairs = pairs(outcomes);
        if (pairs.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("== beside the peer of the same run: ratio = scenario median / peer median (for ns/ figures "
                + "lower is better, for rates higher)");
        System.out.printf(Locale.ROOT, "%-40s %10s  %-13s %-32s %10s %7s  %-11s %-28s %s%n", "scenario", "median", "unit", "peer",
                "median", "ratio", "levels", "target", "");
        for (Paired p : pairs) {
            Boolean met = p.met();
            System.out.printf(Locale.ROOT, "%-40s %10s  %-13s %-32s %10s %6.2fx  %-11s %-28s %s%s%n", p.scenario().spec(),
                    WindowStats.figure(p.scenario().stats().median()), p.scenario().unit(), p.peer().spec(),
                    WindowStats.figure(p.peer().stats().median()), p.ratio(), p.scenarioLevel() + "/" + p.peerLevel(), p.target(),
                    met == null ? "" : met ? "met" : "MISSED", p.latencyRatios().isEmpty() ? "" : "  (" + p.latencyRatios() + ")");
        }
        Map<Scenarios.Comparison, String> byLevel = ratiosByLevel(pairs);
        if (!byLevel.isEmpty()) {
            System.out.println();
            System.out.println("== ratios of the pairs whose scenario and peer ran at one level (levels: by the ping-pongs around "
                    + "each, fast when every window of both stayed under " + Math.round(FAST_LEVEL_NANOS) + " ns), median by level");
            byLevel.forEach((c, text) -> System.out.printf(Locale.ROOT, "%-40s beside %-32s %s%n", c.spec(), c.peerSpec(), text));
        }
    }

    /** The summary's second table: the per-operation latency percentiles, for the scenarios that have them. */
    private static void printLatencySummary(List<Outcome> outcomes) {
        if (outcomes.stream().noneMatch(o -> o.latency() != null)) {
            return;
        }
        System.out.println();
        System.out.println("== latency per operation (latency windows, clock read per operation included), ns");
        System.out.printf(Locale.ROOT, "%-52s %9s %9s %9s %9s %9s %12s  %s%n", "scenario", "p50", "p90", "p99", "p99.9", "max",
                "operations", "per");
        for (Outcome o : outcomes) {
            LatencyStats l = o.latency();
            if (l != null) {
                System.out.printf(Locale.ROOT, "%-52s %9.0f %9.0f %9.0f %9.0f %9.0f %12d  %s%n", o.spec(), l.p50(), l.p90(),
                        l.p99(), l.p999(), l.max(), l.count(), o.latencyOperation());
            }
        }
    }

    /**
     * The run as JSON: the settings, then per scenario (in run order, baselines included) its
     * window figures, median, min, max, unit, latency percentiles, check or failure, and the
     * medians of the ping-pong baselines right before and after it.
     */
    private Map<String, Object> toJson(List<Outcome> outcomes, boolean withBaseline) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "ipc-objects harness results 1");
        json.put("settings", settings(withBaseline, false));
        List<Object> scenarios = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            Map<String, Object> s = scenarioJson(o);
            if (o.ok()) {
                if (!isBaseline(o)) {
                    Outcome before = neighbourBaseline(outcomes, i, -1);
                    Outcome after = neighbourBaseline(outcomes, i, +1);
                    s.put("baselineBefore", before == null ? null : before.stats().median());
                    s.put("baselineAfter", after == null ? null : after.stats().median());
                }
                s.put("latency", o.latency() == null ? null : o.latency().toJson(o.latencyOperation()));
            }
            scenarios.add(s);
        }
        json.put("scenarios", scenarios);
        List<Object> comparisons = new ArrayList<>();
        for (Paired p : pairs(outcomes)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("spec", p.scenario().spec());
            c.put("peer", p.peer().spec());
            c.put("ratio", p.ratio());
            c.put("scenarioLevel", p.scenarioLevel().toString());
            c.put("peerLevel", p.peerLevel().toString());
            c.put("target", p.target());
            c.put("met", p.met());
            comparisons.add(c);
        }
        json.put("comparisons", comparisons);
        return json;
    }

    /** What every run's JSON says of one scenario: its spec, unit, window figures and their stats, and its check or failure. */
    private static Map<String, Object> scenarioJson(Outcome o) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("spec", o.spec());
        s.put("scenario", RunContext.parse("", o.spec()).scenario());
        s.put("ok", o.ok());
        s.put("unit", o.unit());
        s.put("loadAverage", Double.parseDouble(o.loadAverage()));
        if (o.ok()) {
            s.put("median", o.stats().median());
            s.put("min", o.stats().min());
            s.put("max", o.stats().max());
            s.put("windows", o.figures());
            s.put("check", o.check());
        } else {
            s.put("failure", o.failure());
        }
        return s;
    }

    /** The run's settings, for the JSON file; {@code interleaved}: the windows of the scenarios took turns ({@code --interleave}). */
    private Map<String, Object> settings(boolean withBaseline, boolean interleaved) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("pinning", pinning.describe());
        settings.put("warmupWindows", warmupWindows);
        settings.put("windows", windows);
        settings.put("windowMillis", windowNanos / 1_000_000);
        settings.put("latencyWindows", latency && !interleaved);
        settings.put("baseline", withBaseline ? BASELINE : null);
        settings.put("java", Runtime.version().toString());
        settings.put("cpus", cpus);
        settings.put("cpuModel", cpuModel());
        settings.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        settings.put("order", interleaved ? "interleaved" : "scenario after scenario");
        return settings;
    }

    /**
     * An interleaved run as JSON: the settings, each scenario's window figures (window {@code i}
     * of every scenario is from round {@code i}), and each comparison's per-round ratios.
     */
    Map<String, Object> interleavedJson(List<Outcome> outcomes, boolean withBaseline) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "ipc-objects harness results 1");
        json.put("settings", settings(withBaseline, true));
        List<Object> scenarios = new ArrayList<>();
        for (Outcome o : outcomes) {
            scenarios.add(scenarioJson(o));
        }
        json.put("scenarios", scenarios);
        List<Object> comparisons = new ArrayList<>();
        for (InterleavedRun.RoundPair p : InterleavedRun.roundPairs(outcomes)) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("spec", p.scenario().spec());
            c.put("peer", p.peer().spec());
            c.put("roundRatios", p.ratios());
            c.put("medianRatio", p.medianRatio());
            c.put("target", p.comparison().targetText(p.scenario().unit()));
            c.put("roundsMet", p.hasTarget() ? p.roundsMet() : null);
            comparisons.add(c);
        }
        json.put("comparisons", comparisons);
        return json;
    }

    /** The nearest successful ping-pong before ({@code step} -1) or after (+1) outcome {@code i}, if adjacent. */
    private static Outcome neighbourBaseline(List<Outcome> outcomes, int i, int step) {
        int j = i + step;
        if (j < 0 || j >= outcomes.size()) {
            return null;
        }
        Outcome candidate = outcomes.get(j);
        return isBaseline(candidate) && candidate.ok() ? candidate : null;
    }

    private static String ratio(Outcome o, Outcome baseline) {
        return String.format(Locale.ROOT, "%.2f", o.stats().median() / baseline.stats().median());
    }
}
