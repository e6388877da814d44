package io.ipcobjects.benchmarks;

import io.ipcobjects.SharedMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Region names for benchmarks: unique per process and call, so parallel runs of different
 * helpers or forks never meet in {@code /dev/shm}, and cleanup that also works after a failure.
 */
public final class BenchRegions {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private BenchRegions() {
    }

    /** A name no other run uses: the prefix, this pid and a per-process sequence number. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    }

    /**
     * Closes a region this process created (which unlinks its file) and removes the file if a
     * failed close left it behind. Safe to call with null.
     */
    public static void closeAndRemove(SharedMemory shm) {
        if (shm == null) {
            return;
        }
        Path path = shm.path();
        try {
            shm.close();
        } finally {
            deleteQuietly(path);
        }
    }

    /** Removes a file if it exists. */
    public static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove " + path, e);
        }
    }
}
