package io.ipcobjects.benchmarks.harness;

import java.util.List;
import java.util.Locale;

/**
 * How many warm-up windows a scenario gets: at least {@code --warmup}, and more while the figure
 * is still getting better by more than {@link #SETTLED_WITHIN} from one window to the next, up to
 * {@code --max-warmup}.
 *
 * <p>Why: on a slow host a scenario can still be compiling when a fixed warm-up ends. One
 * {@code message-roundtrip} went 2.45 ms per round trip in its first warm-up window, then 58.7,
 * 18.0, 1.78 and 1.29 µs, and 847 ns in its last measured window; its median said nothing about
 * the code. A figure that keeps falling (or, for a rate, rising) is the JIT at work, not noise,
 * so the harness waits for it to stop before it counts windows.
 *
 * <p>Each window is compared with the one before it, so a warm-up of fewer than two windows
 * ({@code --warmup=1}, {@code --quick}) is never extended: one window leaves nothing to compare.
 */
final class WarmUp {

    /** Relative gain between two windows under which the figure counts as settled: 10%. */
    static final double SETTLED_WITHIN = 0.10;

    private final int minimum;
    private final int maximum;
    private final boolean lowerIsBetter;

    /**
     * At least {@code minimum} windows, at most {@code maximum} (raised to {@code minimum}); a
     * figure in {@code unit} is better when lower if the unit is a time ({@code "ns/..."}).
     */
    WarmUp(int minimum, int maximum, String unit) {
        if (minimum < 0) {
            throw new IllegalArgumentException("--warmup " + minimum + " < 0");
        }
        this.minimum = minimum;
        this.maximum = Math.max(minimum, maximum);
        this.lowerIsBetter = unit.startsWith("ns/");
    }

    /** Whether another warm-up window should run after the ones measured so far ({@code figures}, oldest first). */
    boolean wantsAnother(List<Double> figures) {
        int done = figures.size();
        if (done < minimum) {
            return true;
        }
        return done < maximum && lastImproved(figures);
    }

    /** Whether the last of {@code figures} improved on the one before it (false with fewer than two). */
    private boolean lastImproved(List<Double> figures) {
        int done = figures.size();
        return done >= 2 && improved(figures.get(done - 2), figures.get(done - 1));
    }

    /** Whether {@code last} is better than {@code previous} by more than {@link #SETTLED_WITHIN}. */
    boolean improved(double previous, double last) {
        if (!(previous > 0) || !(last > 0)) {
            return false; // a window that measured nothing says nothing about the JIT
        }
        return lowerIsBetter ? last < previous * (1 - SETTLED_WITHIN) : last > previous * (1 + SETTLED_WITHIN);
    }

    /**
     * A line for the printout when the warm-up ({@code figures}) went past the minimum, else "":
     * how far, and whether it stopped at the maximum with the figure still improving (the
     * measured windows may then still be compiling).
     */
    String describe(List<Double> figures) {
        int extra = figures.size() - minimum;
        if (extra <= 0) {
            return "";
        }
        long percent = Math.round(SETTLED_WITHIN * 100);
        if (figures.size() >= maximum && lastImproved(figures)) {
            return String.format(Locale.ROOT, "  warm-up stopped at --max-warmup=%d still improving by more than %d%% a window:"
                    + " the windows below may still be compiling%n", maximum, percent);
        }
        return String.format(Locale.ROOT, "  warm-up took %d window%s past --warmup=%d, until the figure improved by less than %d%%%n",
                extra, extra == 1 ? "" : "s", minimum, percent);
    }
}
