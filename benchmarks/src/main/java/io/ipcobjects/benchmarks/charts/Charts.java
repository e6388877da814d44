package io.ipcobjects.benchmarks.charts;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws the PNG bar charts of {@code benchmarks/run-charts.sh} from the JSON files of one run:
 * the harness's ({@code Harness --json=}) and JMH's ({@code -rf json}). Every chart sets
 * ipc-objects beside the peers and floors measured in the same run, never beside figures from
 * elsewhere:
 * <ul>
 *   <li>{@code roundtrip-latency.png}: per-round-trip latency percentiles of the library's
 *       message round trip, Agrona's ring and the plain cache-line ping-pong (harness);</li>
 *   <li>{@code two-process-medians.png}: the median of every two-process scenario beside the
 *       ping-pong medians measured right before and after it (harness);</li>
 *   <li>{@code lock-acquire-release.png}: uncontended lock operations and the bare CAS floor
 *       ({@code LockBenchmark}, JMH);</li>
 *   <li>{@code tensor-copy-bandwidth.png}: copy into a shared tensor against
 *       {@code MemorySegment.copy} between plain segments, per size ({@code TensorCopyBenchmark},
 *       JMH).</li>
 * </ul>
 * A chart whose figures are not in the files is skipped with a note.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.ipcobjects.benchmarks.charts.Charts \
 *      [--harness=harness.json] [--jmh=jmh.json] [--out=docs/charts]
 * </pre>
 */
