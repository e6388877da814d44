package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.childjvm.ChildJvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code --interleave}: every scenario of the run set up at once, each with its own child JVM,
 * and measured one window at a time in turn (a round: one window of each, in the given order,
 * then the next round in reverse order), the children of the scenarios not being measured
 * stopped with {@code SIGSTOP} ({@link ChildPause}). A scenario and its peer are then compared
 * round by round, windows measured within a second or so of each other, instead of median
 * against median of runs that may lie a minute apart: on the VMs this was written on the
 * core-to-core latency moves between levels from one minute to the next, and a ratio of medians
 * taken at two levels says more about the VM than about the two transports.
 *
 * <p>Before each measured window a scenario runs unmeasured for a tenth of a window, so its child
 * is running and the caches hold its data again when the clock starts. The ping-pong baseline,
 * unless turned off, is one of the scenarios, so every round has its own. Latency windows are
 * not run in this mode.
 */
final class InterleavedRun {

    /** Part of a window a scenario runs unmeasured before each measured window. */
    private static final int SETTLE_FRACTION = 10;

    private final int warmupWindows;
    private final int maxWarmupWindows;
    private final int windows;
    private final long windowNanos;
    private final Pinning pinning;
    private int runs;

    InterleavedRun(int warmupWindows, int maxWarmupWindows, int windows, long windowNanos, Pinning pinning) {
        this.warmupWindows = warmupWindows;
        this.maxWarmupWindows = maxWarmupWindows;
        this.windows = windows;
        this.windowNanos = windowNanos;
        this.pinning = pinning;
    }

    /** One scenario of the run: its child, stopped between its windows, and its figures so far. */
    private static final class Member {
        final String spec;
        final RunContext run;
        Scenario scenario;
        ControlBlock control;
        ChildJvm child;
        WarmUp warmUp;
        final List<Double> warmUpFigures = new ArrayList<>();
        final List<Double> figures = new ArrayList<>();
        String unit = "";
        String check;
        String failure;
        boolean cleanedUp;

        Member(String spec, RunContext run) {
            this.spec = spec;
            this.run = run;
        }

        boolean active() {
            return failure == null;
        }
    }

    /**
     * The specs to run: each distinct spec once (a spec given twice, as {@code @channels} gives
     * peers, is one scenario here), the baseline first if asked for.
     */
    static List<String> distinctSpecs(List<String> specs, boolean withBaseline) {
        Set<String> normalized = new LinkedHashSet<>();
        List<String> distinct = new ArrayList<>();
        if (withBaseline) {
            normalized.add(Scenarios.Comparison.normalized(Harness.BASELINE));
            distinct.add(Harness.BASELINE);
        }
        for (String spec : specs) {
            if (normalized.add(Scenarios.Comparison.normalized(spec))) {
                distinct.add(spec);
            }
        }
        return distinct;
    }

    /** Runs the specs interleaved; one outcome per distinct spec, in order. */
    List<Harness.Outcome> run(List<String> specs, boolean withBaseline) {
        String load = Harness.loadAverage();
        List<Member> members = new ArrayList<>();
        for (String spec : distinctSpecs(specs, withBaseline)) {
            members.add(new Member(spec, RunContext.parse(ProcessHandle.current().pid() + "-i" + (++runs), spec)));
        }
        try {
            for (Member m : members) {
                start(m);
            }
            System.out.println();
            System.out.println("== warm-up, in turn");
            int round = 0;
            while (true) {
                List<Member> wanting = new ArrayList<>();
                for (Member m : inRoundOrder(members, round)) {
                    if (m.active() && m.warmUp.wantsAnother(m.warmUpFigures)) {
                        wanting.add(m);
                    }
                }
                if (wanting.isEmpty()) {
                    break;
                }
                for (Member m : wanting) {
                    window(m, m.warmUpFigures, "warm-up " + (m.warmUpFigures.size() + 1));
                }
                round++;
            }
            for (Member m : members) {
                if (m.active()) {
                    System.out.print("  " + m.run.spec() + ": " + m.warmUp.describe(m.warmUpFigures));
                }
            }
            System.out.println();
            System.out.println("== " + windows + " rounds, each scenario one window in turn (every other round in reverse order)");
            for (round = 0; round < windows; round++) {
                for (Member m : inRoundOrder(members, round)) {
                    if (m.active()) {
                        window(m, m.figures, "round " + (round + 1));
                    }
                }
            }
            System.out.println();
            for (Member m : members) {
                if (m.active()) {
                    finish(m);
                }
            }
        } finally {
            for (Member m : members) {
                cleanUp(m);
            }
        }
        List<Harness.Outcome> outcomes = new ArrayList<>();
        for (Member m : members) {
            outcomes.add(m.active()
                    ? new Harness.Outcome(m.spec, m.unit, List.copyOf(m.figures), WindowStats.of(m.figures), null, null, m.check, null, load)
                    : Harness.Outcome.failed(m.spec, m.unit, m.failure, load));
        }
        return outcomes;
    }

