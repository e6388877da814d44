package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.ProcessCountersLayout.*;

/**
 * This process's line of counters ({@link ProcessCountersLayout}): bumped by the lock, the
 * allocator and the message queue, always under the region lock (see the layout for why plain
 * reads and release writes suffice).
 */
public final class ProcessCounters {
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

    public void lockAcquired() {
        add(LOCK_ACQUISITIONS_OFFSET, 1);
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
     * ring): a plain read and a release write, as every count, no atomic instruction on the
     * message path. Two threads of one process counting at the same instant can lose a count
     * (statistics, not state); an atomic add on the locked path alone would not prevent that,
     * since the lock-free side's plain write can overwrite it.
     */
    public void messagePut() {
        add(MESSAGES_PUT_OFFSET, 1);
    }

    /** A message taken, under the lock or without it: as {@link #messagePut}. */
    public void messageTaken() {
        add(MESSAGES_TAKEN_OFFSET, 1);
    }

    public void allocated(long bytes) {
        add(BYTES_ALLOCATED_OFFSET, bytes);
    }

    public void freed(long bytes) {
        add(BYTES_FREED_OFFSET, bytes);
    }
}
