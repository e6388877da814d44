package io.ipcobjects.internal.channels;

import java.util.concurrent.locks.LockSupport;

/**
 * One wait of a lock-free channel or ring operation, polled in a loop: spins briefly (a message
 * from another core arrives within microseconds), then yields, then parks for growing spells up
 * to a millisecond. It also says when the waiter should look for a dead owner (once a
 * millisecond after the first), since asking the kernel costs a system call.
 */
final class Waiter {
    private static final int SPINS = 20_000;
    private static final int YIELDS = 100;
    private static final long MAX_PARK_NANOS = 1_000_000;
    private static final long LIVENESS_EVERY_NANOS = 1_000_000;

    private final long deadline;
    private final long start = System.nanoTime();
    private long nextLivenessCheck = start + LIVENESS_EVERY_NANOS;
    private int rounds;
    private long parkNanos = 1_000;

    /** @param deadline a {@link System#nanoTime()} deadline, {@link Long#MAX_VALUE} for none */
    Waiter(long deadline) {
        this.deadline = deadline;
    }

    static long deadline(java.time.Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        if (timeout.compareTo(java.time.Duration.ofDays(36_500)) > 0) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + timeout.toNanos();
    }

    /** Waits one round; false once the deadline has passed. */
    boolean idle() {
        if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline >= 0) {
            return false;
        }
        int round = rounds++;
        if (round < SPINS) {
            Thread.onSpinWait();
        } else if (round < SPINS + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(MAX_PARK_NANOS, parkNanos * 2);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new io.ipcobjects.IpcObjectsException("interrupted while waiting");
            }
        }
        return true;
    }

    /** True about once a millisecond, from a millisecond into the wait. */
    boolean livenessCheckDue() {
        if ((rounds & 0xFF) != 0 && rounds < SPINS) {
            return false;
        }
        long now = System.nanoTime();
        if (now - nextLivenessCheck < 0) {
            return false;
        }
        nextLivenessCheck = now + LIVENESS_EVERY_NANOS;
        return true;
    }
}
