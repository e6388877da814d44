package io.ipcobjects.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A file one process creates to tell another "I got this far" (e.g. "I hold the lock now"),
 * so tests can order steps across processes without sleeping for guessed times.
 */
public final class ReadySignal {
    private ReadySignal() {
    }

    public static void signal(Path file) {
        try {
            Files.writeString(file, Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until {@code file} exists; fails the test after {@code timeout}. */
    public static void await(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("no signal " + file + " within " + timeout);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
