package io.ipcobjects.inspector;

import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedMemory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code list [dir]}: the region files in a directory, recognised by their magic, each summed up in a line. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the regions in a directory (files that start with the region magic; nothing is attached).")
final class ListCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "directory to look in (default: ${DEFAULT-VALUE})",
            defaultValue = "/dev/shm")
    Path directory;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    /** One region's line: its report, or why it could not be read. */
    record Entry(Path path, RegionReport report, String error) {
    }

    @Override
    public Integer call() {
        List<Entry> entries = SharedMemory.findRegions(directory).stream().map(ListCommand::entry).toList();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode array = ReportJson.MAPPER.createArrayNode();
            for (Entry entry : entries) {
                ObjectNode node = array.addObject();
                node.put("path", entry.path().toString());
                if (entry.report() != null) {
                    ReportJson.summary(node, entry.report());
                } else {
                    node.put("error", entry.error());
                }
            }
            out.println(ReportJson.pretty(array));
        } else {
            out.print(ReportText.list(directory, entries));
        }
        out.flush();
        return InspectCommand.OK;
    }

    private static Entry entry(Path path) {
        try {
            return new Entry(path, SharedMemory.inspect(path), null);
        } catch (RuntimeException e) {
            return new Entry(path, null, InspectCommand.message(e));
        }
    }
}