public final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Size of every chart, in pixels. */
    public static final int WIDTH = 960;
    public static final int HEIGHT = 540;

    private static final Color OURS = new Color(0x1f, 0x77, 0xb4);
    private static final Color PEER = new Color(0xff, 0x7f, 0x0e);
    private static final Color FLOOR = new Color(0x7f, 0x7f, 0x7f);
    private static final Color FLOOR_AFTER = new Color(0xb0, 0xb0, 0xb0);
    private static final String LOCK_BENCHMARK = "io.ipcobjects.benchmarks.lock.LockBenchmark.";
    private static final String COPY_BENCHMARK = "io.ipcobjects.benchmarks.tensor.TensorCopyBenchmark.";

    private Charts() {
    }

    public static void main(String[] args) throws IOException {
        Path harness = null;
        Path jmh = null;
        Path out = Path.of("docs/charts");
        for (String arg : args) {
            if (arg.startsWith("--harness=")) {
                harness = Path.of(arg.substring("--harness=".length()));
            } else if (arg.startsWith("--jmh=")) {
                jmh = Path.of(arg.substring("--jmh=".length()));
            } else if (arg.startsWith("--out=")) {
                out = Path.of(arg.substring("--out=".length()));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg
                        + "; usage: Charts [--harness=harness.json] [--jmh=jmh.json] [--out=docs/charts]");
            }
        }
        for (Path written : draw(harness, jmh, out)) {
            System.out.println("wrote " + written);
        }
    }

    /** Draws every chart the given files (either may be null) have figures for; the PNGs written. */
    public static List<Path> draw(Path harnessJson, Path jmhJson, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        List<Path> written = new ArrayList<>();
        if (harnessJson != null) {
            Map<String, Object> harness = Json.object(Json.parse(Files.readString(harnessJson)));
            save(roundTripLatency(harness), outDir.resolve("roundtrip-latency.png"), written);
            save(twoProcessMedians(harness), outDir.resolve("two-process-medians.png"), written);
        }
        if (jmhJson != null) {
            List<Object> jmh = Json.array(Json.parse(Files.readString(jmhJson)));
            save(lockAcquireRelease(jmh), outDir.resolve("lock-acquire-release.png"), written);
            save(tensorCopyBandwidth(jmh), outDir.resolve("tensor-copy-bandwidth.png"), written);
        }
        return written;
    }

    private static void save(JFreeChart chart, Path file, List<Path> written) throws IOException {
        if (chart == null) {
            System.out.println("skipped " + file + ": its figures are not in the results");
            return;
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        written.add(file);
    }

    // ---- harness charts

    /** The first successful outcome of {@code scenario} (by name), or null. */
    private static Map<String, Object> firstOk(Map<String, Object> harness, String scenario) {
        for (Object o : Json.array(harness.get("scenarios"))) {
            Map<String, Object> s = Json.object(o);
            if (scenario.equals(s.get("scenario")) && Boolean.TRUE.equals(s.get("ok"))) {
                return s;
            }
        }
        return null;
    }

    /** The successful ping-pong baselines of the run, in run order. */
    private static List<Map<String, Object>> baselines(Map<String, Object> harness) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Object o : Json.array(harness.get("scenarios"))) {
            Map<String, Object> s = Json.object(o);
            if ("pingpong".equals(s.get("scenario")) && Boolean.TRUE.equals(s.get("ok"))) {
                found.add(s);
            }
        }
        return found;
    }

    /**
     * The ping-pong to set beside a scenario: the baseline run right before it (the JSON lists
     * runs in order), else the first baseline of the run.
     */
    private static Map<String, Object> floorBefore(Map<String, Object> harness, Map<String, Object> scenario) {
        List<Object> all = Json.array(harness.get("scenarios"));
        int i = all.indexOf(scenario);
        if (i > 0) {
            Map<String, Object> previous = Json.object(all.get(i - 1));
            if ("pingpong".equals(previous.get("scenario")) && Boolean.TRUE.equals(previous.get("ok"))) {
                return previous;
            }
        }
        List<Map<String, Object>> baselines = baselines(harness);
        return baselines.isEmpty() ? null : baselines.getFirst();
    }

    private static final String[] PERCENTILES = {"p50", "p90", "p99", "p99.9"};

    static JFreeChart roundTripLatency(Map<String, Object> harness) {
        Map<String, Object> ours = firstOk(harness, "message-roundtrip");
        if (ours == null || ours.get("latency") == null) {
            return null;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Paint> paints = new ArrayList<>();
        addPercentiles(data, "ipc-objects message round trip", ours, paints, OURS);
        Map<String, Object> agrona = firstOk(harness, "agrona-ring");
        if (agrona != null && agrona.get("latency") != null) {
            addPercentiles(data, "Agrona OneToOneRingBuffer round trip", agrona, paints, PEER);
        }
        Map<String, Object> floor = floorBefore(harness, ours);
        if (floor != null && floor.get("latency") != null) {
            addPercentiles(data, "cache-line ping-pong (floor)", floor, paints, FLOOR);
        }
        JFreeChart chart = barChart("Two-process round trip: latency percentiles", "percentile of the round trips",
                "ns per round trip (log scale)", data, paints, true);
        chart.addSubtitle(subtitle("Harness, one run; each process pinned to its own core; clock read once per round trip, "
                + "included. Ping-pong in this run: p50 " + baselineRange(harness, "p50") + " ns, window medians "
                + baselineRange(harness, null) + " ns."));
        return chart;
    }

    private static void addPercentiles(DefaultCategoryDataset data, String series, Map<String, Object> scenario,
                                       List<Paint> paints, Paint paint) {
        Map<String, Object> latency = Json.object(scenario.get("latency"));
        for (String p : PERCENTILES) {
            data.addValue(Json.number(latency.get(p)), series, p);
        }
        paints.add(paint);
    }

    static JFreeChart twoProcessMedians(Map<String, Object> harness) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Object o : Json.array(harness.get("scenarios"))) {
            Map<String, Object> s = Json.object(o);
            String spec = (String) s.get("spec");
            if ("pingpong".equals(s.get("scenario")) || !Boolean.TRUE.equals(s.get("ok")) || seen.containsKey(spec)
                    || !String.valueOf(s.get("unit")).startsWith("ns/")) {
                continue;
            }
            seen.put(spec, true);
            String category = spec + " (" + s.get("unit") + ")";
            data.addValue(Json.number(s.get("median")), "scenario median", category);
            data.addValue(numberOrNull(s.get("baselineBefore")), "ping-pong right before", category);
            data.addValue(numberOrNull(s.get("baselineAfter")), "ping-pong right after", category);
        }
        if (seen.isEmpty()) {
            return null;
        }
        JFreeChart chart = barChart("Two-process scenarios beside the ping-pong of the same run", null,
                "ns per operation (median of the windows)", data, List.of(OURS, FLOOR, FLOOR_AFTER), false);
        long windows = Math.round(Json.number(Json.object(harness.get("settings")).get("windows")));
        chart.addSubtitle(subtitle("Harness, one run: median of " + windows + " windows per scenario, no clock read per "
                + "operation; each process pinned to its own core."));
        return chart;
    }

    private static Double numberOrNull(Object value) {
        return value == null ? null : Json.number(value);
    }

    /** Lowest and highest ping-pong figure of the run: window medians ({@code percentile} null) or a latency percentile. */
    private static String baselineRange(Map<String, Object> harness, String percentile) {
        double low = Double.MAX_VALUE;
        double high = 0;
        for (Map<String, Object> b : baselines(harness)) {
            if (percentile != null && b.get("latency") == null) {
                continue;
            }
            double median = percentile == null ? Json.number(b.get("median"))
                    : Json.number(Json.object(b.get("latency")).get(percentile));
            low = Math.min(low, median);
            high = Math.max(high, median);
        }
        return high == 0 ? "none" : String.format(Locale.ROOT, "%.0f-%.0f", low, high);
    }

    // ---- JMH charts

    private record JmhResult(String benchmark, Map<String, Object> params, double score, double error, String unit) {

        String method() {
            return benchmark.substring(benchmark.lastIndexOf('.') + 1);
        }

        /** The score in ns per operation, for the time-per-operation units JMH writes. */
        double nanosPerOp() {
            double scale = switch (unit) {
                case "ns/op" -> 1;
                case "us/op" -> 1e3;
                case "ms/op" -> 1e6;
                case "s/op" -> 1e9;
                default -> throw new IllegalArgumentException("not a time per operation: " + unit);
            };
            return score * scale;
        }
    }

    private static List<JmhResult> jmhResults(List<Object> jmh, String prefix) {
        List<JmhResult> results = new ArrayList<>();
        for (Object o : jmh) {
            Map<String, Object> run = Json.object(o);
            String benchmark = (String) run.get("benchmark");
            if (benchmark == null || !benchmark.startsWith(prefix)) {
                continue;
            }
            Map<String, Object> metric = Json.object(run.get("primaryMetric"));
            Map<String, Object> params = run.get("params") == null ? Map.of() : Json.object(run.get("params"));
            results.add(new JmhResult(benchmark, params, Json.number(metric.get("score")),
                    Json.number(metric.get("scoreError")), (String) metric.get("scoreUnit")));
        }
        return results;
    }

    static JFreeChart lockAcquireRelease(List<Object> jmh) {
        List<JmhResult> results = jmhResults(jmh, LOCK_BENCHMARK);
        if (results.isEmpty()) {
            return null;
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<Paint> columnPaints = new ArrayList<>();
        for (JmhResult r : results) {
            String error = Double.isFinite(r.error()) ? String.format(Locale.ROOT, " ± %.1f", r.error() * r.nanosPerOp() / r.score())
                    : "";
            data.addValue(r.nanosPerOp(), "ns per operation", r.method() + error);
            columnPaints.add(r.method().contains("Floor") ? FLOOR : OURS);
        }
        JFreeChart chart = barChart("Region lock, one process, uncontended (JMH LockBenchmark)", null, "ns per operation",
                data, columnPaints, false, true);
        chart.removeLegend();
        chart.addSubtitle(subtitle("JMH average time per operation, ± its 99.9% error. Blue: the library's lock; grey: the floor, one CAS and "
                + "one release store on a mapped word, measured in the same run."));
        return chart;
    }

    static JFreeChart tensorCopyBandwidth(List<Object> jmh) {
        List<JmhResult> results = new ArrayList<>(jmhResults(jmh, COPY_BENCHMARK));
        results.removeIf(r -> !r.params().containsKey("size"));
        if (results.isEmpty()) {
            return null;
        }
        results.sort(Comparator.comparingLong(r -> bytes(String.valueOf(r.params().get("size")))));
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, Paint> paintBySeries = new LinkedHashMap<>();
        for (JmhResult r : results) {
            String size = String.valueOf(r.params().get("size"));
            double gibPerSecond = bytes(size) / (r.nanosPerOp() * 1e-9) / (1L << 30);
            String series = switch (r.method()) {
                case "segmentToSharedTensor" -> "ipc-objects: MemorySegment into a shared tensor";
                case "segmentToPlainSegment" -> "floor: MemorySegment.copy between plain segments";
                case "floatArrayToSharedTensor" -> "ipc-objects: float[] into a shared tensor";
                case "floatArrayToPlainSegment" -> "floor: float[] into a plain segment";
                default -> r.method();
            };
            paintBySeries.putIfAbsent(series, switch (r.method()) {
                case "segmentToSharedTensor" -> OURS;
                case "segmentToPlainSegment" -> FLOOR;
                case "floatArrayToSharedTensor" -> new Color(0x9e, 0xc9, 0xe6);
                default -> FLOOR_AFTER;
            });
            data.addValue(gibPerSecond, series, size);
        }
        List<Paint> paints = new ArrayList<>();
        for (Object series : data.getRowKeys()) {
            paints.add(paintBySeries.get(String.valueOf(series)));
        }
        JFreeChart chart = barChart("Copy into a shared tensor vs a plain copy (JMH TensorCopyBenchmark, warm pages)",
                "size of the copy", "GiB/s (higher is better)", data, paints, false);
        chart.addSubtitle(subtitle("Bandwidth = size / JMH average time per copy; both measured in the same run."));
        return chart;
    }

    /** Bytes of a JMH size parameter such as {@code 16MiB}, {@code 1GiB}, {@code 512}. */
    static long bytes(String size) {
        String s = size.trim();
        long unit = 1;
        for (String[] suffix : new String[][] {{"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}, {"B", "1"}}) {
            if (s.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                s = s.substring(0, s.length() - suffix[0].length());
                break;
            }
        }
        return Long.parseLong(s.trim()) * unit;
    }

    // ---- drawing

    private static JFreeChart barChart(String title, String categoryLabel, String valueLabel, DefaultCategoryDataset data,
                                       List<? extends Paint> paints, boolean logScale) {
        return barChart(title, categoryLabel, valueLabel, data, paints, logScale, false);
    }

    /** A bar chart; {@code paints} colour the series, or the categories when {@code paintPerCategory}. */
    private static JFreeChart barChart(String title, String categoryLabel, String valueLabel, DefaultCategoryDataset data,
                                       List<? extends Paint> paints, boolean logScale, boolean paintPerCategory) {
        CategoryAxis categories = new CategoryAxis(categoryLabel);
        categories.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        categories.setMaximumCategoryLabelLines(3);
        ValueAxis values;
        if (logScale) {
            LogAxis log = new LogAxis(valueLabel);
            log.setBase(10);
            log.setSmallestValue(1);
            log.setNumberFormatOverride(new DecimalFormat("#,##0"));
            log.setTickUnit(new NumberTickUnit(1)); // a tick per power of ten
            log.setAutoTickUnitSelection(false);
            values = log;
        } else {
            NumberAxis linear = new NumberAxis(valueLabel);
            linear.setUpperMargin(0.15); // room for the value labels
            values = linear;
        }
        BarRenderer renderer = paintPerCategory ? new BarRenderer() {
            @Override
            public Paint getItemPaint(int row, int column) {
                return paints.get(column);
            }
        } : new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(false);
        renderer.setItemMargin(0.05);
        if (logScale) {
            renderer.setBase(1);
            renderer.setIncludeBaseInRange(false);
        }
        for (int i = 0; !paintPerCategory && i < paints.size(); i++) {
            renderer.setSeriesPaint(i, paints.get(i));
        }
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.#")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        renderer.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        CategoryPlot plot = new CategoryPlot(data, categories, values, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlineVisible(false);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static TextTitle subtitle(String text) {
        return new TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    }
}
