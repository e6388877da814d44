package io.ipcobjects.testing;

import io.ipcobjects.childjvm.ChildJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

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

    /**
     * Waits until {@code file} exists; fails the test after {@code timeout}, or at once, with the
     * child's output, if one of {@code watched} (the children that should signal) dies first.
     * Called in a child (waiting for its parent), it is given no children to watch.
     */
    public static void await(Path file, Duration timeout, ChildJvm... watched) {
        ChildJvm.awaitCondition(() -> Files.exists(file), timeout, "signal " + file, watched);
    }
}
