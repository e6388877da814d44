package io.ipcobjects.benchmarks.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@link Json}: what the writer writes, the reader reads back as the same values. */
class JsonTest {

    @Test
    void writtenValuesReadBackTheSame() {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("unit", "ns/round trip");
        latency.put("p50", 412.0);
        latency.put("p99.9", 39455.0);
        Map<String, Object> scenario = new LinkedHashMap<>();
        scenario.put("spec", "lock-contend:wait=busySpin,burst=32");
        scenario.put("ok", true);
        scenario.put("median", 86356.53689236112);
        scenario.put("windows", new ArrayList<>(List.of(95351.74305555556, 77361.33072916667, 1e-7, -3.5e21)));
        scenario.put("baselineAfter", null);
        scenario.put("latency", latency);
        scenario.put("check", "ok: \"quoted\", back\\slash, tab\t, newline\n, control \u0001, non-ASCII µs");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("scenarios", new ArrayList<>(List.of(scenario, new LinkedHashMap<>())));
        run.put("empty", new ArrayList<>());

        Object read = Json.parse(Json.write(run));

        assertEquals(run, read);
        assertEquals(List.copyOf(run.keySet()), List.copyOf(Json.object(read).keySet()), "key order kept");
    }

    @Test
    void integralNumbersAreWrittenWithoutAFractionAndReadAsDoubles() {
        String text = Json.write(new ArrayList<>(List.of(3, 4L, 5.0, 2.5)));
        assertEquals("[3, 4, 5, 2.5]\n", text);
        assertEquals(List.of(3.0, 4.0, 5.0, 2.5), Json.parse(text));
    }

    @Test
    void nonFiniteNumbersGoOutAsJmhDoesAndComeBackAsNumbers() {
        Object read = Json.parse(Json.write(new ArrayList<>(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY))));
        List<Object> values = Json.array(read);
        assertEquals(List.of("NaN", "Infinity"), values);
        assertTrue(Double.isNaN(Json.number(values.get(0))));
        assertEquals(Double.POSITIVE_INFINITY, Json.number(values.get(1)));
    }

    @Test
    void readsJmhStyleJson() {
        Object read = Json.parse("""
                [ { "benchmark" : "a.B.c", "params" : { "size" : "1MiB" },
                    "primaryMetric" : { "score" : 73.7, "scoreError" : "NaN", "scoreUnit" : "us/op",
                                        "rawData" : [ [ 73.1, 74.3 ] ] } } ]
                """);
        Map<String, Object> metric = Json.object(Json.object(Json.array(read).getFirst()).get("primaryMetric"));
        assertEquals(73.7, Json.number(metric.get("score")));
        assertTrue(Double.isNaN(Json.number(metric.get("scoreError"))));
        assertEquals(List.of(List.of(73.1, 74.3)), metric.get("rawData"));
    }

    @Test
    void rejectsBrokenText() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2] x"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{a: 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\q\""));
    }
}
