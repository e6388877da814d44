package io.ipcobjects;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/**
 * How a process waits for the lock or for a message: the Agrona {@link IdleStrategy} it idles
 * with. Each waiting call gets a fresh strategy (they keep state), so one {@code WaitStrategy}
 * serves many threads.
 */
public final class WaitStrategy {

    private final String name;
    private final Supplier<IdleStrategy> factory;

    private WaitStrategy(String name, Supplier<IdleStrategy> factory) {
        this.name = name;
        this.factory = factory;
    }

    /** Spins on the CPU: lowest latency, one busy core per waiter. For processes pinned to cores. */
    public static WaitStrategy busySpin() {
        return new WaitStrategy("busySpin", BusySpinIdleStrategy::new);
    }

    /** Spins, then yields, then parks from 1 µs up to 100 µs: the default, fair to other work. */
    public static WaitStrategy backoff() {
        return new WaitStrategy("backoff", () -> new BackoffIdleStrategy(100, 20,
                TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100)));
    }

    /** Sleeps a millisecond between looks: for desktop processes that mostly wait. */
    public static WaitStrategy sleeping() {
        return new WaitStrategy("sleeping", () -> new SleepingMillisIdleStrategy(1));
    }

    /** Any Agrona idle strategy; {@code factory} is called once per wait. */
    public static WaitStrategy of(String name, Supplier<IdleStrategy> factory) {
        return new WaitStrategy(name, factory);
    }

    public IdleStrategy newIdleStrategy() {
        return factory.get();
    }

    Supplier<IdleStrategy> factory() {
        return factory;
    }

    @Override
    public String toString() {
        return name;
    }
}
