package io.ipcobjects.inspector;

import io.ipcobjects.HeapStats;
import io.ipcobjects.RegionReport;
import io.ipcobjects.RegionReport.LockHolder;
import io.ipcobjects.RegionReport.NamedObject;
import io.ipcobjects.RegionReport.ProcessEntry;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text form of reports: labelled lines and aligned tables, for people. */
final class ReportText {
    private ReportText() {
    }

    static String report(RegionReport report) {
        StringBuilder out = new StringBuilder();
        line(out, "region", report.path().toString());
        line(out, "state", report.state() + (report.isDamaged() ? ", DAMAGED: " + report.damage() : ", sound"));
        line(out, "size", bytes(report.sizeBytes()) + ", layout version " + report.layoutVersion());
        line(out, "created", time(report.createdAt()) + " by pid " + report.creatorPid());
        line(out, "attached", report.anyoneAttached() ? "yes (the presence lock is held)" : "nobody");
        line(out, "lock", lock(report));
        line(out, "heap", report.heap() == null ? "not readable (see notes)" : heap(report.heap()));
        line(out, "messages", report.messages() + " waiting");

        out.append(System.lineSeparator()).append("processes: ").append(report.processes().size())
                .append(" in the table, ").append(report.aliveProcesses()).append(" alive").append(System.lineSeparator());
        if (!report.processes().isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"slot", "pid", "role", "liveness", "attached at", "pid namespace", "lock acq/waits",
                "msgs put/taken", "heap alloc/freed", "held objs/bytes"});
            for (ProcessEntry p : report.processes()) {
                rows.add(new String[] {Integer.toString(p.slot()), Long.toString(p.pid()), p.role(),
                        p.liveness().name().toLowerCase(Locale.ROOT), time(p.attachedAt()), Long.toString(p.pidNamespace()),
                        p.stats().lockAcquisitions() + "/" + p.stats().lockWaits(),
                        p.stats().messagesPut() + "/" + p.stats().messagesTaken(),
                        p.stats().bytesAllocated() + "/" + p.stats().bytesFreed(),
                        p.stats().objectsHeld() + "/" + p.stats().bytesHeld()});
            }
            table(out, rows);
        }

        out.append(System.lineSeparator()).append("names: ").append(report.names().size()).append(System.lineSeparator());
        if (!report.names().isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"name", "kind", "dtype", "shape", "bytes"});
            for (NamedObject named : report.names()) {
                rows.add(new String[] {named.name(), named.kind(), named.dtype() == null ? "" : named.dtype().name(),
                        named.dtype() == null ? "" : named.shape().toString(), Long.toString(named.bytes())});
            }
            table(out, rows);
        }

        out.append(System.lineSeparator()).append("registered types: ").append(report.registeredTypes().size())
                .append(System.lineSeparator());
        for (String type : report.registeredTypes()) {
            out.append("  ").append(type).append(System.lineSeparator());
        }
        out.append(System.lineSeparator()).append("notes: ").append(report.notes().isEmpty() ? "none" : report.notes().size())
                .append(System.lineSeparator());
        for (String note : report.notes()) {
            out.append("  ").append(note).append(System.lineSeparator());
        }
        return out.toString();
    }

    static String list(Path directory, List<ListCommand.Entry> entries) {
        StringBuilder out = new StringBuilder();
        out.append(entries.size()).append(entries.size() == 1 ? " region in " : " regions in ").append(directory)
                .append(System.lineSeparator());
        if (entries.isEmpty()) {
            return out.toString();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"path", "state", "size", "alive", "lock", "messages", "names", "heap used"});
        for (ListCommand.Entry entry : entries) {
            RegionReport r = entry.report();
            if (r == null) {
                rows.add(new String[] {entry.path().toString(), "unreadable: " + entry.error(), "", "", "", "", "", ""});
                continue;
            }
            rows.add(new String[] {r.path().toString(), r.state() + (r.isDamaged() ? " DAMAGED" : ""), bytes(r.sizeBytes()),
                    r.aliveProcesses() + "/" + r.processes().size(), r.lock().owner() == null ? "free" : "held",
                    Long.toString(r.messages()), Integer.toString(r.names().size()),
                    r.heap() == null ? "?" : bytes(r.heap().usedBytes())});
        }
        table(out, rows);
        return out.toString();
    }

    static String heap(HeapStats heap) {
        return String.format(Locale.ROOT, "%s used in %s, %s free in %s; largest free block %s; fragmentation %.3f",
                bytes(heap.usedBytes()), count(heap.usedBlocks(), "block"), bytes(heap.freeBytes()),
                count(heap.freeBlocks(), "block"), bytes(heap.largestFreeBlock()), heap.fragmentation());
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String lock(RegionReport report) {
        RegionReport.LockReport lock = report.lock();
        String owner = lock.owner() == null ? "free" : "held by " + holder(lock.owner());
        String successor = lock.successor() == null ? "" : "; next: " + holder(lock.successor());
        return owner + successor + "; " + lock.takeovers() + " takeover" + (lock.takeovers() == 1 ? "" : "s") + " from dead owners";
    }

    private static String holder(LockHolder holder) {
        String pid = holder.pid() == 0 ? "a process that left" : "pid " + holder.pid();
        return pid + " (slot " + holder.slot() + ", " + (holder.alive() ? "alive" : "DEAD") + ")";
    }

    /** Bytes for people: {@code 4.0 MiB (4194304 bytes)} above 1 KiB. */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s (%d bytes)", value, units[unit], bytes);
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-10s%s", label, value)).append(System.lineSeparator());
    }

    /** Rows as columns as wide as their widest cell, the first row a header. */
    private static void table(StringBuilder out, List<String[]> rows) {
        int columns = rows.getFirst().length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
    }
}
