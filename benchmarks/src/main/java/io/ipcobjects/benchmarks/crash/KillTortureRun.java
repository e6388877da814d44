package io.ipcobjects.benchmarks.crash;

import io.ipcobjects.testing.KillTorture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The long kill torture: {@code kill -9} of a worker process at random moments of heap work,
 * {@code kills} times (default 1000), checking the region after each takeover. Prints the
 * report: kills, takeovers, operations rolled back, corrupted regions and inconsistent
 * containers (both must be 0), and the takeover time (median, max).
 *
 * <pre>
 * benchmarks/run-kill-torture.sh [kills] [maxWorkMillis] [seed]
 * </pre>
 */
public final class KillTortureRun {
    private KillTortureRun() {
    }

    public static void main(String[] args) throws IOException {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int maxWorkMillis = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.nanoTime();
        Path signals = Files.createTempDirectory("kill-torture");
        String name = "kill-torture-" + UUID.randomUUID().toString().substring(0, 8);
        long start = System.nanoTime();
        KillTorture.Report report;
        try {
            report = KillTorture.run(name, kills, seed, maxWorkMillis, signals, System.out);
        } finally {
            try (Stream<Path> files = Files.walk(signals)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("seed=%d maxWorkMillis=%d seconds=%.0f%n", seed, maxWorkMillis, (System.nanoTime() - start) / 1e9);
        System.out.println(report.summary());
        report.problems().forEach(System.out::println);
        if (report.corrupted() != 0 || report.inconsistent() != 0) {
            System.exit(1);
        }
    }
}
