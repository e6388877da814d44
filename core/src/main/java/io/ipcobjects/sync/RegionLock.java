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
 *   <li><b>successor</b>: a waiting process registers itself here as soon as it finds the lock
 *       taken (CAS 0 to token). While a successor is registered, nobody else may take a free lock,
 *       except the process that just released it, and only {@code burstLimit} times in a row
 *       (its local {@link #burst} count). When the releasing owner has used up its burst, it hands
 *       the lock straight to the successor: it clears successor by CAS and then stores
 *       owner = successor with release.</li>
 * </ul>
 * This is what makes the lock fair and still fast. An owner that releases and re-acquires in a
 * tight loop gets a burst of cheap acquisitions (no cache-line transfer) while the other side
 * waits, then must hand over, and the other side gets the same burst. Because a waiter queues
 * at once and stays queued even while the scheduler has it off the CPU, the alternation holds
 * under any load: each side gets {@code burstLimit} acquisitions per round, whatever the timing.
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
    private final int burstLimit;

    @SuppressWarnings("unused") // accessed through LOCAL_OWNER
    private volatile Thread localOwner;
    /** Written only by the owning thread while it holds the local level. */
    private int holds;
    /**
     * Acquisitions in a row this process took while another process was queued; guarded by the
     * local level. Reset whenever the lock comes to this process through the queue.
     */
    private int burst;

    public RegionLock(RegionMemory memory, ProcessTable processes, long token, Supplier<IdleStrategy> idleStrategies,
                      long ownerCheckIntervalNanos, int burstLimit) {
        this.memory = memory;
        this.processes = processes;
        this.token = token;
        this.idleStrategies = idleStrategies;
        this.ownerCheckIntervalNanos = ownerCheckIntervalNanos;
        this.burstLimit = burstLimit;
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
        Acquired result = tryAcquireSharedFast();
        return heldLocally(result != null ? result : acquireSharedSlow(deadlineNanos));
    }

    /**
     * Acquires the lock, waiting at most {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit).
     * Reads the clock only when it has to wait, so an uncontended {@code tryAcquire} costs what
     * an {@code acquire} costs.
     */
    public Acquired acquireWithin(long timeoutNanos) {
        Thread self = Thread.currentThread();
        if (localOwner == self) {
            holds++;
            return Acquired.REENTERED;
        }
        if (LOCAL_OWNER.compareAndSet(this, null, self)) {
            Acquired fast = tryAcquireSharedFast();
            if (fast != null) {
                return heldLocally(fast);
            }
        } else if (!awaitLocal(self, deadlineAfter(timeoutNanos))) {
            return Acquired.TIMED_OUT;
        } else {
            Acquired fast = tryAcquireSharedFast();
            if (fast != null) {
                return heldLocally(fast);
            }
        }
        return heldLocally(acquireSharedSlow(deadlineAfter(timeoutNanos)));
    }

    private static long deadlineAfter(long timeoutNanos) {
        return timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeoutNanos);
    }

    /** Records the outcome of the shared level for the thread that holds the local level. */
    private Acquired heldLocally(Acquired result) {
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

    /** The shared level's fast path: the acquisition, or null if the caller must wait. */
    private Acquired tryAcquireSharedFast() {
        // Free and nobody queued, or queued but this process still has burst left.
        // The CAS is volatile, so it acquires.
        long successor = memory.getLongVolatile(SUCCESSOR_OFFSET);
        if (successor == 0) {
            if (memory.compareAndSetLong(OWNER_OFFSET, 0, token)) {
                burst = 0;
                return Acquired.ACQUIRED;
            }
        } else if (burst < burstLimit && memory.compareAndSetLong(OWNER_OFFSET, 0, token)) {
            burst++;
            return Acquired.ACQUIRED;
        }
        return null;
    }

    private Acquired acquireSharedSlow(long deadlineNanos) {
        IdleStrategy idle = idleStrategies.get();
        long nextOwnerCheck = System.nanoTime() + ownerCheckIntervalNanos;
        boolean queued = false;
        boolean handoffPending = false; // gave up, but an owner is handing the lock to us
        while (true) {
            long owner = memory.getLongVolatile(OWNER_OFFSET);
            long successor = memory.getLongVolatile(SUCCESSOR_OFFSET);
            if (owner == token) {
                // Handed over by the previous owner, which cleared successor first.
                burst = 0;
                return Acquired.ACQUIRED;
            }
            if (owner == 0 && (successor == 0 || successor == token)) {
                if (memory.compareAndSetLong(OWNER_OFFSET, 0, token)) {
                    if (successor == token) {
                        memory.compareAndSetLong(SUCCESSOR_OFFSET, token, 0);
                    }
                    burst = 0;
                    return Acquired.ACQUIRED;
                }
                continue;
            }
            if (!queued && !handoffPending && successor == 0) {
                queued = memory.compareAndSetLong(SUCCESSOR_OFFSET, 0, token);
            }
            long now = System.nanoTime();
            if (now - nextOwnerCheck >= 0) {
                nextOwnerCheck = now + ownerCheckIntervalNanos;
                if (owner != 0 && !processes.isLive(owner)
                        && memory.compareAndSetLong(OWNER_OFFSET, owner, token)) {
                    memory.getAndAddLong(TAKEOVERS_OFFSET, 1);
                    processes.reclaimIfDead(owner);
                    memory.compareAndSetLong(SUCCESSOR_OFFSET, token, 0);
                    burst = 0;
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
        if (successor != 0 && successor != token && burst >= burstLimit
                && memory.compareAndSetLong(SUCCESSOR_OFFSET, successor, 0)) {
            memory.putLongRelease(OWNER_OFFSET, successor); // direct hand-off
            return;
        }
        // Free: a queued successor takes it now unless this process re-takes it within its burst.
        memory.putLongRelease(OWNER_OFFSET, 0);
    }
}
