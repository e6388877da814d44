package io.ipcobjects.internal.lock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Recovers the lock from threads that ended while holding it, when no other thread of their
 * process asks for it. A thread of the same process that wants the lock notices a dead holder
 * by itself ({@link RegionLock}); but other processes only see that this process is alive, and
 * would wait for good. So one daemon thread per JVM looks at every open scope's holder every
 * {@value #PERIOD_MILLIS} ms (one field read and {@link Thread#isAlive()}; nothing else while
 * holders live), and a dead one's lock is taken over locally, its open operation rolled back,
 * and released.
 *
 * <p>Scopes are held weakly: a handle that nobody closes and nobody references is not kept
 * alive by this watch.
 */
final class DeadHolderWatch {

    static final long PERIOD_MILLIS = 100;

    private static final Map<LockScope, Boolean> SCOPES = Collections.synchronizedMap(new WeakHashMap<>());
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "ipcobjects-dead-lock-holder-watch");
        thread.setDaemon(true);
        return thread;
    });

    static {
        TIMER.scheduleWithFixedDelay(DeadHolderWatch::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private DeadHolderWatch() {
    }

    static void watch(LockScope scope) {
        SCOPES.put(scope, Boolean.TRUE);
    }

    static void forget(LockScope scope) {
        SCOPES.remove(scope);
    }

    private static void sweep() {
        List<LockScope> scopes;
        synchronized (SCOPES) {
            scopes = new ArrayList<>(SCOPES.keySet());
        }
        for (LockScope scope : scopes) {
            try {
                scope.recoverFromDeadHolder();
            } catch (RuntimeException e) {
                // The region is damaged or closing: whoever acquires next is told.
            }
        }
    }
}
