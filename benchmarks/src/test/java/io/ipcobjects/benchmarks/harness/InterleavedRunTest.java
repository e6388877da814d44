package io.ipcobjects.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.benchmarks.charts.Json;
import io.ipcobjects.childjvm.ChildJvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * {@code --interleave} with real child JVMs, unpinned: scenarios measured window by window in
 * turn with the other children stopped, compared round by round; a stopped child does nothing
 * until resumed; a scenario that fails (refused, or its child killed) fails alone and at once.
 */
class InterleavedRunTest {

    private static final Pattern CHECKED = Pattern.compile("^ok: (\\d+) ");

    private static InterleavedRun interleaved(int windows, long windowMillis) {
        return new InterleavedRun(0, 0, windows, windowMillis * 1_000_000, Pinning.detect(0, 1, false));
    }

    @Test
    void scenariosRunOneWindowEachInTurnAndAreComparedRoundByRound() {
        List<Harness.Outcome> outcomes = interleaved(3, 100)
                .run(List.of("channel-oneway:msg=long", "agrona-oneway:bytes=8", "agrona-oneway:bytes=8", "raw-slots:bytes=65536"), true);

        assertEquals(List.of("pingpong", "channel-oneway:msg=long", "agrona-oneway:bytes=8", "raw-slots:bytes=65536"),
                outcomes.stream().map(Harness.Outcome::spec).toList(), "the baseline first, a spec given twice once");
        assertEquals(List.of("ns/round trip", "M msg/s", "M msg/s", "GiB/s"), outcomes.stream().map(Harness.Outcome::unit).toList(),
                "each scenario's unit, as its set-up made it");
        for (Harness.Outcome o : outcomes) {
            assertTrue(o.ok(), () -> o.spec() + " failed: " + o.failure());
            assertEquals(3, o.figures().size(), () -> o.spec() + ": one figure per round");
            Matcher checked = CHECKED.matcher(o.check());
            assertTrue(checked.find() && Long.parseLong(checked.group(1)) > 0, () -> o.spec() + ": " + o.check());
        }
        List<InterleavedRun.RoundPair> pairs = InterleavedRun.roundPairs(outcomes);
        assertEquals(1, pairs.size(), () -> "the channel beside Agrona's ring: " + pairs);
        InterleavedRun.RoundPair pair = pairs.getFirst();
        for (int round = 0; round < 3; round++) {
            assertEquals(outcomes.get(1).figures().get(round) / outcomes.get(2).figures().get(round), pair.ratios().get(round), 1e-12,
                    "round " + round + ": the two windows of that round");
        }
        long met = pair.ratios().stream().filter(r -> r >= 0.8).count();
        assertEquals(met, pair.roundsMet());
    }

    @Test
    void theJsonOfARunHoldsEveryWindowAndEachRoundsRatio() {
        List<Harness.Outcome> outcomes = List.of(
                new Harness.Outcome("channel-oneway:msg=long", "M msg/s", List.of(10.0, 16.0, 9.0), WindowStats.of(List.of(10.0, 16.0, 9.0)),
                        null, null, "ok: 35 messages", null, "0.50"),
                new Harness.Outcome("agrona-oneway:bytes=8", "M msg/s", List.of(20.0, 16.0, 10.0), WindowStats.of(List.of(20.0, 16.0, 10.0)),
                        null, null, "ok: 46 messages", null, "0.50"),
                Harness.Outcome.failed("uds-oneway:bytes=1048576", "GiB/s", "refused", "0.50"));

        Map<String, Object> json = Json.object(Json.parse(Json.write(Harness.forTests(0, 3, 100).interleavedJson(outcomes, false))));

        assertEquals("interleaved", Json.object(json.get("settings")).get("order"));
        List<Object> scenarios = Json.array(json.get("scenarios"));
        assertEquals(3, scenarios.size());
        assertEquals(List.of(10.0, 16.0, 9.0), Json.array(Json.object(scenarios.get(0)).get("windows")).stream().map(Json::number).toList());
        assertEquals("refused", Json.object(scenarios.get(2)).get("failure"));
        List<Object> comparisons = Json.array(json.get("comparisons"));
        assertEquals(1, comparisons.size(), "the Long stream beside Agrona's one-to-one ring, the one pair that ran");
        Map<String, Object> pair = Json.object(comparisons.getFirst());
        assertEquals(List.of(0.5, 1.0, 0.9), Json.array(pair.get("roundRatios")).stream().map(Json::number).toList());
        assertEquals(0.9, Json.number(pair.get("medianRatio")), 1e-12);
        assertEquals(2.0, Json.number(pair.get("roundsMet")), "rounds at 0.8x or more");
    }

