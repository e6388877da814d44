package io.ipcobjects.benchmarks.harness;

import java.nio.file.Path;

/**
 * Entry point of the child JVM the {@link Harness} starts: {@code HarnessChild <runId> <spec>
 * <controlFile>}. Runs the scenario's child side and exits 0, or prints why it failed and exits 1
 * (the parent reports the failure).
 */
public final class HarnessChild {

    private HarnessChild() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: HarnessChild <runId> <scenario spec> <control file>");
            System.exit(2);
        }
        RunContext run = RunContext.parse(args[0], args[1]);
        try (ControlBlock control = ControlBlock.attach(Path.of(args[2]))) {
            Scenarios.create(run.scenario()).runChild(run, control);
        } catch (Throwable t) {
            System.err.println("[child " + ProcessHandle.current().pid() + "] " + run.spec() + " failed:");
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
