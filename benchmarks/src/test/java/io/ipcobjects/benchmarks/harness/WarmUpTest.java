package io.ipcobjects.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many warm-up windows a scenario gets, fed the figures its windows would give in turn. */
class WarmUpTest {

    /** The warm-up windows {@code warmUp} runs when its windows give {@code figures} in turn (the last one repeats). */
    private static List<Double> run(WarmUp warmUp, double... figures) {
        List<Double> taken = new ArrayList<>();
        while (warmUp.wantsAnother(taken)) {
            taken.add(figures[Math.min(taken.size(), figures.length - 1)]);
        }
        return taken;
    }

    @Test
    void aRoundTripStillCompilingWarmsUpUntilItStopsFalling() {
        // One message-roundtrip seen on a slow host, in ns: the JIT was still at work after two windows.
        WarmUp warmUp = new WarmUp(2, 12, "ns/round trip");
        List<Double> taken = run(warmUp, 2_450_000, 58_700, 18_000, 1_780, 1_290, 847, 840, 845);
        assertEquals(List.of(2_450_000.0, 58_700.0, 18_000.0, 1_780.0, 1_290.0, 847.0, 840.0), taken,
                "warm-up ends at the first window less than 10% below the one before");
        assertEquals("  warm-up took 5 windows past --warmup=2, until the figure improved by less than 10%"
                + System.lineSeparator(), warmUp.describe(taken));
    }

    @Test
    void aSettledScenarioGetsExactlyTheMinimum() {
        WarmUp warmUp = new WarmUp(3, 13, "ns/round trip");
        assertEquals(3, run(warmUp, 500, 480, 520, 470).size());
        assertEquals("", warmUp.describe(List.of(500.0, 480.0, 520.0)));
        // A window slower than the one before (a level change, another process) is not compiling.
        assertEquals(3, run(new WarmUp(3, 13, "ns/round trip"), 100, 100, 400, 90, 80).size());
    }

    @Test
    void forARateHigherIsBetter() {
        List<Double> taken = run(new WarmUp(2, 12, "M msg/s"), 2.0, 9.0, 15.0, 16.0, 16.5);
        assertEquals(List.of(2.0, 9.0, 15.0, 16.0), taken, "rising more than 10% a window is still warming up");
        assertEquals(2, run(new WarmUp(2, 12, "GiB/s"), 40.0, 4.0, 2.0).size(), "a falling rate is not warming up");
    }

    @Test
    void theMaximumBoundsItAndSaysTheWindowsMayStillBeCompiling() {
        WarmUp warmUp = new WarmUp(2, 4, "ns/increment");
        List<Double> taken = run(warmUp, 1000, 500, 250, 125, 60, 30);
        assertEquals(4, taken.size());
        assertTrue(warmUp.describe(taken).contains("stopped at --max-warmup=4 still improving"), warmUp.describe(taken));
    }

    @Test
    void aMaximumBelowTheMinimumIsTheMinimumAndFewerThanTwoWindowsAreNeverExtended() {
        assertEquals(3, run(new WarmUp(3, 1, "ns/round trip"), 1000, 500, 250, 125).size());
        assertEquals(0, run(new WarmUp(0, 10, "ns/round trip"), 1000, 500).size());
        // One window leaves nothing to compare it with: --warmup=1 (--quick) takes one.
        assertEquals(1, run(new WarmUp(1, 11, "ns/round trip"), 1000, 500).size());
        assertEquals(2, run(new WarmUp(2, 10, "ns/round trip"), 0, 0).size(), "a window that measured nothing ends the warm-up");
        assertThrows(IllegalArgumentException.class, () -> new WarmUp(-1, 10, "ns/round trip"));
    }
}
