package io.ipcobjects.internal.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A process as the region records it: its pid and its start time. The pair tells a live owner
 * from a dead one even after the pid has been reused.
 *
 * <p>On Linux the start time is field 22 of {@code /proc/<pid>/stat} (clock ticks since boot):
 * exact, the same whoever reads it, and the same file says whether the process is a zombie
 * (killed but not yet reaped, which {@link ProcessHandle#isAlive()} still calls alive). Where
 * there is no {@code /proc} it falls back to {@link ProcessHandle.Info#startInstant()} in
 * milliseconds.
 */
public record ProcessIdentity(long pid, long startTime) {

    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isDirectory(PROC.resolve("self"));
    private static final ProcessIdentity CURRENT = of(ProcessHandle.current().pid())
            .orElseThrow(() -> new IllegalStateException("cannot read this process's own start time"));

    public static ProcessIdentity current() {
        return CURRENT;
    }

    /** The identity of a running process, or empty if there is none with that pid. */
    public static Optional<ProcessIdentity> of(long pid) {
        if (HAS_PROC) {
            ProcStat stat = readProcStat(pid);
            return stat == null || stat.dead() ? Optional.empty() : Optional.of(new ProcessIdentity(pid, stat.startTicks()));
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(h -> h.info().startInstant())
                .map(Instant::toEpochMilli)
                .map(start -> new ProcessIdentity(pid, start));
    }

    /** True while this very process (pid and start time) still runs. */
    public boolean isAlive() {
        if (pid <= 0) {
            return false;
        }
        return of(pid).map(live -> live.startTime == startTime).orElse(false);
    }

    private record ProcStat(char state, long startTicks) {
        boolean dead() {
            return state == 'Z' || state == 'X' || state == 'x';
        }
    }

    private static ProcStat readProcStat(long pid) {
        String text;
        try {
            text = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            // /proc/<pid> vanished while reading, or is unreadable: the process is gone or not ours to see.
            return null;
        }
        // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
        int close = text.lastIndexOf(')');
        if (close < 0 || close + 2 >= text.length()) {
            return null;
        }
        String[] fields = text.substring(close + 2).trim().split(" ");
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        if (fields.length < 20) {
            return null;
        }
        try {
            return new ProcStat(fields[0].charAt(0), Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
