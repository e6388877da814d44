package io.ipcobjects;

/**
 * How a process waits for the lock or for a message: spin, back off, or sleep. Each wait gets
 * its own idle state, so one {@code WaitStrategy} serves many threads. Set it per handle with
 * {@link SharedMemoryOptions#withWaitStrategy(WaitStrategy)}; the asynchronous API's poller
 * waits with it too (the original's {@code existence} flag), and so do the blocking calls of
 * channels and tensor rings ({@code put}, {@code take}, {@code claim}, ...): with
 * {@link #BACKOFF} they spin for 50 µs, yield until 200 µs, then park in spells of up to 50 µs;
 * with {@link #BUSY_SPIN} they spin for the whole wait; with {@link #SLEEPING} they park a
 * millisecond between looks. A channel's {@code takeAsync} backs off where the handle spins:
 * its virtual thread would otherwise hold a carrier thread for the whole wait.
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
