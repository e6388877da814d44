package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.MAGIC_OFFSET;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_CLOSING;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_OFFSET;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.STATE_READY;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
 * {@code CLOSING} so attached consumers can finish) and sound (no damage code in the header).
 *
 * <h2>The scope is the unit of crash consistency</h2>
 * <ul>
 *   <li>A fresh acquisition {@linkplain UndoLog#begin begins} the undo log for the calling
 *       thread. If the log still holds entries (the lock was taken over from a dead process, or
 *       from a thread of this process that died holding it), they are rolled back first, and
 *       the {@code onTakeover} check (the heap walk and the file's size) runs, still under the
 *       lock. If the log cannot be replayed or the check fails, the region is marked damaged in
 *       its header and refused by every process from then on.</li>
 *   <li>Each operation of a scope ({@link #beginOperation()} from {@code Access}, and every
 *       {@link #call}) tells the log; it commits there only if the scope has written much
 *       ({@link UndoLog#operationStarts}), so a short scope is undone whole.</li>
 *   <li>The last {@link #exit()} commits (the log's length back to 0), then releases.</li>
 *   <li>A memory fault inside an operation (the file shrank under the mapping: the JVM reports
 *       it as an {@link InternalError}) is turned into {@link CorruptedRegionException} here and
 *       the region marked damaged.</li>
 * </ul>
 */
public final class LockScope {

    private final Path path;
    private final RegionMemory memory;
    private final RegionLock lock;
    private final Supplier<IdleStrategy> idleStrategies;
    private final Runnable onTakeover;
    private final UndoLog undo;
    /** Set once by {@link #markClosed()}; every later entry throws {@link RegionClosedException}. */
    private volatile boolean closed;
    /** Set once by {@link #markClosing()}: no new scope may begin; open ones go on until {@link #closed}. */
    private volatile boolean closing;
    /** Work a closing handle left for the thread that still held the lock: run after its last exit. */
    private final AtomicReference<Runnable> atLastExit = new AtomicReference<>();

    public LockScope(Path path, RegionMemory memory, RegionLock lock, Supplier<IdleStrategy> idleStrategies,
                     Runnable onTakeover) {
        this.path = path;
        this.memory = memory;
        this.lock = lock;
        this.idleStrategies = idleStrategies;
        this.onTakeover = onTakeover;
        this.undo = memory.undoLog();
        if (undo == null) {
            throw new IllegalStateException("attach the undo log before making the lock scope");
        }
        DeadHolderWatch.watch(this);
    }

    /**
     * If a thread of this handle ended while holding the lock, takes the lock from it (rolling
     * back its open operation, as any takeover does) and releases it: called by
     * {@link DeadHolderWatch}, so that other processes are not kept waiting for good.
     */
    void recoverFromDeadHolder() {
        if (lock.isHeldByDeadThread() && !closed && enterWithin(0)) {
            exit();
        }
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
     * Lets go of the calling thread's holds, whatever their count, committing its scope: for a
     * handle that is closing from inside a scope of its own. Never releases a lock another thread
     * holds: that thread keeps it until its own exit.
     */
    public void releaseAllHolds() {
        if (lock.isHeldByCurrentThread()) {
            undo.commit();
            lock.forceReleaseShared();
        }
    }

    /**
     * Waits until no other thread of this handle holds the lock (it finished its scope, or died),
     * at most until {@code deadlineNanos}. Returns whether that happened.
     */
    public boolean awaitOtherHolders(long deadlineNanos) {
        long pause = 10_000;
        while (!lock.isFreeOrHeldByCurrentThread()) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 1_000_000);
        }
        return true;
    }

    /**
     * Runs {@code work} once no thread of this handle holds the lock: now if none does, else
     * right after the holder's last exit. For a closing handle whose other thread is still in a
     * scope: detaching from the region under it would let another process take the lock over
     * while that thread still writes.
     */
    public void runWhenNotHeld(Runnable work) {
        atLastExit.set(work);
        if (lock.isFreeOrHeldByCurrentThread()) {
            runAtLastExit(); // the holder left meanwhile (or never was): whoever swaps it out runs it
        }
    }

    private void runAtLastExit() {
        Runnable work = atLastExit.getAndSet(null);
        if (work != null) {
            work.run();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * The handle is closing: no thread of it may take the lock any more, but threads inside a
     * scope go on until they leave it (or until {@link #markClosed()}).
     */
    public void markClosing() {
        closing = true;
    }

    /** @throws RegionClosedException if this handle is closing or closed: no new scope may begin */
    private void ensureAdmitting() {
        if (closing || closed) {
            throw new RegionClosedException("region " + path + " is " + (closed ? "closed" : "being closed by this handle"));
        }
    }

    /** Closes the scope for good: no thread of this handle enters it again. */
    public void markClosed() {
        closed = true;
        DeadHolderWatch.forget(this);
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
        ensureAdmitting();
        return admit(lock.acquire(deadlineNanos, false));
    }

    /** As {@link #enter(long)}, waiting at most {@code timeoutNanos}; reads the clock only if it must wait. */
    public boolean enterWithin(long timeoutNanos) {
        ensureAdmitting();
        return admit(lock.acquireWithin(timeoutNanos));
    }

    /**
     * An object that stands for the calling thread's current hold of the lock (from its first
     * acquisition to its last release), or null if it does not hold the lock: what "the same
     * scope" means to caches that must not outlive a scope. Only the holder reads or writes it,
     * and the lock orders holders, so a plain field suffices.
     */
    public Hold holdIdentity() {
        if (!lock.isHeldByCurrentThread()) {
            return null;
        }
        Hold identity = holdIdentity;
        if (identity == null) {
            identity = new Hold();
            holdIdentity = identity;
        }
        return identity;
    }

    private Hold holdIdentity;

    /**
     * One hold of the lock by one thread, as {@link #holdIdentity} hands it out: current until the
     * hold's last release, so a cache can drop what it kept for a hold that is over.
     */
    public static final class Hold {
        private volatile boolean current = true;

        /** Whether the hold this stands for has not ended yet. */
        public boolean isCurrent() {
            return current;
        }
    }

    /** Leaves a scope: releases one hold of the lock; the last one commits the scope's writes first. */
    public void exit() {
        if (lock.holdsOfCurrentThread() == 1) {
            if (holdIdentity != null) {
                holdIdentity.current = false;
                holdIdentity = null;
            }
            try {
                undo.commit();
            } finally {
                lock.release();
            }
            if (atLastExit.get() != null) {
                runAtLastExit();
            }
        } else {
            lock.release();
        }
    }

    /**
     * An operation of an open scope begins ({@code Access} calls this first in every method):
     * checks the handle is open and marks the undo log, undoing a failed operation before it.
     */
    public void beginOperation() {
        ensureOpen();
        undo.operationStarts();
    }

    /** Whether the region's header carries a damage code (one plain read). */
    public int damage() {
        return memory.getInt(RegionHeaderLayout.DAMAGE_OFFSET);
    }

    /** Marks the region damaged for every process; the first code stays. */
    public void markDamaged(int code) {
        try {
            // A CAS: two processes that find damage at once (a fault needs no lock) keep the first code.
            if (memory.compareAndSetInt(RegionHeaderLayout.DAMAGE_OFFSET, RegionHeaderLayout.DAMAGE_NONE, code)) {
                RegionEvents.regionMarkedDamaged(path, RegionHeaderLayout.damageName(code));
            }
        } catch (RuntimeException | InternalError e) {
            // The header itself is gone (the file shrank to nothing): nobody can use the region anyway.
        }
    }

    /**
     * A memory fault in an operation ({@code Access} catches it around each of its methods): the
     * region is marked damaged and the caller gets a clear exception instead of the JVM's
     * {@link InternalError}.
     */
    public CorruptedRegionException memoryFault(InternalError e) {
        return fault(e);
    }

    /** A memory fault in an operation: the region is marked damaged and the caller gets a clear exception. */
    private CorruptedRegionException fault(InternalError e) {
        markDamaged(RegionHeaderLayout.DAMAGE_MEMORY_FAULT);
        CorruptedRegionException failure = new CorruptedRegionException("a memory access to region " + path
                + " faulted (" + e.getMessage() + "): the region file shrank under its mapping, or its memory is gone;"
                + " the region is marked damaged and must be recreated", 0);
        failure.initCause(e);
        return failure;
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

    /**
     * For a view's fast path: true if the calling thread is inside a scope of this open handle,
     * and then an operation begins (the undo log commits the one before it, as {@link #call} does).
     */
    public boolean inScopeOperation() {
        if (inScope()) {
            undo.operationStarts();
            return true;
        }
        return false;
    }

    /**
     * Takes the lock for closing the handle: no admission (a damaged region can still be
     * closed), no rollback and no undo logging. Returns false on timeout.
     */
    public boolean enterForClose(long deadlineNanos) {
        return lock.acquire(deadlineNanos) != RegionLock.Acquired.TIMED_OUT;
    }

    // ---- one operation under the lock ----

    /** Runs {@code operation} under the lock: directly inside a scope, else taking the lock for this call. */
    public <T> T call(Supplier<T> operation) {
        if (inScope()) {
            undo.operationStarts();
            return guard(operation);
        }
        enterOrThrow(false);
        try {
            return guard(operation);
        } finally {
            exit();
        }
    }

    /** Runs one operation, turning a memory fault into {@link CorruptedRegionException}. */
    private <T> T guard(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /**
     * As {@link #call}, for an operation the caller expects to find ready because it has just seen
     * the owner's last write (a positive message count): outside a scope the lock is taken
     * watching the word briefly before queueing ({@link RegionLock#acquire(long, boolean)}).
     */
    public <T> T callWatchingFirst(Supplier<T> operation) {
        if (inScope()) {
            undo.operationStarts();
            return guard(operation);
        }
        enterOrThrow(true);
        try {
            return guard(operation);
        } finally {
            exit();
        }
    }

    /** {@link #call} for an operation that returns a long, without boxing. */
    public long callLong(LongSupplier operation) {
        if (inScope()) {
            undo.operationStarts();
            return guardLong(operation);
        }
        enterOrThrow(false);
        try {
            return guardLong(operation);
        } finally {
            exit();
        }
    }

    private long guardLong(LongSupplier operation) {
        try {
            return operation.getAsLong();
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** {@link #call} for an operation with no result. */
    public void run(Runnable operation) {
        if (inScope()) {
            undo.operationStarts();
            guardRun(operation);
            return;
        }
        enterOrThrow(false);
        try {
            guardRun(operation);
        } finally {
            exit();
        }
    }

    private void guardRun(Runnable operation) {
        try {
            operation.run();
        } catch (InternalError e) {
            throw fault(e);
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
                        return guard(operation);
                    }
                } finally {
                    exit();
                }
                idle.reset();
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                break;
            }
            ensureAdmitting();
            idle.idle();
        }
        throw new WaitTimeoutException("no " + what + " in region " + path);
    }

    private void enterOrThrow(boolean watchFirst) {
        ensureAdmitting();
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
            boolean takenOver = how == RegionLock.Acquired.TAKEN_OVER;
            // Refused before anything is touched, unless this is a takeover from a thread of this
            // handle that spilled past the log: that spill's entries are this process's own to put
            // back, and its pending code is cleared by the rollback (any other code stays, and the
            // check after the rollback refuses the region). Only a takeover can roll back
            // (UndoLog.begin), so every other acquisition is decided here.
            if (damage() != RegionHeaderLayout.DAMAGE_NONE && !(takenOver && undo.holdsSpilledEntries())) {
                checkSound();
            }
            long pendingBytes = takenOver ? UndoLog.uncommittedBytes(memory) : 0;
            boolean rolledBack;
            try {
                rolledBack = undo.begin(Thread.currentThread(), takenOver);
            } catch (CorruptedRegionException e) {
                markDamaged(RegionHeaderLayout.DAMAGE_BAD_UNDO_LOG);
                throw e;
            }
            if (takenOver) {
                try {
                    onTakeover.run();
                } catch (CorruptedRegionException e) {
                    undo.commit();
                    markDamaged(RegionHeaderLayout.DAMAGE_HEAP_INCONSISTENT);
                    throw e;
                }
                checkSound();
                long deadPid = lock.lastTakeoverPid();
                RegionEvents.lockTakenOver(path, Math.max(deadPid, 0), deadPid < 0, rolledBack ? pendingBytes : 0);
            }
            return true;
        } catch (InternalError e) {
            releaseAfterFailedAdmission();
            throw fault(e);
        } catch (RuntimeException e) {
            releaseAfterFailedAdmission();
            throw e;
        }
    }

    private void releaseAfterFailedAdmission() {
        try {
            undo.endIfOwnedBy(Thread.currentThread());
        } finally {
            lock.release();
        }
    }

    /** Refuses a region whose header carries a damage code: sticky for every process. */
    private void checkSound() {
        int damage = memory.getInt(RegionHeaderLayout.DAMAGE_OFFSET);
        if (damage != RegionHeaderLayout.DAMAGE_NONE) {
            throw new CorruptedRegionException("region " + path + " is damaged (" + RegionHeaderLayout.damageName(damage)
                    + ") and refused by every process; recreate it", RegionHeaderLayout.DAMAGE_OFFSET);
        }
    }
}
