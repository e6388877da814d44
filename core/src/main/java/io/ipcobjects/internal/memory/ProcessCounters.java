package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.ProcessCountersLayout.*;

import java.util.concurrent.atomic.AtomicLong;

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

    /** Messages put and taken by this handle's threads and not yet added to the line. */
    private final AtomicLong unpublishedPut = new AtomicLong();
    private final AtomicLong unpublishedTaken = new AtomicLong();

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
        publishMessages();
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
     * ring). Counted in this handle and added to the line once per
     * {@value #MESSAGES_PER_PUBLISH} messages, and at {@link #publishMessages}: one atomic
     * instruction on a line of this JVM's heap per message, no write to the region. A count is
     * never lost nor counted twice, whichever threads count and publish.
     */
    public void messagePut() {
        count(unpublishedPut, MESSAGES_PUT_OFFSET, 1);
    }

    /** A message taken, under the lock or without it: as {@link #messagePut}. */
    public void messageTaken() {
        count(unpublishedTaken, MESSAGES_TAKEN_OFFSET, 1);
    }

    /** {@code messages} messages taken at once (a drain's), counted as {@link #messagePut}. */
    public void messagesTaken(int messages) {
        if (messages > 0) {
            count(unpublishedTaken, MESSAGES_TAKEN_OFFSET, messages);
        }
    }

    private void count(AtomicLong unpublished, long offset, int messages) {
        if (line >= 0 && unpublished.addAndGet(messages) >= MESSAGES_PER_PUBLISH) {
            publish(unpublished, offset);
        }
    }

    /**
     * Adds the messages this handle has counted to its line, so that other processes (an
     * inspector) see them: called when the handle reads its own counts, takes the region lock,
     * or waits in a channel's take or put. A process busy with a stream of messages
     * shows them fewer than {@value #MESSAGES_PER_PUBLISH} behind meanwhile.
     */
    public void publishMessages() {
        if (line >= 0) {
            publish(unpublishedPut, MESSAGES_PUT_OFFSET);
            publish(unpublishedTaken, MESSAGES_TAKEN_OFFSET);
        }
    }

    /**
     * Moves what {@code unpublished} holds to the line's word at {@code offset} with an atomic
     * add: two threads of this handle may publish at once, and the line's other words are
     * written under the lock, so neither may overwrite the other's sum.
     */
    private void publish(AtomicLong unpublished, long offset) {
        if (unpublished.get() != 0) {
            long moved = unpublished.getAndSet(0);
            if (moved != 0) {
                memory.getAndAddLong(line + offset, moved);
            }
        }
    }

    public void allocated(long bytes) {
        add(BYTES_ALLOCATED_OFFSET, bytes);
    }

    public void freed(long bytes) {
        add(BYTES_FREED_OFFSET, bytes);
    }
}
