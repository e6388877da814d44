package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC_OFFSET;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_CLOSING;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_OFFSET;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_READY;

import io.ipcobjects.RegionClosedException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.memory.RegionMemory;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * The one place that decides who holds the region lock, for one attachment (handle) of a region.
 *
 * <h2>Who holds the lock when (the rule for all of core)</h2>
 * <ul>
 *   <li><b>Every entry from the API goes through this class.</b> {@code Access} is an open scope
 *       ({@link #enter(long)} at {@code acquire()}, {@link #exit()} at {@code close()}); the
 *       {@code SharedMemory} shortcuts and the live views ({@code SharedList}, {@code SharedMap},
 *       ...) call {@link #call}, {@link #callLong} or {@link #run}, which run the operation
 *       directly when the calling thread is already inside a scope and otherwise take the lock
 *       for that one call.</li>
 *   <li><b>Everything below the API assumes the lock is held</b> by the calling thread: the
 *       allocator, the value codec, containers, structs, tensor blocks, the message queue and
 *       the name directory use plain reads and writes of region memory and never take or
 *       release the lock themselves.</li>
 *   <li>Three things are read without the lock, each one word with acquire semantics, and say
 *       so where they are: the message count ({@code hasMessages}), the region state
 *       ({@link #isClosing()}), and tensor element data (guarded by the users' own protocol,
 *       not by the lock).</li>
 *   <li>Waiting for something another process will do ({@link #callWhen}) polls without the
 *       lock and takes it only once the thing is there; it refuses to run inside a scope,
 *       because no other process could act while this thread holds the lock.</li>
 * </ul>
 *
 * <p>A fresh acquisition is admitted only while the region is open ({@code READY}, or
 * {@code CLOSING} so attached consumers can finish); after a takeover from a dead owner the
 * {@code onTakeover} check runs first (the heap walk), still under the lock. This is also the
 * boundary where a scope's writes will be committed or rolled back.
 */
public final class LockScope {

    private final Path path;
    private final RegionMemory memory;
    private final RegionLock lock;
    private final Supplier<IdleStrategy> idleStrategies;
    private final Runnable onTakeover;
    /** Set once by {@link #markClosed()}; every later entry throws {@link RegionClosedException}. */
    private volatile boolean closed;

    public LockScope(Path path, RegionMemory memory, RegionLock lock, Supplier<IdleStrategy> idleStrategies,
                     Runnable onTakeover) {
        this.path = path;
        this.memory = memory;
        this.lock = lock;
        this.idleStrategies = idleStrategies;
        this.onTakeover = onTakeover;
    }

    // ---- the handle's state ----

    public Path path() {
        return path;
    }

    /** How many times, since the region was created, some process took the lock over from a dead owner. */
    public long takeovers() {
        return lock.takeovers();
    }

    /**
     * Lets go of this process's hold of the shared lock word, whatever the hold count: for a
     * handle that is closing (the creator after marking the region CLOSING, a consumer on its
     * way out), never for work in progress.
     */
    public void forceRelease() {
        lock.forceReleaseShared();
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes the scope for good: no thread of this handle enters it again. */
    public void markClosed() {
        closed = true;
    }

    /** @throws RegionClosedException if this handle was closed */
    public void ensureOpen() {
        if (closed) {
            throw new RegionClosedException("region " + path + " is closed");
        }
    }

    /** True once the creator has started closing the region (or this handle is closed). One acquire read, no lock. */
    public boolean isClosing() {
        return closed || memory.getIntAcquire(STATE_OFFSET) != STATE_READY;
    }

    /** A fresh idle strategy of this handle's wait strategy, for one wait. */
    public IdleStrategy newIdleStrategy() {
        return idleStrategies.get();
    }

    // ---- explicit scopes (Access) ----

    /**
     * Enters a scope: takes the lock for the calling thread by {@code deadlineNanos}
     * ({@link Long#MAX_VALUE}: no limit), or counts one more hold if it has it. Returns false on
     * timeout.
     *
     * @throws RegionClosedException                  this handle or the region is closed
     * @throws io.ipcobjects.CorruptedRegionException a dead owner left the heap inconsistent
     */
    public boolean enter(long deadlineNanos) {
        ensureOpen();
        return admit(lock.acquire(deadlineNanos, false));
    }

    /** As {@link #enter(long)}, waiting at most {@code timeoutNanos}; reads the clock only if it must wait. */
    public boolean enterWithin(long timeoutNanos) {
        ensureOpen();
        return admit(lock.acquireWithin(timeoutNanos));
    }

    /** Leaves a scope: releases one hold of the lock. */
    public void exit() {
        lock.release();
    }

    /**
     * Whether the calling thread holds the lock: what every internal entry point asserts (Java
     * assertions, on in tests), so an operation that forgot to enter a scope fails there.
     */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** True if the calling thread is inside a scope of this open handle. */
    public boolean inScope() {
        if (lock.isHeldByCurrentThread()) {
            ensureOpen();
            return true;
        }
        return false;
    }

    // ---- one operation under the lock ----

    /** Runs {@code operation} under the lock: directly inside a scope, else taking the lock for this call. */
    public <T> T call(Supplier<T> operation) {
        if (inScope()) {
            return operation.get();
        }
        enterOrThrow(false);
        try {
            return operation.get();
        } finally {
            lock.release();
        }
    }

    /**
     * As {@link #call}, for an operation the caller expects to find ready because it has just seen
     * the owner's last write (a positive message count): outside a scope the lock is taken
     * watching the word briefly before queueing ({@link RegionLock#acquire(long, boolean)}).
     */
    public <T> T callWatchingFirst(Supplier<T> operation) {
        if (inScope()) {
            return operation.get();
        }
        enterOrThrow(true);
        try {
            return operation.get();
        } finally {
            lock.release();
        }
    }

    /** {@link #call} for an operation that returns a long, without boxing. */
    public long callLong(LongSupplier operation) {
        if (inScope()) {
            return operation.getAsLong();
        }
        enterOrThrow(false);
        try {
            return operation.getAsLong();
        } finally {
            lock.release();
        }
    }

    /** {@link #call} for an operation with no result. */
    public void run(Runnable operation) {
        if (inScope()) {
            operation.run();
            return;
        }
        enterOrThrow(false);
        try {
            operation.run();
        } finally {
            lock.release();
        }
    }

    /**
     * Waits, without the lock, until {@code readyWithoutLock} (one acquire read) says another
     * process has done its part, then takes the lock (watching first) and runs {@code operation}
     * if {@code readyUnderLock} still holds; if another thread or process was first, the wait
     * goes on. Polls with a fresh idle strategy of this handle.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline, {@link Long#MAX_VALUE} for none
     * @throws WaitTimeoutException  nothing was ready by the deadline ({@code what} names it)
     * @throws IllegalStateException the calling thread is inside a scope: no other process could
     *                               act while it waits
     */
    public <T> T callWhen(BooleanSupplier readyWithoutLock, BooleanSupplier readyUnderLock, Supplier<T> operation,
                          long deadlineNanos, String what) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("cannot wait for " + what + " while this thread holds the lock of region " + path
                    + ": no other process could act; wait outside acquire()");
        }
        IdleStrategy idle = idleStrategies.get();
        idle.reset();
        while (true) {
            if (readyWithoutLock.getAsBoolean()) {
                if (!admit(lock.acquire(deadlineNanos, true))) {
                    break;
                }
                try {
                    if (readyUnderLock.getAsBoolean()) {
                        return operation.get();
                    }
                } finally {
                    lock.release();
                }
                idle.reset();
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                break;
            }
            ensureOpen();
            idle.idle();
        }
        throw new WaitTimeoutException("no " + what + " in region " + path);
    }

    private void enterOrThrow(boolean watchFirst) {
        ensureOpen();
        if (!admit(watchFirst ? lock.acquire(Long.MAX_VALUE, true) : lock.acquireWithin(Long.MAX_VALUE))) {
            throw new WaitTimeoutException("could not take the lock of region " + path);
        }
    }

    /** Checks a fresh acquisition: the region must still be open, and a takeover runs the heap check. */
    private boolean admit(RegionLock.Acquired how) {
        if (how == RegionLock.Acquired.TIMED_OUT) {
            return false;
        }
        if (how == RegionLock.Acquired.REENTERED) {
            return true;
        }
        try {
            // CLOSING still serves attached consumers, so they can finish their work and detach.
            int state = memory.getIntAcquire(STATE_OFFSET);
            if (closed || (state != STATE_READY && state != STATE_CLOSING) || memory.getLong(MAGIC_OFFSET) != MAGIC) {
                throw new RegionClosedException("region " + path + " was closed by its creator");
            }
            if (how == RegionLock.Acquired.TAKEN_OVER) {
                onTakeover.run();
            }
            return true;
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }
}
