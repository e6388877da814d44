package io.ipcobjects.benchmarks.harness;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Median, min and max of the measured windows. The median, not the mean: on a shared 2-core VM a
 * window now and then loses its core to another process, and one such window should not move the
 * figure.
 */
record WindowStats(double median, double min, double max, int windows) {

    static WindowStats of(List<Double> figures) {
        if (figures.isEmpty()) {
            throw new IllegalArgumentException("no windows measured");
        }
        double[] sorted = figures.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new WindowStats(median, sorted[0], sorted[n - 1], n);
    }

    String format(String unit) {
        return String.format(Locale.ROOT, "%10s %s (min %s, max %s, %d windows)", figure(median), unit, figure(min), figure(max),
                windows);
    }

    /**
     * A figure with 1 decimal from 100 up, 2 from 10, 3 from 1 and 3 significant digits below:
     * enough digits for ns and for M/s and GiB/s alike.
     */
    static String figure(double value) {
        double magnitude = Math.abs(value);
        return String.format(Locale.ROOT, magnitude >= 100 ? "%.1f" : magnitude >= 10 ? "%.2f" : magnitude >= 1 ? "%.3f" : "%.3g",
                value);
    }

    @Override
    public String toString() {
        return Arrays.toString(new double[] {median, min, max});
    }
}
