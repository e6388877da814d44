package io.ipcobjects.benchmarks.harness;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * For tests of a child that dies mid-run: waits until this JVM has {@code children} live child
 * processes (the harness's child JVMs), lets them run for {@code running}, then kills the oldest
 * with SIGKILL (a stopped one too). Gives up after a minute, or when interrupted.
 */
final class ChildKiller {

    private ChildKiller() {
    }

    static void killOldestOnce(int children, Duration running) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> live = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                    .sorted(Comparator.comparing(p -> p.info().startInstant().orElse(Instant.MAX))).toList();
            try {
                if (live.size() >= children) {
                    Thread.sleep(running);
                    live.getFirst().destroyForcibly();
                    return;
                }
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
