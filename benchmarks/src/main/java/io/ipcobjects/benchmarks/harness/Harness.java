package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.childjvm.ChildJvm;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.harness.Harness \
 *      [--windows=5] [--warmup=3] [--window-ms=1000] [--no-pin] [--no-baseline] [--cores=0,1] \
 *      [scenario[:key=value,...] | @preset ...]
 * </pre>
 * The {@code --add-exports} flag is only for the Agrona ring scenario (Agrona's
 * {@code UnsafeBuffer}); children get the parent's flags. Exit code 0 when every scenario ran
 * and verified, 1 otherwise.
 */
public final class Harness {

    private static final String BASELINE = "pingpong";
    private static final long CHILD_READY_TIMEOUT_MILLIS = 60_000;
    private static final long CHILD_EXIT_TIMEOUT_MILLIS = 30_000;

    private final int warmupWindows;
    private final int windows;
    private final long windowNanos;
    private final Pinning pinning;
    private final int cpus;
    private int runs;

    private Harness(int warmupWindows, int windows, long windowNanos, Pinning pinning, int cpus) {
        this.warmupWindows = warmupWindows;
        this.windows = windows;
        this.windowNanos = windowNanos;
        this.pinning = pinning;
        this.cpus = cpus;
    }

    /** What one scenario gave: its figures, or why it failed. */
    private record Outcome(String spec, String unit, WindowStats stats, String check, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    public static void main(String[] args) throws Exception {
        int warmup = 3;
        int windows = 5;
        long windowMillis = 1000;
        boolean pin = true;
        boolean baseline = true;
        int parentCore = 0;
        int childCore = 1;
        List<String> specs = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--windows=")) {
                windows = Integer.parseInt(arg.substring("--windows=".length()));
            } else if (arg.startsWith("--warmup=")) {
                warmup = Integer.parseInt(arg.substring("--warmup=".length()));
            } else if (arg.startsWith("--window-ms=")) {
                windowMillis = Long.parseLong(arg.substring("--window-ms=".length()));
            } else if (arg.equals("--no-pin")) {
                pin = false;
            } else if (arg.equals("--no-baseline")) {
                baseline = false;
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
        int cpus = Runtime.getRuntime().availableProcessors(); // before pinning, which makes it 1
        Pinning pinning = Pinning.detect(parentCore, childCore, pin);
        if (pinning.enabled() && !pinning.pinSelf()) {
            pinning = Pinning.detect(parentCore, childCore, false);
        }
        Harness harness = new Harness(warmup, windows, windowMillis * 1_000_000, pinning, cpus);
        System.exit(harness.runAll(specs, baseline) ? 0 : 1);
    }

    /**
     * Runs the scenarios, each between two baselines unless told otherwise: the core-to-core
     * latency of this VM switches between levels (70 and 400 ns per ping-pong were both seen
     * within a minute), so a scenario is only compared with the baselines right before and after
     * it, and the summary flags a scenario whose two baselines disagree.
     */
    private boolean runAll(List<String> specs, boolean withBaseline) {
        System.out.println("harness: " + pinning.describe() + "; " + warmupWindows + " warm-up + " + windows + " windows of "
                + windowNanos / 1_000_000 + " ms; java " + Runtime.version() + "; "
                + cpus + " cpus");
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
        return outcomes.stream().allMatch(Outcome::ok);
    }

    private static boolean lastIsBaseline(List<Outcome> outcomes) {
        return !outcomes.isEmpty() && isBaseline(outcomes.getLast());
    }

    private static boolean isBaseline(Outcome o) {
        return RunContext.parse("", o.spec()).scenario().equals(BASELINE);
    }

    private Outcome run(String spec) {
        RunContext run = RunContext.parse(ProcessHandle.current().pid() + "-" + (++runs), spec);
        System.out.println();
        System.out.println("== " + run.spec() + "   (load average " + loadAverage() + ")");
        Scenario scenario;
        try {
            scenario = Scenarios.create(run.scenario());
        } catch (IllegalArgumentException e) {
            System.out.println("FAILED: " + e.getMessage());
            return new Outcome(spec, "", null, null, e.getMessage());
        }
        Path controlPath = run.file("control");
        ChildJvm child = null;
        try (ControlBlock control = ControlBlock.create(controlPath)) {
            try {
                scenario.setUp(run);
                // the child runs as this JVM does (its flags, plus the scenario's), pinned; its output is echoed
                child = ChildJvm.builder(HarnessChild.class).wrapper(pinning.childPrefix()).inheritAllJvmFlags()
                        .jvmOptions(scenario.childJvmFlags()).args(run.runId(), run.spec(), controlPath.toString())
                        .echo("").start();
                awaitReady(control, child);
                for (int i = 0; i < warmupWindows; i++) {
                    double figure = scenario.measureWindow(windowNanos);
                    System.out.printf(Locale.ROOT, "  warm-up %d: %.1f %s %s%n", i + 1, figure, scenario.unit(), scenario.windowDetail());
                }
                List<Double> figures = new ArrayList<>();
                for (int i = 0; i < windows; i++) {
                    double figure = scenario.measureWindow(windowNanos);
                    figures.add(figure);
                    System.out.printf(Locale.ROOT, "  window %d: %.1f %s %s%n", i + 1, figure, scenario.unit(), scenario.windowDetail());
                }
                control.requestStop();
                child.awaitSuccess(Duration.ofMillis(CHILD_EXIT_TIMEOUT_MILLIS));
                String check = scenario.verify(control);
                WindowStats stats = WindowStats.of(figures);
                System.out.println("  result: " + stats.format(scenario.unit()));
                System.out.println("  check:  " + check);
                return new Outcome(spec, scenario.unit(), stats, check, null);
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
            return new Outcome(spec, scenario.unit(), null, null, String.valueOf(e.getMessage()));
        }
    }

    /** The 1-minute load average: on a shared machine, the first thing to read beside a figure. */
    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void awaitReady(ControlBlock control, ChildJvm child) throws InterruptedException {
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
            System.out.printf(Locale.ROOT, "%-52s %10.1f %10.1f %10.1f  %-15s %8s %8s  %s%s%n", o.spec(), o.stats().median(),
                    o.stats().min(), o.stats().max(), o.unit(), ratioBefore, ratioAfter, drift, o.check());
        }
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
