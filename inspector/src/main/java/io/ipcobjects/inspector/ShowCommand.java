package io.ipcobjects.inspector;

import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedMemory;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code show <file>}: everything the report holds. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show what a region holds: state, processes and their liveness, the lock, heap, messages, names, types.")
final class ShowCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the region file, e.g. /dev/shm/ipcobjects-<name>")
    Path file;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Override
    public Integer call() {
        RegionReport report = SharedMemory.inspect(file);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ReportJson.pretty(ReportJson.report(report)) + System.lineSeparator() : ReportText.report(report));
        out.flush();
        return InspectCommand.OK;
    }
}
