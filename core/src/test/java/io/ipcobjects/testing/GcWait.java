package io.ipcobjects.testing;

import java.lang.ref.Reference;
import java.time.Duration;
import java.util.List;

/**
 * Waits for the garbage collector to clear references, bounded: asks for a collection, looks,
 * and fails with a message naming what is still reachable once {@code timeout} has passed.
 * Tests that need an object to be gone use this instead of a guessed number of
 * {@code System.gc()} calls and sleeps.
 */
public final class GcWait {
    private GcWait() {
    }

    /** Returns once every reference in {@code references} is cleared; fails after {@code timeout}. */
    public static void awaitCleared(Duration timeout, String what, List<? extends Reference<?>> references) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (references.stream().anyMatch(r -> r.get() != null)) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError(what + " still reachable after " + timeout + " of garbage collections: "
                        + references.stream().map(r -> String.valueOf(r.get())).toList());
            }
            System.gc();
            Thread.onSpinWait();
        }
    }
}
