package io.ipcobjects.inspector;

import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedMemory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code watch <file>}: {@code show} again every interval, until Ctrl-C or {@code --count}
 * reports; with the change in waiting messages and used heap since the previous report. With
 * {@code --json}, one JSON object per line (JSON Lines).
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {"Show a region again and again, every --interval milliseconds, until Ctrl-C (or --count reports),"
                + " with the change in waiting messages and used heap since the report before.",
                "Ends with exit code 3 when the region goes away (its creator closed it)."})
final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the region file")
    Path file;

    @Option(names = {"-i", "--interval"}, paramLabel = "MS", defaultValue = "1000",
            description = "milliseconds between reports (default: ${DEFAULT-VALUE})")
    long intervalMillis;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "0",
            description = "stop after N reports; 0 (the default) runs until interrupted")
    long count;

    @Option(names = "--json", description = "print one JSON object per report and line")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (intervalMillis < 1) {
            throw new ParameterException(spec.commandLine(), "--interval must be at least 1 millisecond, not " + intervalMillis);
        }
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be 0 (no limit) or more, not " + count);
        }
        PrintWriter out = spec.commandLine().getOut();
        RegionReport previous = null;
        for (long done = 0; count == 0 || done < count; done++) {
            if (done > 0) {
                Thread.sleep(intervalMillis);
            }
            RegionReport report = SharedMemory.inspect(file);
            if (json) {
                out.println(ReportJson.compact(ReportJson.report(report)));
            } else {
                out.println("---- " + report.inspectedAt().truncatedTo(ChronoUnit.MILLIS) + changes(previous, report) + " ----");
                out.print(ReportText.report(report));
            }
            out.flush();
            previous = report;
        }
        return InspectCommand.OK;
    }

    /** Messages and used heap since the previous report, per second. */
    private static String changes(RegionReport previous, RegionReport report) {
        if (previous == null) {
            return "";
        }
        double seconds = Math.max(1e-3, (report.inspectedAt().toEpochMilli() - previous.inspectedAt().toEpochMilli()) / 1e3);
        StringBuilder text = new StringBuilder(String.format(" | messages %+d (%+.1f/s)", report.messages() - previous.messages(),
                (report.messages() - previous.messages()) / seconds));
        if (report.heap() != null && previous.heap() != null) {
            text.append(String.format(" | heap used %+d bytes", report.heap().usedBytes() - previous.heap().usedBytes()));
        }
        return text.toString();
    }
}
