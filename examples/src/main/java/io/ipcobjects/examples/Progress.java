package io.ipcobjects.examples;

import java.util.Locale;

/**
 * Prints how far a long loop is, at most once a second and only when it moved: items done of the
 * total, items per second and GB/s over the whole run so far. Quiet for a loop that ends within
 * its first second.
 *
 * <pre>{@code
 * Progress progress = new Progress("loader", "batches", batches, batchBytes);
 * for (long b = 0; b < batches; b++) { ...; progress.update(b + 1); }
 * }</pre>
 */
public final class Progress {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final String who;
    private final String items;
    private final long total;
    private final long bytesPerItem;
    private final long start = System.nanoTime();
    private long lastPrint = start;
    private long lastPrinted;

    /** {@code who}: the prefix of each line; {@code items}: what is counted ("batches"). */
    public Progress(String who, String items, long total, long bytesPerItem) {
        this.who = who;
        this.items = items;
        this.total = total;
        this.bytesPerItem = bytesPerItem;
    }

    /** Reports {@code done} items if a second has passed since the last line. */
    public void update(long done) {
        long now = System.nanoTime();
        if (now - lastPrint >= INTERVAL_NANOS && done < total && done > lastPrinted) {
            lastPrint = now;
            lastPrinted = done;
            System.out.println(who + ": " + done + "/" + total + " " + items + ", " + rate(done, now));
        }
    }

    /** Seconds since this progress began. */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** {@code "410 batches/s, 1.29 GB/s"} for {@code done} items since the start. */
    public String rate(long done) {
        return rate(done, System.nanoTime());
    }

    private String rate(long done, long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        return String.format(Locale.ROOT, "%.1f %s/s, %s/s", done / seconds, items, bytes(done * bytesPerItem / seconds));
    }

    /** {@code 25165824} → {@code "25.2 MB"}: decimal units, as rates are given. */
    public static String bytes(double bytes) {
        if (bytes >= 1e9) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
        }
        if (bytes >= 1e6) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }
}
