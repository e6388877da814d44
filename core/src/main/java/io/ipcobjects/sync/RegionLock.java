package io.ipcobjects.sync;

import static io.ipcobjects.sync.LockLayout.OWNER_OFFSET;
import static io.ipcobjects.sync.LockLayout.SUCCESSOR_OFFSET;
import static io.ipcobjects.sync.LockLayout.TAKEOVERS_OFFSET;

import io.ipcobjects.region.ProcessTable;
import io.ipcobjects.region.RegionMemory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * The region's one exclusive lock, shared by every process attached to it, reentrant for the
 * thread that holds it.
 *
 * <h2>Overview</h2>
 * Two levels. Inside a process, threads first take a local owner slot (a CAS on
 * {@link #localOwner}); only the thread that holds it competes for the shared lock, with the
 * process's token. So other threads of the same process wait like other processes do, and the
 * shared words never need to know about threads. Reentrancy is a hold count on the local level.
 *
 * <p>The shared level is two words on their own cache line ({@link LockLayout}):
 * <ul>
 *   <li><b>owner</b>: 0 when free, else the token of the owning process. Taken by CAS 0 to
 *       token (acquire semantics, it is a volatile CAS), released by a release store.</li>
 *   <li><b>successor</b>: a waiter that has waited longer than the spin phase registers itself
 *       here (CAS 0 to token). While a successor is registered, nobody else may take a free lock
 *       (the fast path reads successor first), and a releasing owner hands the lock straight to
 *       the successor: it clears successor by CAS and then stores owner = successor with
 *       release. This is what makes the lock fair enough: an owner that releases and re-acquires
 *       in a tight loop gets a burst of acquisitions (cheap, no cache-line transfer) until the
 *       other side has waited out its spin phase, and then must hand over.</li>
 * </ul>
 *
 * <p><b>Timeouts.</b> A registered waiter that gives up clears successor by CAS from its own
 * token. If that CAS fails, an owner is in the middle of handing the lock over to it, so it waits
 * for owner == its token and then holds the lock (it returns success, slightly late, rather
 * than leave a lock that nobody will release).
 *
 * <p><b>Dead owners.</b> Every {@code ownerCheckIntervalNanos} of waiting, a waiter checks the
 * owner's token against the process table ({@link ProcessTable#isLive}: same slot generation,
 * same pid, same process start time). A dead owner is replaced by CAS owner: dead token to own
 * token, so exactly one waiter takes over; its slot is reclaimed and the caller is told
 * ({@link Acquired#TAKEN_OVER}) so it can check the heap before going on. A dead successor is
 * cleared the same way, so the lock is never handed to a process that cannot take it for long.
 *
 * <p>Benign races: reading owner and successor is two loads, so a waiter can act on a stale
 * pair; every state change is a CAS from the exact value seen, so a stale view only costs a
 * failed CAS and another loop.
 */
public final class RegionLock {

    /** How an acquisition ended. */
    public enum Acquired {
        /** Not acquired: the deadline passed. */
        TIMED_OUT,
        /** Acquired from a live owner or a free lock. */
        ACQUIRED,
        /** Acquired by taking it from an owner whose process is dead: check the heap. */
        TAKEN_OVER,
        /** This thread already held it: the hold count went up. */
        REENTERED
    }

    private static final VarHandle LOCAL_OWNER;

    static {
        try {
            LOCAL_OWNER = MethodHandles.lookup().findVarHandle(RegionLock.class, "localOwner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RegionMemory memory;
    private final ProcessTable processes;
    private final long token;
    private final Supplier<IdleStrategy> idleStrategies;
    private final long ownerCheckIntervalNanos;
    private final long spinBeforeQueueNanos;

    @SuppressWarnings("unused") // accessed through LOCAL_OWNER
    private volatile Thread localOwner;
    /** Written only by the owning thread while it holds the local level. */
    private int holds;

    public RegionLock(RegionMemory memory, ProcessTable processes, long token, Supplier<IdleStrategy> idleStrategies,
                      long ownerCheckIntervalNanos, long spinBeforeQueueNanos) {
        this.memory = memory;
        this.processes = processes;
        this.token = token;
        this.idleStrategies = idleStrategies;
        this.ownerCheckIntervalNanos = ownerCheckIntervalNanos;
        this.spinBeforeQueueNanos = spinBeforeQueueNanos;
    }

    /**
     * Acquires the lock, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()}
     * scale; {@link Long#MAX_VALUE} for no limit).
     */
    public Acquired acquire(long deadlineNanos) {
        Thread self = Thread.currentThread();
        if (localOwner == self) {
            holds++;
            return Acquired.REENTERED;
        }
        if (!LOCAL_OWNER.compareAndSet(this, null, self) && !awaitLocal(self, deadlineNanos)) {
            return Acquired.TIMED_OUT;
        }
        Acquired result = acquireShared(deadlineNanos);
        if (result == Acquired.TIMED_OUT) {
            LOCAL_OWNER.setRelease(this, null);
        } else {
            holds = 1;
        }
        return result;
    }

    /** Releases one hold; the last one releases the shared lock. */
    public void release() {
        if (localOwner != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the region lock is not held by " + Thread.currentThread());
        }
        if (--holds == 0) {
            releaseShared();
            LOCAL_OWNER.setRelease(this, null);
        }
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return localOwner == Thread.currentThread();
    }

    /** Number of times a lock was taken over from a dead owner in this region, by anyone. */
    public long takeovers() {
        return memory.getLongVolatile(TAKEOVERS_OFFSET);
    }

    /**
     * Releases the shared lock if this process still owns it, whatever the local holds: used
     * when a handle closes while one of its threads still holds the lock.
     */
    public void forceReleaseShared() {
        if (memory.getLongVolatile(OWNER_OFFSET) == token) {
            releaseShared();
        }
        holds = 0;
        LOCAL_OWNER.setRelease(this, null);
    }

    private boolean awaitLocal(Thread self, long deadlineNanos) {
        IdleStrategy idle = idleStrategies.get();
        while (!LOCAL_OWNER.compareAndSet(this, null, self)) {
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                return false;
            }
            idle.idle();
        }
        return true;
    }

    private Acquired acquireShared(long deadlineNanos) {
        // Fast path: free and nobody queued. The CAS is volatile, so it acquires.
        if (memory.getLongVolatile(SUCCESSOR_OFFSET) == 0 && memory.compareAndSetLong(OWNER_OFFSET, 0, token)) {
            return Acquired.ACQUIRED;
        }
        return acquireSharedSlow(deadlineNanos);
    }

    private Acquired acquireSharedSlow(long deadlineNanos) {
        IdleStrategy idle = idleStrategies.get();
        long start = System.nanoTime();
        long nextOwnerCheck = start + ownerCheckIntervalNanos;
        boolean queued = false;
        boolean handoffPending = false; // gave up, but an owner is handing the lock to us
        while (true) {
            long owner = memory.getLongVolatile(OWNER_OFFSET);
            long successor = memory.getLongVolatile(SUCCESSOR_OFFSET);
            if (owner == token) {
                // Handed over by the previous owner, which cleared successor first.
                return Acquired.ACQUIRED;
            }
            if (owner == 0 && (successor == 0 || successor == token)) {
                if (memory.compareAndSetLong(OWNER_OFFSET, 0, token)) {
                    if (successor == token) {
                        memory.compareAndSetLong(SUCCESSOR_OFFSET, token, 0);
                    }
                    return Acquired.ACQUIRED;
                }
                continue;
            }
            long now = System.nanoTime();
            if (!queued && !handoffPending && successor == 0 && now - start >= spinBeforeQueueNanos) {
                queued = memory.compareAndSetLong(SUCCESSOR_OFFSET, 0, token);
            }
            if (now - nextOwnerCheck >= 0) {
                nextOwnerCheck = now + ownerCheckIntervalNanos;
                if (owner != 0 && !processes.isLive(owner)
                        && memory.compareAndSetLong(OWNER_OFFSET, owner, token)) {
                    memory.getAndAddLong(TAKEOVERS_OFFSET, 1);
                    processes.reclaimIfDead(owner);
                    memory.compareAndSetLong(SUCCESSOR_OFFSET, token, 0);
                    return Acquired.TAKEN_OVER;
                }
                if (successor != 0 && successor != token && !processes.isLive(successor)) {
                    memory.compareAndSetLong(SUCCESSOR_OFFSET, successor, 0);
                }
            }
            if (deadlineNanos != Long.MAX_VALUE && !handoffPending && now - deadlineNanos >= 0) {
                if (!queued || memory.compareAndSetLong(SUCCESSOR_OFFSET, token, 0)) {
                    return Acquired.TIMED_OUT;
                }
                handoffPending = true; // the owner cleared successor: owner == token is on its way
            }
            idle.idle();
        }
    }

    private void releaseShared() {
        long successor = memory.getLongVolatile(SUCCESSOR_OFFSET);
        if (successor != 0 && successor != token && memory.compareAndSetLong(SUCCESSOR_OFFSET, successor, 0)) {
            memory.putLongRelease(OWNER_OFFSET, successor); // direct hand-off
            return;
        }
        memory.putLongRelease(OWNER_OFFSET, 0);
    }
}
