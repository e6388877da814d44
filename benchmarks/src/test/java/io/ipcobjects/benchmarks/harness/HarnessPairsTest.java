package io.ipcobjects.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the summary sets a scenario beside its peer when a list runs several times: one pair per
 * pass, each with the level the ping-pongs around each side show, and the median ratio by level
 * over the pairs whose two sides ran at one level.
 */
class HarnessPairsTest {

    private static final String LONG = "channel-oneway:msg=long";
    private static final String AGRONA = "agrona-oneway:bytes=8";

    private static Harness.Outcome outcome(String spec, String unit, double... windows) {
        List<Double> figures = new ArrayList<>();
        for (double w : windows) {
            figures.add(w);
        }
        return new Harness.Outcome(spec, unit, figures, WindowStats.of(figures), null, null, "ok", null, "0.00");
    }

    private static Harness.Outcome pingPong(double... windows) {
        return outcome("pingpong", "ns/round trip", windows);
    }

    private static Harness.Outcome rate(String spec, double median) {
        return outcome(spec, "M msg/s", median, median, median);
    }

    @Test
    void eachPassGivesAPairWithTheLevelsAroundItsTwoSides() {
        List<Harness.Outcome> run = List.of(
                pingPong(80, 90), rate(LONG, 20), pingPong(75, 95), rate(AGRONA, 40), pingPong(85, 100),   // pass 1: fast, fast
                rate(LONG, 11), pingPong(400, 420), rate(AGRONA, 13), pingPong(410, 430),                 // pass 2: mixed (fast before), slow
                rate(LONG, 10), pingPong(395, 440), rate(AGRONA, 12.5), pingPong(72, 450),                // pass 3: slow, mixed (one window fast)
                pingPong(400, 410), rate(LONG, 9), pingPong(405, 415), rate(AGRONA, 11), pingPong(399, 401)); // pass 4: slow, slow
        List<Harness.Paired> pairs = Harness.pairs(run).stream()
                .filter(p -> p.comparison().spec().equals(LONG)).toList();
        assertEquals(4, pairs.size(), "one pair per pass");
        assertEquals(List.of(0.5, 11 / 13.0, 10 / 12.5, 9 / 11.0), pairs.stream().map(Harness.Paired::ratio).toList(),
                "each scenario beside the peer of its own pass");
        assertEquals(List.of("fast/fast", "mixed/slow", "slow/mixed", "slow/slow"),
                pairs.stream().map(p -> p.scenarioLevel() + "/" + p.peerLevel()).toList());
        assertSame(run.get(3), pairs.get(0).peer());
        assertEquals(List.of(true, false, false, true), pairs.stream().map(Harness.Paired::atOneLevel).toList());

        Map<Scenarios.Comparison, String> byLevel = Harness.ratiosByLevel(Harness.pairs(run));
        String text = byLevel.entrySet().stream().filter(e -> e.getKey().spec().equals(LONG)).findFirst().orElseThrow().getValue();
        assertEquals("fast: 0.50x (1 pair); slow: 0.82x (1 pair)", text);
    }

    @Test
    void aPeerThatRanOnlyBeforeItsScenarioIsStillSetBesideIt() {
        List<Harness.Outcome> run = List.of(pingPong(80), rate(AGRONA, 40), pingPong(80), rate(LONG, 20), pingPong(80));
        List<Harness.Paired> pairs = Harness.pairs(run).stream().filter(p -> p.comparison().spec().equals(LONG)).toList();
        assertEquals(1, pairs.size());
        assertEquals(0.5, pairs.getFirst().ratio());
        assertTrue(pairs.getFirst().atOneLevel());
        assertTrue(Harness.ratiosByLevel(List.of()).isEmpty(), "no pairs, nothing by level");
    }

    @Test
    void theHeaderNamesTheProcessorTheKernelReports() throws java.io.IOException {
        java.nio.file.Path cpuinfo = java.nio.file.Path.of("/proc/cpuinfo");
        String expected = "unknown";
        if (java.nio.file.Files.isReadable(cpuinfo)) {
            for (String line : java.nio.file.Files.readAllLines(cpuinfo)) {
                if (line.startsWith("model name")) {
                    expected = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        }
        assertEquals(expected, Harness.cpuModel());
    }
}
