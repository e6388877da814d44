package io.ipcobjects.internal.session;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC_OFFSET;

import io.ipcobjects.RegionClosedException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.messages.MessageQueue;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import org.agrona.concurrent.IdleStrategy;

/**
 * The one thread per handle that drives its asynchronous API ({@code SharedMemory.withAccess},
 * {@code SharedMemory.nextMessage}): it runs submitted work (which enters its own lock scope)
 * and takes messages for the futures waiting for them. Started by the first asynchronous call,
 * ended by {@code close()}.
 *
 * <h2>How it waits</h2>
 * <ul>
 *   <li>With nothing to do it keeps looking for {@link #LINGER_NANOS} (idling with the wait
 *       strategy), then parks; a submission unparks it.</li>
 *   <li>While message futures are pending it polls the queue's count without the lock (one
 *       acquire read of a header word, as {@code hasMessages()} does), idling between looks
 *       with the handle's {@code WaitStrategy}: busy spin for the lowest latency, backoff (the
 *       default) to leave the core to others. It takes the lock only when a message is there.</li>
 * </ul>
 *
 * <h2>Who gets which message</h2>
 * Futures are served in the order {@code nextMessage()} made them, one message each. Under the
 * lock, with a message known to be queued, the poller claims the oldest pending future and only
 * then takes the message; a future cancelled (or completed by its holder) before that is skipped,
 * and once claimed it can no longer be cancelled, so a taken message always reaches a future
 * ({@link MessageFuture}). Futures are completed after the lock is released, so their
 * callbacks never run inside the poller's scope.
 *
 * <h2>Ending</h2>
 * {@link #stop} (from {@code SharedMemory.close()}) ends the thread after the task in hand and
 * fails every pending future with {@link RegionClosedException}. If the region goes away under a
 * consumer (its creator closed it), the same happens at the poller's next look.
 */
public final class RegionPoller {

    private final Handle handle;
    private final ScopeRunner scopeRunner;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Task<?>> work = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<MessageFuture<?>> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;

    /**
     * How long the poller keeps looking (with the wait strategy) after its last piece of work
     * before it parks: a caller that submits again within this time finds it awake, instead of
     * paying for a thread wake-up (tens of microseconds here) on every call.
     */
    private static final long LINGER_NANOS = 1_000_000;

    /**
     * How submitted work enters a lock scope: given by the API layer, which owns the type the
     * work receives ({@code Access}). One per poller, so a submission allocates only its task.
     */
    @FunctionalInterface
    public interface ScopeRunner {
        /** Runs {@code body} inside a new lock scope of this handle and returns its result. */
        Object runInScope(Function<Object, ?> body);
    }

    /** Work submitted by {@code withAccess}, with the future it completes. */
    private record Task<T>(Function<Object, ? extends T> body, CompletableFuture<T> future) {
    }

    /** A future a message is taken for: it cannot be cancelled once the poller has claimed it. */
    static final class MessageFuture<T> extends CompletableFuture<T> {
        private final AtomicBoolean claimed = new AtomicBoolean();

        /** Reserves this future for a message; false if it was cancelled or completed first. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        @SuppressWarnings("unchecked")
        void deliver(Object message) {
            super.complete((T) message);
        }

        void fail(Throwable cause) {
            super.completeExceptionally(cause);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return claimed.compareAndSet(false, true) && super.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean complete(T value) {
            return claimed.compareAndSet(false, true) && super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable ex) {
            return claimed.compareAndSet(false, true) && super.completeExceptionally(ex);
        }
    }

    /** Starts the poller thread of {@code handle} (a daemon: it does not keep the JVM alive). */
    RegionPoller(Handle handle, ScopeRunner scopeRunner) {
        this.handle = handle;
        this.scopeRunner = scopeRunner;
        this.thread = Thread.ofPlatform().daemon().name("ipc-objects poller " + handle.path().getFileName())
                .unstarted(this::run);
        thread.start();
    }

    /** Runs {@code body} on the poller thread inside a lock scope (see {@link ScopeRunner}). */
    public <T> CompletableFuture<T> withAccess(Function<Object, ? extends T> body) {
        Objects.requireNonNull(body, "body");
        Task<T> task = new Task<>(body, new CompletableFuture<>());
        work.add(task);
        wake();
        return task.future();
    }

