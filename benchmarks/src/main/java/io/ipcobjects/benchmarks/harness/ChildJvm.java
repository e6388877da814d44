package io.ipcobjects.benchmarks.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the child side of a scenario: the same java binary and class path as this JVM, the
 * parent's own JVM flags (so {@code --add-exports}, heap settings and the like carry over) plus
 * the scenario's, pinned by {@link Pinning}. The child's output goes straight to ours.
 */
final class ChildJvm {

    private final Process process;

    private ChildJvm(Process process) {
        this.process = process;
    }

    static ChildJvm start(Pinning pinning, List<String> extraFlags, RunContext run, Path controlPath) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this JVM"));
        List<String> command = new ArrayList<>(pinning.childPrefix());
        command.add(java);
        List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(inherited);
        for (String flag : extraFlags) {
            if (!inherited.contains(flag)) {
                command.add(flag);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(HarnessChild.class.getName());
        command.add(run.runId());
        command.add(run.spec());
        command.add(controlPath.toString());
        Process process = new ProcessBuilder(command).inheritIO().start();
        return new ChildJvm(process);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to exit; returns its exit code, or kills it and fails after the timeout. */
    int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("child pid " + process.pid() + " did not exit within " + timeoutMillis + " ms; killed");
        }
        return process.exitValue();
    }

    /** Ends a child left running by a failure. */
    void kill() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    long pid() {
        return process.pid();
    }
}
