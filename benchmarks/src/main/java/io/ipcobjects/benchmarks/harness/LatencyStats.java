package io.ipcobjects.benchmarks.harness;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of the per-operation latencies of one scenario's latency windows
 * ({@link Scenario#measureLatencyWindow}), in ns, read from an HdrHistogram with 3 significant
 * digits (so a value is exact to 0.1%).
 */
record LatencyStats(long count, double p50, double p90, double p99, double p999, double max, double mean) {

    /** Highest value the histograms track: 10 s; a longer operation is recorded as 10 s. */
    static final long HIGHEST_NANOS = 10_000_000_000L;

    static Histogram newHistogram() {
        return new Histogram(HIGHEST_NANOS, 3);
    }

    /** Records {@code nanos}, clamped to what the histogram tracks; allocates nothing. */
    static void record(Histogram histogram, long nanos) {
        histogram.recordValue(Math.min(Math.max(nanos, 0), HIGHEST_NANOS));
    }

    static LatencyStats of(Histogram h) {
        return new LatencyStats(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }

    String format() {
        return String.format(Locale.ROOT, "p50 %.0f, p90 %.0f, p99 %.0f, p99.9 %.0f, max %.0f ns (%,d operations)", p50, p90,
                p99, p999, max, count);
    }

    Map<String, Object> toJson(String operation) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("unit", "ns/" + operation);
        json.put("count", count);
        json.put("p50", p50);
        json.put("p90", p90);
        json.put("p99", p99);
        json.put("p99.9", p999);
        json.put("max", max);
        json.put("mean", mean);
        return json;
    }
}