    /** A future for the next message that no earlier future is waiting for. */
    public <T> CompletableFuture<T> nextMessage() {
        MessageFuture<T> future = new MessageFuture<>();
        waiting.add(future);
        wake();
        return future;
    }

    /**
     * Ends the thread after the task in hand (waiting up to {@code timeoutNanos} for it, unless
     * called from the poller thread itself) and fails everything still pending.
     */
    public void stop(long timeoutNanos) {
        stopping = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        failPending(closedByThisHandle());
    }

    /** Whether the poller thread has ended. */
    public boolean isStopped() {
        return !thread.isAlive();
    }

    private RegionClosedException closedByThisHandle() {
        return new RegionClosedException("region " + handle.path() + " was closed by this handle");
    }

    private void wake() {
        LockSupport.unpark(thread);
        if (stopping) {
            failPending(closedByThisHandle()); // submitted after close: nobody will run it
        }
    }

    private void run() {
        IdleStrategy idle = handle.scope().newIdleStrategy();
        long lastBusy = System.nanoTime();
        try {
            while (!stopping) {
                boolean worked = runSubmittedWork();
                if (!waiting.isEmpty()) {
                    worked |= takeForWaiters();
                } else if (!worked && work.isEmpty() && System.nanoTime() - lastBusy > LINGER_NANOS) {
                    idle.reset();
                    LockSupport.park(this); // nothing to wait for: sleep until a submission or stop
                    lastBusy = System.nanoTime();
                    continue;
                }
                if (worked) {
                    idle.reset();
                    lastBusy = System.nanoTime();
                } else {
                    idle.idle();
                }
            }
        } catch (Throwable e) {
            // The region went away (RegionClosedException) or is corrupted: nothing more can be served.
            stopping = true;
            failPending(e);
        }
    }

    private boolean runSubmittedWork() {
        boolean worked = false;
        for (Task<?> task; !stopping && (task = work.poll()) != null; ) {
            run(task);
            worked = true;
        }
        return worked;
    }

    @SuppressWarnings("unchecked")
    private <T> void run(Task<T> task) {
        if (task.future().isDone()) {
            return; // cancelled before it ran
        }
        T result;
        try {
            result = (T) scopeRunner.runInScope(task.body());
        } catch (Throwable e) {
            task.future().completeExceptionally(e);
            return;
        }
        task.future().complete(result); // outside the lock: callbacks run here, on the poller thread
    }

    /** Takes messages while messages and live futures are both there; true if one was delivered. */
    private boolean takeForWaiters() {
        boolean delivered = false;
        while (!stopping) {
            RegionContext context = handle.context();
            if (!MessageQueue.hasMessages(context)) { // without the lock; throws RegionClosedException once this handle is closed
                if (context.memory().getLongAcquire(MAGIC_OFFSET) != MAGIC) {
                    throw new RegionClosedException("region " + handle.path() + " was closed by its creator");
                }
                return delivered;
            }
            MessageFuture<?> future = null;
            Object message = null;
            handle.scope().enter(Long.MAX_VALUE);
            try {
                if (MessageQueue.count(context) == 0) {
                    return delivered; // another consumer was first
                }
                future = claimNext();
                if (future == null) {
                    return delivered; // every pending future was cancelled meanwhile
                }
                message = MessageQueue.take(context);
            } catch (RuntimeException | Error e) {
                if (future != null) {
                    future.fail(e);
                }
                throw e;
            } finally {
                handle.scope().exit();
            }
            future.deliver(message); // outside the lock: callbacks run here, on the poller thread
            delivered = true;
        }
        return delivered;
    }

    /** The oldest pending future, claimed; cancelled ones are dropped on the way. */
    private MessageFuture<?> claimNext() {
        for (MessageFuture<?> future; (future = waiting.poll()) != null; ) {
            if (future.claim()) {
                return future;
            }
        }
        return null;
    }

    private void failPending(Throwable cause) {
        for (MessageFuture<?> future; (future = waiting.poll()) != null; ) {
            if (future.claim()) {
                future.fail(cause);
            }
        }
        for (Task<?> task; (task = work.poll()) != null; ) {
            task.future().completeExceptionally(cause);
        }
    }
}
