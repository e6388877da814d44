package io.ipcobjects;

/**
 * How a process waits for the lock or for a message: spin, back off, or sleep. Each wait gets
 * its own idle state, so one {@code WaitStrategy} serves many threads. Set it per handle with
 * {@link SharedMemoryOptions#withWaitStrategy(WaitStrategy)}; the asynchronous API's poller
 * waits with it too (the original's {@code existence} flag).
 */
public enum WaitStrategy {
    /** Spins on the CPU: lowest latency, one busy core per waiter. For processes pinned to cores. */
    BUSY_SPIN,
    /** Spins, then yields, then parks from 1 µs up to 100 µs: the default, fair to other work. */
    BACKOFF,
    /** Sleeps a millisecond between looks: for desktop processes that mostly wait. */
    SLEEPING;

    /**
     * {@link #BUSY_SPIN}.
     *
     * @return the busy-spin strategy
     */
    public static WaitStrategy busySpin() {
        return BUSY_SPIN;
    }

    /**
     * {@link #BACKOFF}, the default.
     *
     * @return the back-off strategy
     */
    public static WaitStrategy backoff() {
        return BACKOFF;
    }

    /**
     * {@link #SLEEPING}.
     *
     * @return the sleeping strategy
     */
    public static WaitStrategy sleeping() {
        return SLEEPING;
    }
}
