package io.ipcobjects.internal.lock;

import io.ipcobjects.WaitStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

/** The Agrona idle strategy behind each public {@link WaitStrategy}; a fresh one per wait (they keep state). */
public final class IdleStrategies {
    private IdleStrategies() {
    }

    public static Supplier<IdleStrategy> of(WaitStrategy strategy) {
        return switch (strategy) {
            case BUSY_SPIN -> BusySpinIdleStrategy::new;
            case BACKOFF -> () -> new BackoffIdleStrategy(100, 20, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MICROSECONDS.toNanos(100));
            case SLEEPING -> () -> new SleepingMillisIdleStrategy(1);
        };
    }
}
