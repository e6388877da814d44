package io.ipcobjects.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Smoke tests of the channel and tensor-ring scenarios and their peers: each runs, unpinned, for
 * one short window (and one latency window where it has them) between two real JVMs, and must
 * report a figure and a check line that accounts for every message, each of which the scenario
 * checked. Speed is not asserted. A child killed in the middle of a window must fail its scenario
 * at once, with the child's exit and output, instead of leaving the parent waiting.
 */
class ChannelScenariosTest {

    private static final Pattern CHECKED = Pattern.compile("^ok: (\\d+) ");

    @ParameterizedTest
    @ValueSource(strings = {
            "channel-oneway:msg=long",
            "channel-oneway:msg=long,consume=take,produce=offer",
            "channel-oneway:msg=long,consume=poll",
            "channel-oneway:msg=long,produce=putall,putBatch=16",
            "channel-oneway:msg=long,producers=one",
            "channel-oneway:msg=long,produce=putlong,consume=drainlongs",
            "channel-oneway:msg=long,produce=putlong,consume=drainlongs,producers=one",
            "channel-oneway:msg=bytes,bytes=32,producers=one,produce=putall,putBatch=16",
            "channel-oneway:msg=bytes,bytes=32",
            "channel-oneway:msg=bytes,bytes=32,consume=drainbytes",
            "channel-oneway:msg=bytes,bytes=32,consume=pollbytes",
            "channel-oneway:msg=bytes,bytes=1048576",
            "channel-oneway:msg=record",
            "channel-roundtrip:bytes=32",
            "channel-roundtrip:bytes=32,consume=pollbytes",
            "channel-roundtrip:bytes=32,consume=pollbytes,producers=one",
            "tensor-ring:rows=256,cols=1024",
            "agrona-oneway:bytes=8",
            "agrona-oneway:bytes=8,producers=many",
            "agrona-oneway:bytes=32",
            "uds-oneway:bytes=1048576",
            "uds-objects:codec=oos",
            "uds-objects:codec=data",
            "memcpy:bytes=1048576",
            "memcpy:bytes=1048576,sum=true",
            "memcpy:bytes=1048576,copy=false,sum=true",
            "memcpy:bytes=1048576,copy=false,sum=scalar",
            "tensor-ring:rows=3,cols=6",
            "raw-slots:bytes=1048576",
            "raw-ring",
            "raw-ring:claim=load,capacity=16,stride=64",
            "raw-ring:box=true",
            "raw-roundtrip",
            "raw-roundtrip:claim=spin,free=after",
            "raw-roundtrip:claim=load"})
    void runsBrieflyAndAccountsForEveryMessage(String spec) {
        Harness.Outcome outcome = Harness.forTests(0, 1, 200).run(spec);

        assertTrue(outcome.ok(), () -> spec + " failed: " + outcome.failure());
        assertTrue(outcome.stats().median() > 0, () -> spec + ": figure " + outcome.stats());
        Matcher checked = CHECKED.matcher(outcome.check());
        assertTrue(checked.find(), () -> spec + ": check line " + outcome.check());
        assertTrue(Long.parseLong(checked.group(1)) > 0, () -> spec + ": nothing went through: " + outcome.check());
        if (spec.startsWith("channel-roundtrip")) {
            assertNotNull(outcome.latency(), "a round trip is timed per operation");
            assertTrue(outcome.latency().count() > 0 && outcome.latency().p50() > 0, () -> String.valueOf(outcome.latency()));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 16, 2040, 2048, 2056, 1 << 17})
    void theLaneSumIsTheSumOfEveryWord(int bytes) {
        MemorySegment batch = TensorRingScenario.preparedBatch(bytes);
        long expected = 0;
        for (int word = 0; word < bytes / Long.BYTES; word++) {
            expected += batch.getAtIndex(ValueLayout.JAVA_LONG, word);
        }

        assertEquals(expected, TensorRingScenario.sum(batch, bytes));
        assertEquals(expected, TensorRingScenario.scalarSum(batch, bytes));
        if (bytes >= 2 * Long.BYTES) {
            // one bit changed in the last word, past the last whole round of lanes: the sum moves
            long last = bytes - Long.BYTES;
            batch.set(ValueLayout.JAVA_LONG, last, batch.get(ValueLayout.JAVA_LONG, last) ^ 1L << 40);
            assertFalse(expected == TensorRingScenario.sum(batch, bytes), "a changed last word must change the sum");
        }
    }