    private static List<Member> inRoundOrder(List<Member> members, int round) {
        return round % 2 == 0 ? members : members.reversed();
    }

    /** Sets the scenario up, starts its child, waits for it to be ready and stops it. */
    private void start(Member m) {
        System.out.println("== " + m.run.spec() + ": starting");
        try {
            m.scenario = Scenarios.create(m.run.scenario());
            Path controlPath = m.run.file("control");
            m.control = ControlBlock.create(controlPath);
            m.scenario.setUp(m.run);
            m.unit = m.scenario.unit(); // after the set-up: a one-way scenario's unit follows its message size
            m.child = Harness.startChild(pinning, m.run, m.scenario, controlPath);
            Harness.awaitReady(m.control, m.child);
            pause(m);
            m.warmUp = new WarmUp(warmupWindows, maxWarmupWindows, m.unit);
        } catch (Exception | AssertionError e) {
            fail(m, e);
        }
    }

    /** Resumes the child, settles, measures one window into {@code figures}, stops the child. */
    private void window(Member m, List<Double> figures, String label) {
        try {
            resume(m);
            m.scenario.measureWindow(windowNanos / SETTLE_FRACTION);
            double figure = m.scenario.measureWindow(windowNanos);
            pause(m);
            figures.add(figure);
            System.out.printf(Locale.ROOT, "  %-14s %-52s %10s %s %s%n", label + ":", m.run.spec(), WindowStats.figure(figure), m.unit,
                    m.scenario.windowDetail());
        } catch (Exception | AssertionError e) {
            fail(m, e);
        }
    }

    /** Resumes the child for good, stops it as the harness does, and verifies. */
    private void finish(Member m) {
        try {
            resume(m);
            m.control.requestStop();
            m.scenario.afterStopRequested(m.control);
            m.child.awaitSuccess(Duration.ofMillis(Harness.CHILD_EXIT_TIMEOUT_MILLIS));
            m.check = m.scenario.verify(m.control);
            System.out.println("== " + m.run.spec() + ": " + WindowStats.of(m.figures).format(m.unit));
            System.out.println("  check:  " + m.check);
        } catch (Exception | AssertionError e) {
            fail(m, e);
        }
    }

    /**
     * Stops the child, or fails with its exit and output if it died (checked first: the pid of a
     * child that exited is not signalled, it may be another process's by now).
     */
    private static void pause(Member m) {
        checkAlive(m, "its turn to pause");
        ChildPause.stop(m.child.pid());
    }

    /** Lets the child go on, or fails with its exit and output if it died. */
    private static void resume(Member m) {
        checkAlive(m, "its turn to run");
        ChildPause.resume(m.child.pid());
    }

    private static void checkAlive(Member m, String waitingFor) {
        m.child.failIfDied(waitingFor);
        if (!m.child.isAlive()) {
            throw new IllegalStateException("child JVM " + m.child.pid() + " exited before the stop flag, at " + waitingFor + ": "
                    + m.child.await(Duration.ZERO).describe());
        }
    }

    private void fail(Member m, Throwable e) {
        m.failure = String.valueOf(e);
        System.out.println("FAILED: " + m.run.spec() + ": " + e);
        cleanUp(m);
    }

    /** Lets the child go (killing it if it does not exit) and removes what the scenario made; once. */
    private static void cleanUp(Member m) {
        if (m.cleanedUp) {
            return;
        }
        m.cleanedUp = true;
        if (m.control != null) {
            m.control.requestStop();
        }
        if (m.child != null && m.child.isAlive()) {
            try {
                ChildPause.resume(m.child.pid());
            } catch (RuntimeException ignored) {
                // it exited meanwhile
            }
            try {
                m.child.await(Duration.ofSeconds(5)); // kills it after that
            } catch (ChildJvm.ChildJvmException e) {
                m.child.close();
            }
        }
        if (m.scenario != null) {
            m.scenario.tearDown();
        }
        if (m.control != null) {
            m.control.closeAndDelete();
        }
    }

