package io.ipcobjects.benchmarks.harness;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Pins each side of a scenario to its own core with {@code taskset}, so the figures measure a
 * core-to-core hand-off, not the scheduler moving both processes onto one core. Without
 * {@code taskset} (or with fewer than two cores) everything runs unpinned and the harness says so.
 */
final class Pinning {

    private final Optional<Path> taskset;
    private final int parentCore;
    private final int childCore;

    private Pinning(Optional<Path> taskset, int parentCore, int childCore) {
        this.taskset = taskset;
        this.parentCore = parentCore;
        this.childCore = childCore;
    }

    static Pinning detect(int parentCore, int childCore, boolean wanted) {
        if (!wanted || Runtime.getRuntime().availableProcessors() < 2) {
            return new Pinning(Optional.empty(), parentCore, childCore);
        }
        return new Pinning(findOnPath("taskset"), parentCore, childCore);
    }

    boolean enabled() {
        return taskset.isPresent();
    }

    /**
     * Pins every thread of this JVM to the parent's core ({@code taskset -a -p}); threads started
     * later inherit it. Returns false, with a reason printed, if that fails.
     */
    boolean pinSelf() {
        if (taskset.isEmpty()) {
            return false;
        }
        List<String> command = List.of(taskset.get().toString(), "-a", "-p", "-c", Integer.toString(parentCore),
                Long.toString(ProcessHandle.current().pid()));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return true;
            }
            p.destroyForcibly();
            System.out.println("warning: " + String.join(" ", command) + " failed; the parent runs unpinned");
        } catch (IOException e) {
            System.out.println("warning: could not run taskset: " + e.getMessage() + "; the parent runs unpinned");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The prefix that starts the child pinned ({@code taskset -c N}), or nothing. */
    List<String> childPrefix() {
        List<String> prefix = new ArrayList<>();
        taskset.ifPresent(t -> {
            prefix.add(t.toString());
            prefix.add("-c");
            prefix.add(Integer.toString(childCore));
        });
        return prefix;
    }

    String describe() {
        return taskset.isPresent()
                ? "parent pinned to core " + parentCore + ", child to core " + childCore + " (taskset)"
                : "UNPINNED (no taskset on PATH, fewer than 2 cores, or --no-pin): figures include scheduler moves";
    }

    private static Optional<Path> findOnPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