    @Test
    void aStoppedChildSendsNothingUntilItIsResumed() throws Exception {
        RunContext run = RunContext.parse(ProcessHandle.current().pid() + "-pause", "agrona-oneway:bytes=8");
        AgronaOneWayScenario scenario = new AgronaOneWayScenario();
        Path controlPath = run.file("control");
        ChildJvm child = null;
        try (ControlBlock control = ControlBlock.create(controlPath)) {
            try {
                scenario.setUp(run);
                child = ChildJvm.builder(HarnessChild.class).inheritAllJvmFlags().jvmOptions(scenario.childJvmFlags())
                        .args(run.runId(), run.spec(), controlPath.toString()).start();
                scenario.childStarted(child);
                Harness.awaitReady(control, child);
                receiveFor(scenario, Duration.ofMillis(300)); // the child is sending

                ChildPause.stop(child.pid());
                long drained = receiveFor(scenario, Duration.ofMillis(300)); // what it sent before it stopped
                long whileStopped = receiveFor(scenario, Duration.ofMillis(500));
                ChildPause.resume(child.pid());
                long afterResume = receiveFor(scenario, Duration.ofMillis(300));

                assertTrue(drained <= 1 << 20, () -> drained + " messages after the stop: more than the ring holds");
                assertEquals(0, whileStopped, "messages from a stopped child");
                assertTrue(afterResume > 0, "nothing from the child once resumed");
                control.requestStop();
                scenario.afterStopRequested(control);
                child.awaitSuccess(Duration.ofSeconds(30));
                assertTrue(scenario.verify(control).startsWith("ok: "));
            } finally {
                control.requestStop();
                try {
                    if (child != null && child.isAlive()) {
                        ChildPause.resume(child.pid()); // a stopped child cannot see the stop flag
                    }
                } catch (IllegalStateException exitedMeanwhile) {
                    // nothing left to resume
                } finally {
                    if (child != null) {
                        child.close();
                    }
                    scenario.tearDown();
                    control.closeAndDelete();
                }
            }
        }
    }

    /** Receives (and checks) what comes in {@code time}; how many messages. */
    private static long receiveFor(OneWayScenario scenario, Duration time) throws Exception {
        long count = 0;
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            count += scenario.receiveAvailable();
        }
        return count;
    }

    @Test
    void aRefusedScenarioFailsAloneAndTheOthersRun() {
        List<Harness.Outcome> outcomes = interleaved(2, 50).run(List.of("memcpy:bytes=7", "memcpy:bytes=1024"), false);

        assertFalse(outcomes.get(0).ok());
        assertTrue(outcomes.get(0).failure().contains("bytes must be a whole number of 8-byte words"), outcomes.get(0).failure());
        assertTrue(outcomes.get(1).ok(), () -> outcomes.get(1).failure());
        assertEquals(2, outcomes.get(1).figures().size());
    }

    @Test
    void aChildKilledDuringTheRunFailsItsScenarioAtOnceAndTheOthersFinish() throws Exception {
        Thread killer = Thread.ofPlatform().daemon().start(() -> ChildKiller.killOldestOnce(2, Duration.ofSeconds(1)));
        long start = System.nanoTime();

        List<Harness.Outcome> outcomes = interleaved(4, 1000).run(List.of("channel-oneway:msg=long", "agrona-oneway:bytes=8"), false);

        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        killer.interrupt();
        killer.join(10_000);
        List<Harness.Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        assertEquals(1, failed.size(), () -> "one scenario lost its child: " + outcomes);
        assertTrue(failed.getFirst().failure().contains("died while waiting for") && failed.getFirst().failure().contains("exit 137"),
                failed.getFirst().failure());
        Harness.Outcome other = outcomes.stream().filter(Harness.Outcome::ok).findFirst().orElseThrow();
        assertEquals(4, other.figures().size(), () -> other.spec() + " ran all its rounds");
        assertNull(other.failure());
        assertTrue(seconds < ChildWatch.STALL_SECONDS, () -> "the run took " + seconds + " s");
    }
}
