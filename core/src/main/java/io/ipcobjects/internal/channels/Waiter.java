package io.ipcobjects.internal.channels;

import io.ipcobjects.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * One wait of a lock-free channel or ring operation, polled in a loop, idling as the handle's
 * {@link WaitStrategy} says:
 * <ul>
 *   <li>{@link WaitStrategy#BACKOFF} (the default): spins for the first {@value #SPIN_NANOS} ns
 *       (a message from another core arrives within a microsecond or so), then yields until
 *       {@value #YIELD_NANOS} ns, then parks for growing spells of at most
 *       {@value #MAX_PARK_NANOS} ns, so a peer that is busy for a while (copying a large
 *       message, or descheduled) costs a waiter at most that much extra latency (and the
 *       kernel's timer slack);</li>
 *   <li>{@link WaitStrategy#BUSY_SPIN}: spins for the whole wait, never yielding the core;</li>
 *   <li>{@link WaitStrategy#SLEEPING}: parks {@value #SLEEP_NANOS} ns between looks.</li>
 * </ul>
 * It also says when the waiter should look for a dead owner (once a millisecond after the
 * first), since asking the kernel costs a system call.
 */
final class Waiter {
    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 200_000;
    private static final long MAX_PARK_NANOS = 50_000;
    private static final long SLEEP_NANOS = 1_000_000;
    private static final long LIVENESS_EVERY_NANOS = 1_000_000;

    private final long deadline;
    private final WaitStrategy strategy;
    private final long start = System.nanoTime();
    private long nextLivenessCheck = start + LIVENESS_EVERY_NANOS;
    private long now = start;
    private int rounds;
    private long parkNanos = 2_000;

    /**
     * @param deadline a {@link System#nanoTime()} deadline, {@link Long#MAX_VALUE} for none
     * @param strategy how to idle between looks
     */
    Waiter(long deadline, WaitStrategy strategy) {
        this.deadline = deadline;
        this.strategy = strategy;
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

    /** Waits one round; false once the deadline has passed (as of the last clock reading). */
    boolean idle() {
        // The clock is read every 64 spins: cheap enough, and fine-grained enough for a deadline.
        // A round that yields or parks reads it afterwards, so the check below is never stale
        // by more than 64 spins.
        if ((rounds++ & 63) == 0) {
            now = System.nanoTime();
            checkInterrupted(); // a spinning wait looks here; a parking one after each park
        }
        if (deadline != Long.MAX_VALUE && now - deadline >= 0) {
            return false;
        }
        switch (strategy) {
            case BUSY_SPIN -> Thread.onSpinWait();
            case SLEEPING -> park(SLEEP_NANOS);
            case BACKOFF -> {
                long waited = now - start;
                if (waited < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (waited < YIELD_NANOS) {
                    Thread.yield();
                    now = System.nanoTime();
                } else {
                    park(parkNanos);
                    parkNanos = Math.min(MAX_PARK_NANOS, parkNanos * 2);
                }
            }
        }
        return true;
    }

    private void park(long nanos) {
        LockSupport.parkNanos(nanos);
        now = System.nanoTime();
        checkInterrupted();
    }

    /** An interrupted thread's wait ends with an exception; the thread stays interrupted. */
    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new io.ipcobjects.IpcObjectsException("interrupted while waiting");
        }
    }

    /** Whether the wait is still in its first phase, the first {@value #SPIN_NANOS} ns, as of the last clock reading. */
    boolean spinning() {
        return now - start < SPIN_NANOS;
    }

    /** True once every 64 rounds (the rounds at which {@link #idle} reads the clock): for a check that reads a line another core writes. */
    boolean everySixtyFourthRound() {
        return ((rounds - 1) & 63) == 0;
    }

    /** True about once a millisecond, from a millisecond into the wait. */
    boolean livenessCheckDue() {
        if (now - nextLivenessCheck < 0) {
            return false;
        }
        nextLivenessCheck = now + LIVENESS_EVERY_NANOS;
        return true;
    }
}
