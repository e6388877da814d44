package io.ipcobjects.testing;

import io.ipcobjects.childjvm.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Wrappers for {@link ChildJvm#startWrapped} that run a child JVM the way a container would: in
 * its own pid namespace, or with a small tmpfs mounted where only it sees it. They need root (or
 * user namespaces); {@link #assumeAvailable} skips a test, with the reason printed, where the
 * machine does not allow them.
 */
public final class Namespaces {
    private Namespaces() {
    }

    /**
     * A new pid namespace with its own {@code /proc}: the child is pid 1 there and sees no other
     * process, as in a container sharing the host's {@code /dev/shm}. If the wrapper dies, the
     * child is killed.
     */
    public static final List<String> NEW_PID_NAMESPACE = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");

    /** A new mount namespace in which a tmpfs of {@code size} (such as "8m") is mounted on {@code directory}. */
    public static List<String> smallTmpfs(Path directory, String size) {
        return List.of("unshare", "--mount", "sh", "-c",
                "mount -t tmpfs -o size=" + size + " tmpfs \"$1\" && shift && exec \"$@\"", "sh", directory.toString());
    }

    /** Skips the calling test, printing why, unless {@code wrapper true} runs here. */
    public static void assumeAvailable(List<String> wrapper) {
        String why = unavailable(wrapper);
        if (why != null) {
            System.out.println("skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
    }

    /** Why {@code wrapper true} does not run here, or null if it does. */
    public static String unavailable(List<String> wrapper) {
        List<String> command = new ArrayList<>(wrapper);
        command.add("true");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish within 20 s";
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.exitValue() == 0 ? null
                    : String.join(" ", command) + " failed (exit " + process.exitValue() + "; not root?): " + output;
        } catch (IOException e) {
            return "cannot run " + String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