    @Test
    void aSumParameterThatIsNeitherTrueFalseNorScalarIsRefused() {
        Harness.Outcome outcome = Harness.forTests(0, 1, 50).run("memcpy:bytes=1024,sum=yes");

        assertFalse(outcome.ok());
        assertTrue(String.valueOf(outcome.failure()).contains("sum must be true, false or scalar"), () -> String.valueOf(outcome.failure()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw-ring:claim=swap|claim must be cas or load", "raw-ring:capacity=1000|capacity must be a power of two",
            "raw-ring:stride=24|stride must be a multiple of 16", "raw-ring:stride=16|at least 32",
            "raw-ring:box=yes|box must be true or false", "raw-roundtrip:claim=swap|claim must be cas, spin or load",
            "raw-roundtrip:free=later|free must be before or after",
            "channel-roundtrip:consume=drain|consume must be poll or pollbytes",
            "channel-roundtrip:producers=two|producers must be many or one",
            "agrona-oneway:producers=two|producers must be one or many",
            "channel-oneway:msg=long,consume=drainbytes|consume=drainbytes takes byte messages",
            "channel-oneway:msg=bytes,consume=peek|consume must be drain, take, poll, pollbytes, drainbytes or drainlongs",
            "channel-oneway:msg=bytes,consume=drainlongs|consume=drainlongs takes numbers",
            "channel-oneway:msg=bytes,produce=putlong|produce=putlong puts numbers"})
    void aScenarioWithABadParameterIsRefusedByName(String specAndMessage) {
        String[] parts = specAndMessage.split("\\|");
        Harness.Outcome outcome = Harness.forTests(0, 1, 50).run(parts[0]);

        assertFalse(outcome.ok());
        assertTrue(String.valueOf(outcome.failure()).contains(parts[1]), () -> String.valueOf(outcome.failure()));
    }

    @Test
    void aCopyIntoSeveralDestinationsFillsEachOfThemInTurn() {
        Harness.Outcome outcome = Harness.forTests(0, 1, 50).run("memcpy:bytes=1024,targets=4");

        assertTrue(outcome.ok(), () -> String.valueOf(outcome.failure()));
        assertTrue(outcome.check().contains("into 4 destinations in turn"), outcome.check());
    }

    @Test
    void aSumWithoutCopiesOverSeveralDestinationsIsRefused() {
        Harness.Outcome outcome = Harness.forTests(0, 1, 50).run("memcpy:bytes=1024,targets=2,copy=false,sum=true");

        assertFalse(outcome.ok());
        assertTrue(String.valueOf(outcome.failure()).contains("targets must be 1"), () -> String.valueOf(outcome.failure()));
    }

    @Test
    void theChannelsPresetSetsEveryScenarioBesideItsPeer() {
        List<String> specs = Scenarios.preset("channels");
        for (Scenarios.Comparison c : Scenarios.COMPARISONS) {
            int scenario = specs.indexOf(c.spec());
            assertEquals(scenario, specs.lastIndexOf(c.spec()), () -> "each scenario once: " + specs);
            // Its peer runs after it, before the next scenario that is not a peer.
            int peer = specs.subList(scenario, specs.size()).indexOf(c.peerSpec()) + scenario;
            assertTrue(scenario >= 0 && peer > scenario, () -> c + " in " + specs);
            for (int i = scenario + 1; i < peer; i++) {
                String between = specs.get(i);
                assertTrue(Scenarios.COMPARISONS.stream().anyMatch(o -> o.spec().equals(c.spec()) && o.peerSpec().equals(between)),
                        () -> between + " runs between " + c.spec() + " and its peer " + c.peerSpec() + " in " + specs);
            }
            Scenarios.create(RunContext.parse("", c.spec()).scenario());
            Scenarios.create(RunContext.parse("", c.peerSpec()).scenario());
        }
        List<Harness.Outcome> ran = specs.stream().map(spec -> new Harness.Outcome(spec, "GiB/s", List.of(1.0),
                WindowStats.of(List.of(1.0)), null, null, "ok", null, "0.00")).toList();
        assertEquals(Scenarios.COMPARISONS.size(), Harness.pairs(ran).size(), () -> "one pair per comparison: " + specs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"channel-oneway:msg=long", "channel-roundtrip:bytes=32", "tensor-ring:rows=256,cols=1024",
            "uds-oneway:bytes=1048576", "raw-slots:bytes=1048576",
            "raw-ring", "raw-roundtrip"})
    void aChildKilledInTheMiddleOfAWindowFailsTheScenarioAtOnce(String spec) throws Exception {
        Harness harness = Harness.forTests(0, 1, 120_000); // a window far longer than the test lets it run
        Thread killer = Thread.ofPlatform().daemon().start(() -> ChildKiller.killOldestOnce(1, Duration.ofSeconds(4)));
        long start = System.nanoTime();

        Harness.Outcome outcome = harness.run(spec);

        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        killer.interrupt();
        killer.join(10_000);
        assertFalse(outcome.ok(), () -> spec + " succeeded although its child was killed: " + outcome.check());
        assertTrue(outcome.failure().contains("died while waiting for") && outcome.failure().contains("exit 137"),
                () -> spec + ": " + outcome.failure());
        assertTrue(seconds < ChildWatch.STALL_SECONDS, () -> spec + ": the failure took " + seconds + " s");
    }
}