    /**
     * A scenario and its peer compared round by round: the ratio of the two windows of each
     * round, and in how many rounds the target was met.
     */
    record RoundPair(Scenarios.Comparison comparison, Harness.Outcome scenario, Harness.Outcome peer, List<Double> ratios,
            int roundsMet) {

        double medianRatio() {
            return WindowStats.of(ratios).median();
        }

        boolean hasTarget() {
            return !Double.isNaN(comparison.target()) || !Double.isNaN(comparison.floor());
        }
    }

    /** Every comparison of {@link Scenarios#COMPARISONS} whose scenario and peer both ran, and succeeded, in the run. */
    static List<RoundPair> roundPairs(List<Harness.Outcome> outcomes) {
        List<RoundPair> pairs = new ArrayList<>();
        for (Scenarios.Comparison c : Scenarios.COMPARISONS) {
            Harness.Outcome scenario = find(outcomes, c.spec());
            Harness.Outcome peer = find(outcomes, c.peerSpec());
            if (scenario == null || peer == null) {
                continue;
            }
            int rounds = Math.min(scenario.figures().size(), peer.figures().size());
            List<Double> ratios = new ArrayList<>();
            int met = 0;
            for (int r = 0; r < rounds; r++) {
                double figure = scenario.figures().get(r);
                double ratio = figure / peer.figures().get(r);
                ratios.add(ratio);
                boolean ratioMet = Double.isNaN(c.target()) || (c.higherIsBetter() ? ratio >= c.target() : ratio <= c.target());
                boolean floorMet = Double.isNaN(c.floor()) || figure >= c.floor();
                if (ratioMet && floorMet) {
                    met++;
                }
            }
            if (!ratios.isEmpty()) {
                pairs.add(new RoundPair(c, scenario, peer, List.copyOf(ratios), met));
            }
        }
        return pairs;
    }

    private static Harness.Outcome find(List<Harness.Outcome> outcomes, String spec) {
        String normalized = Scenarios.Comparison.normalized(spec);
        for (Harness.Outcome o : outcomes) {
            if (o.ok() && Scenarios.Comparison.normalized(o.spec()).equals(normalized)) {
                return o;
            }
        }
        return null;
    }

    /** The summary of an interleaved run: each scenario's windows, then each scenario beside its peer round by round. */
    static void printSummary(List<Harness.Outcome> outcomes) {
        System.out.println();
        System.out.println("== summary (interleaved, load average " + Harness.loadAverage() + ")");
        int specWidth = outcomes.stream().mapToInt(o -> o.spec().length()).max().orElse(0);
        String row = "%-" + specWidth + "s %10s %10s %10s  %-15s  %s%n";
        System.out.printf(Locale.ROOT, row, "scenario", "median", "min", "max", "unit", "check");
        for (Harness.Outcome o : outcomes) {
            if (!o.ok()) {
                System.out.printf(Locale.ROOT, "%-" + specWidth + "s FAILED: %s%n", o.spec(), o.failure());
                continue;
            }
            System.out.printf(Locale.ROOT, row, o.spec(), WindowStats.figure(o.stats().median()), WindowStats.figure(o.stats().min()),
                    WindowStats.figure(o.stats().max()), o.unit(), o.check());
        }
        List<RoundPair> pairs = roundPairs(outcomes);
        if (pairs.isEmpty()) {
            return;
        }
        int scenarioWidth = pairs.stream().mapToInt(p -> p.scenario().spec().length()).max().orElse(0);
        int peerWidth = pairs.stream().mapToInt(p -> p.peer().spec().length()).max().orElse(0);
        String pairRow = "%-" + scenarioWidth + "s %-" + peerWidth + "s %7s %7s %7s  %-28s %s%n";
        System.out.println();
        System.out.println("== beside the peer, round by round: ratio = the scenario's window / the peer's window of the same round "
                + "(for ns/ figures lower is better, for rates higher)");
        System.out.printf(Locale.ROOT, pairRow, "scenario", "peer", "median", "min", "max", "target", "rounds met");
        for (RoundPair p : pairs) {
            WindowStats ratios = WindowStats.of(p.ratios());
            System.out.printf(Locale.ROOT, pairRow, p.scenario().spec(), p.peer().spec(), ratio(ratios.median()), ratio(ratios.min()),
                    ratio(ratios.max()), p.comparison().targetText(p.scenario().unit()),
                    p.hasTarget() ? p.roundsMet() + " of " + p.ratios().size() : "-");
        }
    }

    private static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2fx", ratio);
    }
}
