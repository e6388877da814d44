package io.ipcobjects.region;

import static io.ipcobjects.region.RegionHeaderLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.alloc.HeapAllocator;
import io.ipcobjects.objects.TypeRegistry;
import io.ipcobjects.sync.RegionLock;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything one attachment of a region needs, in one place: the mapped memory, the process
 * table, the lock, the allocator, the type registry, and whether this handle is still open. {@code SharedMemory},
 * {@code Access} and every view hold one; internal code reaches each part from here.
 *
 * <p>The rule for views: every operation runs through {@link #locked(Supplier)}, which checks
 * that the handle is open and runs the operation under the region lock, taking the lock just for
 * this call unless the thread already holds it (inside an {@code acquire()} scope).
 */
public final class RegionContext {

    private final Path path;
    private final RegionMemory memory;
    private final ProcessTable processes;
    private final RegionLock lock;
    private final HeapAllocator allocator;
    private final TypeRegistry types;
    /** The filter serialized values are read through; null: serialization is off for this handle. */
    private final ObjectInputFilter serialization;
    private final long token;
    private final boolean creator;
    private volatile boolean closed;

    public RegionContext(Path path, RegionMemory memory, ProcessTable processes, RegionLock lock, HeapAllocator allocator,
                         long token, boolean creator, ObjectInputFilter serialization) {
        this.path = path;
        this.memory = memory;
        this.processes = processes;
        this.lock = lock;
        this.allocator = allocator;
        this.types = new TypeRegistry(memory, allocator);
        this.serialization = serialization;
        this.token = token;
        this.creator = creator;
    }

    public Path path() {
        return path;
    }

    public RegionMemory memory() {
        return memory;
    }

    public ProcessTable processes() {
        return processes;
    }

    public RegionLock lock() {
        return lock;
    }

    public HeapAllocator allocator() {
        return allocator;
    }

    /** The region's type registry: one descriptor per record or user class stored. */
    public TypeRegistry types() {
        return types;
    }

    /** The filter serialized values are read through, or null when serialization is off (the default). */
    public ObjectInputFilter serialization() {
        return serialization;
    }

    public long token() {
        return token;
    }

    public boolean isCreator() {
        return creator;
    }

    public boolean isClosed() {
        return closed;
    }

    public void markClosed() {
        closed = true;
    }

    /** @throws RegionClosedException if this handle was closed */
    public void ensureOpen() {
        if (closed) {
            throw new RegionClosedException("region " + path + " is closed");
        }
    }

    /**
     * Takes the region lock for the calling thread, by {@code deadlineNanos}
     * ({@link Long#MAX_VALUE}: no limit). After a takeover from a dead owner, checks the heap
     * first. Returns false on timeout.
     *
     * @throws RegionClosedException    this handle is closed, or the creator closed the region
     * @throws CorruptedRegionException the dead owner left the heap inconsistent
     */
    public boolean acquire(long deadlineNanos) {
        ensureOpen();
        return admit(lock.acquire(deadlineNanos));
    }

    /**
     * As {@link #acquire(long)}, for a caller that has just seen a sign that the owner is about
     * to release (a positive message count): a waiter watches the lock word briefly before it
     * queues ({@link RegionLock#acquire(long, boolean)}).
     */
    public boolean acquireWatchingFirst(long deadlineNanos) {
        ensureOpen();
        return admit(lock.acquire(deadlineNanos, true));
    }

    /** {@link #locked(Supplier)} with {@link #acquireWatchingFirst}: for taking a message. */
    public <T> T lockedWatchingFirst(Supplier<T> operation) {
        if (inScope()) {
            return operation.get();
        }
        if (!acquireWatchingFirst(Long.MAX_VALUE)) {
            throw new WaitTimeoutException("could not take the lock of region " + path);
        }
        try {
            return operation.get();
        } finally {
            lock.release();
        }
    }

    /** As {@link #acquire(long)}, waiting at most {@code timeoutNanos}; reads the clock only if it must wait. */
    public boolean acquireWithin(long timeoutNanos) {
        ensureOpen();
        return admit(lock.acquireWithin(timeoutNanos));
    }

    /** Checks a fresh acquisition: the region must still be open, and a takeover checks the heap. */
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
                allocator.verify();
            }
            return true;
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    /** True once the creator has started closing the region: consumers should finish and detach. */
    public boolean isClosing() {
        return closed || memory.getIntAcquire(STATE_OFFSET) != STATE_READY;
    }

    public void release() {
        lock.release();
    }

    /**
     * True if the calling thread holds the region lock (it is inside an {@code acquire()}
     * scope) and this handle is open: a view may then work on the region directly.
     */
    public boolean inScope() {
        if (lock.isHeldByCurrentThread()) {
            ensureOpen();
            return true;
        }
        return false;
    }

    /** Runs {@code operation} under the region lock (see the class comment). */
    public <T> T locked(Supplier<T> operation) {
        if (inScope()) {
            return operation.get();
        }
        acquireOrThrow();
        try {
            return operation.get();
        } finally {
            lock.release();
        }
    }

    /** {@link #locked(Supplier)} for an operation that returns a long, without boxing. */
    public long lockedLong(LongSupplier operation) {
        if (inScope()) {
            return operation.getAsLong();
        }
        acquireOrThrow();
        try {
            return operation.getAsLong();
        } finally {
            lock.release();
        }
    }

    /** {@link #locked(Supplier)} for an operation with no result. */
    public void lockedRun(Runnable operation) {
        if (inScope()) {
            operation.run();
            return;
        }
        acquireOrThrow();
        try {
            operation.run();
        } finally {
            lock.release();
        }
    }

    private void acquireOrThrow() {
        if (!acquireWithin(Long.MAX_VALUE)) {
            throw new WaitTimeoutException("could not take the lock of region " + path);
        }
    }
}
