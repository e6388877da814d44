package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.childjvm.ChildJvm;

import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * One two-process measurement for the {@link Harness}: a parent side that measures and a child
 * side that serves, in one class. The harness makes one instance per process; each instance only
 * ever runs its own side.
 *
 * <p>The parent-side calls come in this order: {@link #setUp}, {@link #childStarted}, then (once
 * the child has called {@link ControlBlock#signalReady()}) {@link #measureWindow} for every
 * warm-up and measured window, then, once the stop flag is set, {@link #afterStopRequested}, and
 * after the child has seen {@link ControlBlock#stopRequested()} and exited, {@link #verify};
 * {@link #tearDown} always comes last, even after a failure. The child side is one call,
 * {@link #runChild}.
 *
 * <p>To add a scenario: implement this interface, register it in {@link Scenarios}, and it runs
 * with {@code Harness <name>[:key=value,...]} (see {@code docs/performance.md}).
 */
public interface Scenario {

    /** The unit of the figure {@link #measureWindow} returns, e.g. {@code "ns/round trip"}. */
    String unit();

    /** JVM flags the child needs beyond those the parent runs with (which it inherits). */
    default List<String> childJvmFlags() {
        return List.of();
    }

    /** Parent, before the child starts: create the shared state the child will attach to. */
    void setUp(RunContext run) throws Exception;

    /**
     * Parent, right after the child JVM started: a scenario whose parent waits for something the
     * child sends keeps it, so that a wait ends at once with the child's output when the child
     * dies ({@link ChildJvm#failIfDied}) instead of spinning on.
     */
    default void childStarted(ChildJvm child) {
    }

    /**
     * Parent, after the stop flag is set and before the harness waits for the child to exit: a
     * scenario whose child produces into a bounded channel or a socket takes here what the child
     * still sends, so a child blocked on a full channel can see the flag and finish.
     */
    default void afterStopRequested(ControlBlock control) throws Exception {
    }

    /**
     * Child: attach to what {@link #setUp} created, call {@link ControlBlock#signalReady()}, serve
     * until {@link ControlBlock#stopRequested()}, leave what the parent needs to check in
     * {@link ControlBlock#putResult}, then detach.
     */
    void runChild(RunContext run, ControlBlock control) throws Exception;

    /** Parent: one window of about {@code windowNanos} (or of a count the scenario defines); the figure, in {@link #unit()}. */
    double measureWindow(long windowNanos) throws Exception;

    /**
     * Whether this scenario times its operations one by one ({@link #measureLatencyWindow}): the
     * round-trip scenarios do, the ones whose figure is a rate of two looping sides do not.
     */
    default boolean recordsLatency() {
        return false;
    }

    /** The operation one latency value is the time of, e.g. {@code "round trip"}. */
    default String latencyOperation() {
        return unit().substring(unit().indexOf('/') + 1);
    }

    /**
     * Parent: like {@link #measureWindow}, the same operations, but with {@link System#nanoTime()}
     * read once per operation (the end of one is the start of the next) and each operation's
     * duration in ns recorded in {@code latencies} (no allocation). The clock read is inside
     * every recorded value, which is why the harness measures these windows apart from the ones
     * whose figure {@link #measureWindow} returns.
     *
     * @return the window's figure in {@link #unit()}, clock reads included
     */
    default double measureLatencyWindow(long windowNanos, Histogram latencies) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not time single operations");
    }

    /** Parent: extra facts about the window just measured, printed beside its figure ("" for none). */
    default String windowDetail() {
        return "";
    }

    /**
     * Parent, after the child exited cleanly: checks that every message or count is accounted for
     * on both sides and returns a one-line account.
     *
     * @throws IllegalStateException if anything is missing or counted twice
     */
    String verify(ControlBlock control) throws Exception;

    /** Parent: closes and removes what {@link #setUp} created; safe after a partial set-up. */
    void tearDown();
}
