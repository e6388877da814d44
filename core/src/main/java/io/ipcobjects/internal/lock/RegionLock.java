package io.ipcobjects.internal.lock;

import static io.ipcobjects.internal.lock.LockLayout.LOCK_WORD_OFFSET;
import static io.ipcobjects.internal.lock.LockLayout.TAKEOVERS_OFFSET;
import static io.ipcobjects.internal.lock.LockLayout.owner;
import static io.ipcobjects.internal.lock.LockLayout.successor;
import static io.ipcobjects.internal.lock.LockLayout.word;

import io.ipcobjects.internal.events.LockWaitEvent;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.ProcessTable;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * shared word never needs to know about threads. Reentrancy is a hold count on the local level.
 *
 * <p>The shared level is one 64-bit word on its own cache line ({@link LockLayout}) holding two
 * 32-bit {@linkplain LockLayout#lockToken lock tokens}:
 * <ul>
 *   <li><b>owner</b> (low half): 0 when free, else the token of the owning process.</li>
 *   <li><b>successor</b> (high half): a waiting process registers itself here as soon as it
 *       finds the lock taken. While a successor is registered, nobody else may take a free lock,
 *       except the process that just released it, and only {@code burstLimit} times in a row
 *       (its local {@link #burst} count). When the releasing owner has used up its burst, it hands
 *       the lock straight to the successor.</li>
 * </ul>
 * Every change of the word is one CAS from the exact value seen (volatile: it acquires and
 * releases), and both halves change together, so there is no window between "successor
 * cleared" and "owner set". The uncontended acquire is one CAS (0 to token) and the release one
 * CAS (token to 0), each a single transfer of the line when it sits in the other core's cache;
 * a CAS that fails returns the word it found, which is the next guess, so no separate read is
 * needed on either path. A hand-off is one CAS: (successor, owner) to (0, successor).
 *
 * <p>This is what makes the lock fair and still fast. An owner that releases and re-acquires in a
 * tight loop gets a burst of cheap acquisitions (no cache-line transfer) while the other side
 * waits, then must hand over, and the other side gets the same burst. Because a waiter queues
 * at once and stays queued even while the scheduler has it off the CPU, the alternation holds
 * under any load: each side gets {@code burstLimit} acquisitions per round, whatever the timing.
 *
 * <p><b>Watching first.</b> One exception to "queue at once", for callers that expect the owner
 * to release within nanoseconds ({@link #acquire(long, boolean)} with {@code watchFirst}): a
 * message consumer that has just seen the count a producer writes as its last step under the
 * lock. It reads the word up to {@code SPINS_BEFORE_QUEUEING} times (pause-paced, a few
 * microseconds at most) and takes the lock with one CAS if it becomes free with nobody queued,
 * and only then queues. Queueing at once would cost the releasing owner a failed CAS and the
 * waiter two more on the same line, which made a two-process message round trip 2-3x slower.
 * Plain {@code acquire()} never watches: in a loop of acquisitions, a watching phase is time in
 * which the other side is not queued and the burst limit does not apply (measured with
 * {@code lock-contend}: the busy-spin split went from 50/50 to 75/25).
 *
 * <p><b>Timeouts.</b> A registered waiter that gives up clears its successor half by CAS. If the
 * word no longer names it as successor, an owner has handed the lock to it in the meantime
 * (owner == its token): it then holds the lock and returns success, slightly late, rather than
 * leave a lock that nobody will release.
 *
 * <p><b>Dead owners.</b> Every {@code ownerCheckIntervalNanos} of waiting, a waiter checks the
 * owner's token against the process table ({@link ProcessTable#isLive}: same slot generation,
 * and the slot's byte of the region file still locked by its holder's open-file-description
 * lock, which the kernel drops when that process dies, in any pid namespace). A dead owner is
 * replaced by CAS (owner: dead token to own token), so exactly one waiter takes over; its slot is
 * reclaimed and the caller is told ({@link Acquired#TAKEN_OVER}) so that the lock scope rolls
 * back the dead owner's open operation and checks the heap before anyone reads. A dead successor is
 * cleared the same way, so the lock is never handed to a process that cannot take it for long.
 * A 32-bit token keeps the low 24 bits of the slot's generation: a token is taken for its
 * attachment only while the slot's current generation agrees in those bits (a slot would have to
 * be attached 2^24 times while a dead owner held the lock to fool the check).
 *
 * <p><b>Dead threads.</b> A thread that ends while it holds the lock (it never closed its
 * {@code Access}) would leave the local level taken for good. A thread waiting for the local
 * level checks whether the holder is still alive each time it looks; if not, it takes the local
 * level from it by CAS (so exactly one thread does), and, since the shared word still names this
 * process, it then holds the whole lock and is told {@link Acquired#TAKEN_OVER}, like a process
 * that took the lock from a dead process: the dead thread's unfinished scope is rolled back.
 *
 * <p>Benign races: a waiter may act on a stale copy of the word; every state change is a CAS
 * from the exact value seen, so a stale view only costs a failed CAS and another loop.
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
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        try {
            LOCAL_OWNER = MethodHandles.lookup().findVarHandle(RegionLock.class, "localOwner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RegionMemory memory;
    private final MemorySegment segment;
    private final ProcessTable processes;
    /** This process's 32-bit lock token ({@link LockLayout#lockToken}), never 0. */
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
    /** The lock token of the dead process the last takeover took the lock from; 0 for a thread of this process. */
    private long takenOverFrom;
    /** Set when this acquisition had to wait (at either level); counted and cleared by {@link #heldLocally}. Guarded by the local level. */
    private boolean waited;
    private final ProcessCounters counters;

    public RegionLock(RegionMemory memory, ProcessTable processes, long token, Supplier<IdleStrategy> idleStrategies,
                      long ownerCheckIntervalNanos, int burstLimit, ProcessCounters counters) {
        this.memory = memory;
        this.counters = counters;
        this.segment = memory.segment();
        this.processes = processes;
        this.token = LockLayout.lockToken(token);
        this.idleStrategies = idleStrategies;
        this.ownerCheckIntervalNanos = ownerCheckIntervalNanos;
        this.burstLimit = burstLimit;
    }

    /**
     * Acquires the lock, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()}
     * scale; {@link Long#MAX_VALUE} for no limit).
     */
    public Acquired acquire(long deadlineNanos) {
        return acquire(deadlineNanos, false);
    }

    /**
     * As {@link #acquire(long)}; with {@code watchFirst}, a waiter watches the word briefly
     * before it queues (see "Watching first" in the class comment): for a caller that has just
     * seen a sign that the owner is about to release.
     */
    public Acquired acquire(long deadlineNanos, boolean watchFirst) {
        Thread self = Thread.currentThread();
        if (localOwner == self) {
            holds++;
            return Acquired.REENTERED;
        }
        if (!LOCAL_OWNER.compareAndSet(this, null, self)) {
            Acquired local = awaitLocal(self, deadlineNanos);
            if (local != Acquired.ACQUIRED) {
                return local == Acquired.TAKEN_OVER ? heldLocally(local) : local;
            }
        }
        return heldLocally(acquireShared(deadlineNanos, watchFirst));
    }

    /** The shared level, for the thread that holds the local level; gives the local level back if it throws. */
    private Acquired acquireShared(long deadlineNanos, boolean watchFirst) {
        try {
            Acquired result = tryAcquireSharedFast();
            return result != null ? result : acquireSharedSlow(deadlineNanos, watchFirst);
        } catch (RuntimeException | Error e) {
            waited = false;
            LOCAL_OWNER.setRelease(this, null);
            throw e;
        }
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
        } else {
            Acquired local = awaitLocal(self, deadlineAfter(timeoutNanos));
            if (local != Acquired.ACQUIRED) {
                return local == Acquired.TAKEN_OVER ? heldLocally(local) : local;
            }
            Acquired fast = tryAcquireSharedFast();
            if (fast != null) {
                return heldLocally(fast);
            }
        }
        return heldLocally(acquireShared(deadlineAfter(timeoutNanos), false));
    }

    private static long deadlineAfter(long timeoutNanos) {
        return timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeoutNanos);
    }

    /** Records the outcome of the shared level for the thread that holds the local level. */
    private Acquired heldLocally(Acquired result) {
        if (result == Acquired.TIMED_OUT) {
            waited = false;
            LOCAL_OWNER.setRelease(this, null);
        } else {
            holds = 1;
            // This process's counters are written only by the holder of its local level.
            counters.lockAcquired();
            if (waited) {
                waited = false;
                counters.lockWaited();
            }
            if (result == Acquired.TAKEN_OVER) {
                counters.lockTakenOver();
            }
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
        if (owner(lockWordVolatile()) == token) {
            releaseShared();
        }
        holds = 0;
        LOCAL_OWNER.setRelease(this, null);
    }

    /**
     * Waits for the local level. ACQUIRED: it is free and now ours (the shared level is still to
     * take). TAKEN_OVER: its holder thread died holding it; the local level is ours, and the whole
     * lock too if the shared word names this process (else the shared level is still to take, and
     * ACQUIRED is returned). TIMED_OUT: the deadline passed.
     */
    private Acquired awaitLocal(Thread self, long deadlineNanos) {
        LockWaitEvent wait = RegionEvents.lockWaitBegins();
        Acquired result = awaitLocalLevel(self, deadlineNanos);
        RegionEvents.lockWaitEnds(wait, processes.regionPath(), result);
        waited = result != Acquired.TIMED_OUT; // the local level is ours only then
        return result;
    }

    private Acquired awaitLocalLevel(Thread self, long deadlineNanos) {
        IdleStrategy idle = idleStrategies.get();
        while (true) {
            Thread holder = localOwner;
            if (holder == null) {
                if (LOCAL_OWNER.compareAndSet(this, null, self)) {
                    return Acquired.ACQUIRED;
                }
                continue;
            }
            if (!holder.isAlive() && LOCAL_OWNER.compareAndSet(this, holder, self)) {
                if (owner(lockWordVolatile()) != token) {
                    return Acquired.ACQUIRED; // it died before it had the shared word: nothing to undo
                }
                memory.getAndAddLong(TAKEOVERS_OFFSET, 1);
                takenOverFrom = 0;
                burst = 0;
                return Acquired.TAKEN_OVER;
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0) {
                return Acquired.TIMED_OUT;
            }
            idle.idle();
        }
    }

    /**
     * Who the last takeover took the lock from, for its log line: the pid recorded for the dead
     * process (0 if unknown), or -1 if it was a thread of this process.
     */
    long lastTakeoverPid() {
        if (takenOverFrom == 0) {
            return -1;
        }
        long full = fullToken(takenOverFrom);
        return full == 0 ? 0 : processes.recordedPid(full);
    }

    /** The calling thread's hold count: 1 means the next {@link #release()} lets the lock go. */
    int holdsOfCurrentThread() {
        return localOwner == Thread.currentThread() ? holds : 0;
    }

    /** True when a thread that has ended holds the local level (it never released the lock). */
    boolean isHeldByDeadThread() {
        Thread holder = localOwner;
        return holder != null && !holder.isAlive();
    }

    /** True when no thread of this process holds the lock, or only the calling thread does. */
    boolean isFreeOrHeldByCurrentThread() {
        Thread holder = localOwner;
        return holder == null || holder == Thread.currentThread() || !holder.isAlive();
    }

    // ---- the lock word: every access volatile (a CAS acquires and releases) ----

    private long lockWordVolatile() {
        return (long) LONG.getVolatile(segment, LOCK_WORD_OFFSET);
    }

    /** CAS of the lock word; returns the word it found (== {@code expected} when it succeeded). */
    private long compareAndExchangeLockWord(long expected, long next) {
        return (long) LONG.compareAndExchange(segment, LOCK_WORD_OFFSET, expected, next);
    }

    /** The shared level's fast path: the acquisition, or null if the caller must wait. */
    private Acquired tryAcquireSharedFast() {
        // Free and nobody queued: one CAS, which also reads the word when it fails.
        long found = compareAndExchangeLockWord(0, word(0, token));
        if (found == 0) {
            burst = 0;
            return Acquired.ACQUIRED;
        }
        // Free but a successor is queued: this process may barge while it has burst left.
        if (owner(found) == 0 && successor(found) != token && burst < burstLimit
                && compareAndExchangeLockWord(found, word(successor(found), token)) == found) {
            burst++;
            return Acquired.ACQUIRED;
        }
        return null;
    }

    /** Reads of the word a watching waiter makes before it queues as successor. */
    private static final int SPINS_BEFORE_QUEUEING = 64;

    private Acquired acquireSharedSlow(long deadlineNanos, boolean watchFirst) {
        LockWaitEvent wait = RegionEvents.lockWaitBegins();
        Acquired result = awaitShared(deadlineNanos, watchFirst);
        RegionEvents.lockWaitEnds(wait, processes.regionPath(), result);
        waited |= result != Acquired.TIMED_OUT;
        return result;
    }

    private Acquired awaitShared(long deadlineNanos, boolean watchFirst) {
        // Watching (reads only, sharing the line): an owner about to release frees the word
        // within nanoseconds, and then one CAS takes it. See "Watching first".
        for (int i = 0; watchFirst && i < SPINS_BEFORE_QUEUEING; i++) {
            long found = lockWordVolatile();
            if (successor(found) != 0) {
                break; // someone is queued already: queue behind the protocol's rules
            }
            if (owner(found) == 0) {
                if (compareAndExchangeLockWord(found, word(0, token)) == found) {
                    burst = 0;
                    return Acquired.ACQUIRED;
                }
                break;
            }
            Thread.onSpinWait();
        }
        IdleStrategy idle = idleStrategies.get();
        long nextOwnerCheck = System.nanoTime() + ownerCheckIntervalNanos;
        while (true) {
            long found = lockWordVolatile();
            long owner = owner(found);
            long successor = successor(found);
            if (owner == token) {
                // Handed over by the previous owner, which cleared successor in the same CAS.
                counters.lockHandedOver();
                burst = 0;
                return Acquired.ACQUIRED;
            }
            if (owner == 0 && (successor == 0 || successor == token)) {
                // Free for us: take it and drop our own registration in one CAS.
                if (compareAndExchangeLockWord(found, word(0, token)) == found) {
                    burst = 0;
                    return Acquired.ACQUIRED;
                }
                continue;
            }
            if (successor == 0 && owner != 0 && compareAndExchangeLockWord(found, word(token, owner)) == found) {
                continue; // queued as successor; look again at once: the owner may have released meanwhile
            }
            long now = System.nanoTime();
            if (now - nextOwnerCheck >= 0) {
                nextOwnerCheck = now + ownerCheckIntervalNanos;
                if (owner != 0 && !isLive(owner)
                        && compareAndExchangeLockWord(found, word(successor == token ? 0 : successor, token)) == found) {
                    memory.getAndAddLong(TAKEOVERS_OFFSET, 1);
                    takenOverFrom = owner;
                    reclaimIfDead(owner);
                    burst = 0;
                    return Acquired.TAKEN_OVER;
                }
                if (successor != 0 && successor != token && !isLive(successor)) {
                    compareAndExchangeLockWord(found, word(0, owner));
                    continue;
                }
            }
            if (deadlineNanos != Long.MAX_VALUE && now - deadlineNanos >= 0) {
                Acquired ended = giveUp();
                if (ended != null) {
                    return ended;
                }
                continue;
            }
            idle.idle();
        }
    }

    /**
     * The deadline passed: withdraws this process's registration as successor. Returns
     * TIMED_OUT, or ACQUIRED if an owner handed the lock over meanwhile, or null if the word
     * changed under the CAS (look again).
     */
    private Acquired giveUp() {
        long found = lockWordVolatile();
        if (owner(found) == token) {
            burst = 0;
            return Acquired.ACQUIRED; // handed over just now: holding it is the only safe outcome
        }
        if (successor(found) != token) {
            return Acquired.TIMED_OUT; // not registered (or not any more): nothing to withdraw
        }
        return compareAndExchangeLockWord(found, word(0, owner(found))) == found ? Acquired.TIMED_OUT : null;
    }

    private void releaseShared() {
        // First guess: nobody queued (word == owner only). A failed CAS gives the real word;
        // waiters only ever change the successor half, so this ends after a few rounds at most.
        long expected = word(0, token);
        while (true) {
            long successor = successor(expected);
            long next = successor != 0 && successor != token && burst >= burstLimit
                    ? word(0, successor) // direct hand-off: the successor owns it, nobody is queued
                    : word(successor, 0); // free: a queued successor takes it unless we re-take it within our burst
            long found = compareAndExchangeLockWord(expected, next);
            if (found == expected) {
                return;
            }
            if (owner(found) != token) {
                throw new IllegalStateException("region lock word " + Long.toHexString(found)
                        + " does not name this process (" + Long.toHexString(token) + ") as its owner");
            }
            expected = found;
        }
    }

    // ---- 32-bit tokens against the process table ----

    /** The full process-table token of a lock token, or 0 if its slot has moved on to another attachment. */
    private long fullToken(long lockToken) {
        int slot = LockLayout.lockTokenSlot(lockToken);
        if (slot < 0 || slot >= ProcessTableLayout.SLOT_COUNT) {
            return 0;
        }
        long generation = ProcessTableLayout.generation(
                memory.getLongVolatile(ProcessTableLayout.slotOffset(slot) + ProcessTableLayout.SLOT_WORD_OFFSET));
        if ((generation & LockLayout.GENERATION_MASK) != LockLayout.lockTokenGeneration(lockToken)) {
            return 0;
        }
        return ProcessTableLayout.token(slot, generation);
    }

    private boolean isLive(long lockToken) {
        long full = fullToken(lockToken);
        return full != 0 && processes.isLive(full);
    }

    private void reclaimIfDead(long lockToken) {
        long full = fullToken(lockToken);
        if (full != 0) {
            processes.reclaimIfDead(full);
        }
    }
}
