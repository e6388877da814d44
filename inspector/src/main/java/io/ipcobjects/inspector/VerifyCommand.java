package io.ipcobjects.inspector;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.HeapStats;
import io.ipcobjects.RegionReport;
import io.ipcobjects.SharedMemory;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify <file>}: the header's damage code and the whole-region check of
 * {@code SharedMemory.verify()}, run over a read-only mapping without the lock.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a whole region (heap, free lists, everything the names, messages and types reach) "
                + "read-only and without the lock.",
                "A region changed by a process while this reads can show problems that are not damage: re-run, "
                        + "or call SharedMemory.verify() under the lock to tell which.",
                "Exit code 1 if it is inconsistent or its header marks it damaged."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the region file")
    Path file;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Override
    public Integer call() {
        RegionReport report = SharedMemory.inspect(file);
        HeapStats heap = null;
        String problem = null;
        try {
            heap = SharedMemory.verifyReadOnly(file);
        } catch (CorruptedRegionException e) {
            problem = e.getMessage();
        }
        boolean consistent = problem == null && !report.isDamaged();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = ReportJson.MAPPER.createObjectNode();
            node.put("path", file.toString());
            node.put("withoutLock", true);
            node.put("consistent", consistent);
            node.put("damage", report.damage());
            if (heap != null) {
                ReportJson.heap(node.putObject("heap"), heap);
            } else {
                node.putNull("heap");
            }
            node.put("problem", problem);
            out.println(ReportJson.pretty(node));
        } else {
            out.println("region    " + file);
            out.println("checked   read-only, without the lock (a process changing the region meanwhile can show"
                    + " problems that are not damage)");
            if (report.isDamaged()) {
                out.println("damage    the header marks the region damaged: " + report.damage());
            }
            if (heap != null) {
                out.println("heap      " + ReportText.heap(heap));
            }
            out.println(problem == null ? "result    " + (consistent ? "consistent" : "damaged") : "result    inconsistent");
            if (problem != null) {
                out.println(problem);
            }
        }
        out.flush();
        return consistent ? InspectCommand.OK : InspectCommand.INCONSISTENT;
    }
}
