package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.ProcessCountersLayout.*;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * This process's line of counters ({@link ProcessCountersLayout}): bumped by the lock and the
 * allocator under the region lock (see the layout for why plain reads and release writes
 * suffice), and by channels and the message queue, whose counts this handle gathers first and
 * adds to the line in steps ({@link #messagePut}).
 */
public final class ProcessCounters {
    /**
     * Messages a handle counts before it adds them to its line. A store to the shared line at
     * every message, with the mark a put wrote before its bytes, held a stream of small messages
     * between two processes to well under half its rate in measurement builds
     * ({@code docs/performance.md}, "Two stores taken off the put"), so messages are counted
     * here and added once per this many, and whenever the process waits, takes the lock or
     * reads its own counts ({@link #publishMessages}).
     */
    static final int MESSAGES_PER_PUBLISH = 64;

    /**
     * The message counts of each thread that has counted through this handle. Per thread, so
     * that a message is counted with a plain store: an atomic add per message cost as much of a
     * put as the CAS that claims its entry (a tenth of a one-core put and drain of a
     * {@code Long}, in a profile of {@code ChannelBenchmark}).
     */
    private final ThreadLocal<ThreadMessageCounts> countsOfThread = ThreadLocal.withInitial(this::register);
    /** Every thread's counts, for a publisher; a thread that ended leaves once its counts are published. */
    private final ConcurrentLinkedQueue<ThreadMessageCounts> allCounts = new ConcurrentLinkedQueue<>();
    /** The counts of the thread that counted last: a look-up the thread-local map is not needed for while one thread counts. Raced benignly. */
    private ThreadMessageCounts lastCounts;
    /** Threads registered since the last sweep of ended ones ({@link #register}). */
    private int registeredSinceSweep;
    /**
     * Whether a thread may have counted a message since the last {@link #publishMessages}: lets
     * each lock acquisition skip the walk over the threads' counts when there is nothing to
     * add. Set by a counting thread only when it reads it clear (one store per publish, not per
     * message); a plain flag, raced benignly: a publisher that clears it may miss a count made
     * meanwhile, which then waits for its thread's next step, a wait or a read of the counts,
     * as a count of a busy thread does anyway.
     */
    private boolean maybeUnpublished;

    private final RegionMemory memory;
    /** Region offset of the line; -1 for a detached instance that counts nothing. */
    private final long line;

    private ProcessCounters(RegionMemory memory, long line) {
        this.memory = memory;
        this.line = line;
    }

    /** The counters of process-table slot {@code slot}. */
    public static ProcessCounters ofSlot(RegionMemory memory, int slot) {
        if (slot < 0 || slot >= ProcessTableLayout.SLOT_COUNT) {
            throw new IllegalArgumentException("no process-table slot " + slot);
        }
        return new ProcessCounters(memory, lineOffset(slot));
    }

    /** Counts nothing: for an allocator that works on memory without a process table (tests, benchmarks). */
    public static ProcessCounters detached() {
        return new ProcessCounters(null, -1);
    }

    /** Zeroes slot {@code slot}'s line: by the process that claims the slot, before it publishes it. */
    static void clear(RegionMemory memory, int slot) {
        long at = lineOffset(slot);
        for (int i = 0; i < COUNTS; i++) {
            memory.putLongUnlogged(at + (long) i * Long.BYTES, 0);
        }
    }

    /** Slot {@code slot}'s counts, in layout order, read with acquire. */
    public static long[] read(RegionMemory memory, int slot) {
        long at = lineOffset(slot);
        long[] counts = new long[COUNTS];
        for (int i = 0; i < COUNTS; i++) {
            counts[i] = memory.getLongAcquire(at + (long) i * Long.BYTES);
        }
        return counts;
    }

    private void add(long offset, long amount) {
        if (line >= 0) {
            long at = line + offset;
            memory.putLongReleaseUnlogged(at, memory.getLong(at) + amount);
        }
    }

    /** Also publishes the messages counted since the last time ({@link #publishMessages}). */
    public void lockAcquired() {
        add(LOCK_ACQUISITIONS_OFFSET, 1);
        if (maybeUnpublished) {
            publishMessages();
        }
    }

    public void lockWaited() {
        add(LOCK_WAITS_OFFSET, 1);
    }

    public void lockHandedOver() {
        add(LOCK_HAND_OFFS_OFFSET, 1);
    }

    public void lockTakenOver() {
        add(LOCK_TAKEOVERS_OFFSET, 1);
    }

    /**
     * A message put, under the lock (the region's message queue) or without it (a channel's
     * ring). Counted by the calling thread in this handle ({@link ThreadMessageCounts}, no atomic
     * instruction) and added to the line once per {@value #MESSAGES_PER_PUBLISH} of that
     * thread's messages, and at {@link #publishMessages}. A count is never lost nor counted
     * twice, whichever threads count and publish.
     */
    public void messagePut() {
        if (line >= 0) {
            ThreadMessageCounts counts = countsOfThisThread();
            markUnpublished();
            if (counts.countPut(1) >= MESSAGES_PER_PUBLISH) {
                memory.getAndAddLong(line + MESSAGES_PUT_OFFSET, counts.takeUnpublishedPut());
            }
        }
    }

    /** A message taken, under the lock or without it: as {@link #messagePut}. */
    public void messageTaken() {
        messagesTaken(1);
    }

    /** {@code messages} messages taken at once (a drain's), counted as {@link #messagePut}. */
    public void messagesTaken(int messages) {
        if (line >= 0 && messages > 0) {
            ThreadMessageCounts counts = countsOfThisThread();
            markUnpublished();
            if (counts.countTaken(messages) >= MESSAGES_PER_PUBLISH) {
                memory.getAndAddLong(line + MESSAGES_TAKEN_OFFSET, counts.takeUnpublishedTaken());
            }
        }
    }

    private void markUnpublished() {
        if (!maybeUnpublished) {
            maybeUnpublished = true;
        }
    }

    private ThreadMessageCounts countsOfThisThread() {
        ThreadMessageCounts counts = lastCounts;
        if (counts == null || counts.owner != Thread.currentThread()) {
            counts = countsOfThread.get();
            lastCounts = counts;
        }
        return counts;
    }

    /**
     * The calling thread's first count through this handle. Sweeps the threads that ended once
     * as many have registered since the last sweep as there were counts then, so a handle used
     * by one short-lived thread after another keeps counts for about twice the live ones.
     */
    private ThreadMessageCounts register() {
        ThreadMessageCounts counts = new ThreadMessageCounts(Thread.currentThread());
        allCounts.add(counts);
        if (++registeredSinceSweep > allCounts.size() / 2) {
            registeredSinceSweep = 0;
            publishMessages();
        }
        return counts;
    }

    /**
     * Adds the messages this handle's threads have counted to its line, so that other processes
     * (an inspector) see them: called when the handle reads its own counts, takes the region
     * lock, or waits in a channel's take or put. A process busy with a stream of messages shows
     * them fewer than {@value #MESSAGES_PER_PUBLISH} per thread behind meanwhile. Drops the
     * counts of threads that ended, once they are published.
     */
    public void publishMessages() {
        if (line < 0) {
            return;
        }
        maybeUnpublished = false;
        long put = 0;
        long taken = 0;
        for (Iterator<ThreadMessageCounts> it = allCounts.iterator(); it.hasNext(); ) {
            ThreadMessageCounts counts = it.next();
            boolean ended = !counts.owner.isAlive();
            put += counts.takeUnpublishedPut();
            taken += counts.takeUnpublishedTaken();
            if (ended && counts.allPublished()) {
                it.remove();
            }
        }
        if (put != 0) {
            memory.getAndAddLong(line + MESSAGES_PUT_OFFSET, put);
        }
        if (taken != 0) {
            memory.getAndAddLong(line + MESSAGES_TAKEN_OFFSET, taken);
        }
    }

    /** Threads whose counts this handle keeps now (for tests: those of ended threads leave once published). */
    int threadsCounted() {
        return allCounts.size();
    }

    public void allocated(long bytes) {
        add(BYTES_ALLOCATED_OFFSET, bytes);
    }

    public void freed(long bytes) {
        add(BYTES_FREED_OFFSET, bytes);
    }
}
