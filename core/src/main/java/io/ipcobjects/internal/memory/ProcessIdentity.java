package io.ipcobjects.internal.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process as the region records it, for display: its pid, its start time and its pid
 * namespace. None of it decides whether a process lives (a pid means nothing outside its pid
 * namespace, and {@code /proc} shows only the reader's): the kernel's file locks do that, see
 * {@link FileLockLayout}.
 *
 * <p>On Linux the start time is field 22 of {@code /proc/self/stat} (clock ticks since boot) and
 * the namespace is the inode number in the link {@code /proc/self/ns/pid} ({@code pid:[N]});
 * either is 0 where it cannot be read.
 */
public record ProcessIdentity(long pid, long startTicks, long pidNamespace) {

    private static final ProcessIdentity CURRENT = new ProcessIdentity(ProcessHandle.current().pid(),
            readStartTicks(), readPidNamespace());

    /** This process. */
    public static ProcessIdentity current() {
        return CURRENT;
    }

    private static long readStartTicks() {
        try {
            String text = Files.readString(Path.of("/proc/self/stat"));
            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
            String[] fields = text.substring(text.lastIndexOf(')') + 2).trim().split(" ");
            return fields.length < 20 ? 0 : Long.parseLong(fields[19]); // fields[0] is field 3; field 22 is fields[19]
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long readPidNamespace() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString(); // "pid:[4026531836]"
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
