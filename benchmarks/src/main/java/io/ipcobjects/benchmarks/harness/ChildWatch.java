package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.childjvm.ChildJvm;

import java.util.concurrent.TimeUnit;

/**
 * The parent's spin while it waits for something its child sends: every 1024 idle spins it checks
 * that the child still runs ({@link ChildJvm#failIfDied}, a field read while it does), so a child
 * that died fails the scenario at once with its output; and it gives up when nothing came for
 * {@value #STALL_SECONDS} s while the child runs, so a lost message fails instead of hanging.
 * One instance per waiting thread; no allocation while spinning.
 */
final class ChildWatch {

    static final int STALL_SECONDS = 20;
    private static final long STALL_NANOS = STALL_SECONDS * 1_000_000_000L;
    private static final int CHECK_EVERY = 1024;

    private final String waitingFor;
    private ChildJvm child;
    private long idleSpins;
    private long idleSince;

    /** @param waitingFor what the parent waits for, for the failure message ("a message from the child") */
    ChildWatch(String waitingFor) {
        this.waitingFor = waitingFor;
    }

    /** The child to watch (the harness hands it over with {@link Scenario#childStarted}). */
    void watch(ChildJvm child) {
        this.child = child;
    }

    /** Something came: the next idle spin starts a new wait. */
    void progressed() {
        idleSpins = 0;
    }

    /**
     * One idle spin ({@link Thread#onSpinWait()}); every {@value #CHECK_EVERY} of them the child's
     * liveness and the stall limit are checked.
     *
     * @throws io.ipcobjects.childjvm.ChildJvm.ChildJvmException if the child died
     * @throws IllegalStateException if nothing came for {@value #STALL_SECONDS} s
     */
    void idle() {
        Thread.onSpinWait();
        if (++idleSpins % CHECK_EVERY == 0) {
            check();
        }
    }

    /**
     * For a wait that blocks in a library call with a timeout instead of spinning: the call
     * returned with nothing; counts as {@value #CHECK_EVERY} idle spins and checks at once.
     */
    void timedOut() {
        idleSpins += CHECK_EVERY;
        check();
    }

    /**
     * The child's stream ended before the stop flag: fails with the child's output if it died
     * (after waiting up to 5 s for its exit, which may trail the end of its stream), and returns
     * the failure to throw otherwise.
     */
    IllegalStateException streamEnded() {
        if (child != null) {
            try {
                child.process().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            child.failIfDied(waitingFor);
        }
        return new IllegalStateException("the child's stream ended before the stop flag, waiting for " + waitingFor);
    }

    private void check() {
        if (child != null) {
            child.failIfDied(waitingFor);
        }
        long now = System.nanoTime();
        if (idleSpins <= CHECK_EVERY) {
            idleSince = now;
        } else if (now - idleSince > STALL_NANOS) {
            throw new IllegalStateException("no " + waitingFor + " for " + STALL_SECONDS + " s"
                    + (child == null ? "" : " (child pid " + child.pid() + " still running)"));
        }
    }
}
