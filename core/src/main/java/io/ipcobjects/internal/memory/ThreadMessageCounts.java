package io.ipcobjects.internal.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's messages put and taken through one handle ({@link ProcessCounters}): counted by
 * that thread alone, with no atomic instruction, and added to the process's line by whichever
 * thread publishes them.
 *
 * <p>Memory ordering: each count is written only by its thread, with an opaque store (a plain
 * store on x86-64 and arm64, which no reader sees torn), and read by publishers with acquire.
 * What has been added to the line is a second word per count, moved on only by CAS from the
 * value read to the count read: so each message reaches the line exactly once, whichever
 * threads publish at once, and a count is never lost.
 */
final class ThreadMessageCounts {
    private static final VarHandle PUT;
    private static final VarHandle TAKEN;
    private static final VarHandle PUT_PUBLISHED;
    private static final VarHandle TAKEN_PUBLISHED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUT = lookup.findVarHandle(ThreadMessageCounts.class, "put", long.class);
            TAKEN = lookup.findVarHandle(ThreadMessageCounts.class, "taken", long.class);
            PUT_PUBLISHED = lookup.findVarHandle(ThreadMessageCounts.class, "putPublished", long.class);
            TAKEN_PUBLISHED = lookup.findVarHandle(ThreadMessageCounts.class, "takenPublished", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The thread that counts here; a publisher drops the counts of one that ended once they are all published. */
    final Thread owner;

    /** Messages put by {@link #owner} through the handle: written by it alone, opaque. */
    private long put;
    /** Messages taken by {@link #owner}, as {@link #put}. */
    private long taken;
    /** How many of {@link #put} have been added to the line: moved on by CAS only. */
    private volatile long putPublished;
    /** How many of {@link #taken} have been added to the line: moved on by CAS only. */
    private volatile long takenPublished;

    ThreadMessageCounts(Thread owner) {
        this.owner = owner;
    }

    /** By {@link #owner}: counts {@code messages} more put; returns how many are not yet published. */
    long countPut(int messages) {
        long now = put + messages;
        PUT.setOpaque(this, now);
        return now - putPublished;
    }

    /** By {@link #owner}: counts {@code messages} more taken; returns how many are not yet published. */
    long countTaken(int messages) {
        long now = taken + messages;
        TAKEN.setOpaque(this, now);
        return now - takenPublished;
    }

    /** By any thread: the messages put and not yet published, now marked published; add them to the line. */
    long takeUnpublishedPut() {
        return takeUnpublished(PUT, PUT_PUBLISHED);
    }

    /** By any thread: as {@link #takeUnpublishedPut}, for messages taken. */
    long takeUnpublishedTaken() {
        return takeUnpublished(TAKEN, TAKEN_PUBLISHED);
    }

    private long takeUnpublished(VarHandle count, VarHandle published) {
        long counted = (long) count.getAcquire(this);
        while (true) {
            long done = (long) published.getVolatile(this);
            if (counted - done <= 0) {
                return 0; // another publisher took them (and perhaps more, counted since our read)
            }
            if (published.compareAndSet(this, done, counted)) {
                return counted - done;
            }
        }
    }

    /** Whether every message counted here has been published: a dead owner's counts can then be dropped. */
    boolean allPublished() {
        return (long) PUT.getAcquire(this) == putPublished && (long) TAKEN.getAcquire(this) == takenPublished;
    }
}
