package io.ipcobjects;

import static io.ipcobjects.region.RegionHeaderLayout.*;

import io.ipcobjects.alloc.HeapAllocator;
import io.ipcobjects.async.RegionPoller;
import io.ipcobjects.messages.MessageQueue;
import io.ipcobjects.names.NameDirectory;
import io.ipcobjects.region.ProcessIdentity;
import io.ipcobjects.region.ProcessTable;
import io.ipcobjects.region.ProcessTableLayout;
import io.ipcobjects.region.RegionContext;
import io.ipcobjects.region.RegionFile;
import io.ipcobjects.region.RegionMemory;
import io.ipcobjects.sync.RegionLock;
import io.ipcobjects.tensor.TensorBlocks;
import io.ipcobjects.tensor.TensorValues;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One shared-memory region, mapped into this process: the entry point of the library.
 *
 * <pre>{@code
 * // creator
 * try (SharedMemory shm = SharedMemory.create("pipeline", 256L << 20)) {
 *     shm.awaitConsumers(1, Duration.ofSeconds(30));
 *     try (Access a = shm.acquire()) { ... }
 * }
 * // consumer, in another process
 * try (SharedMemory shm = SharedMemory.attach("pipeline", Duration.ofSeconds(30))) {
 *     try (Access a = shm.acquire()) { ... }
 * }
 * }</pre>
 *
 * <p>Where things are, for a newcomer: the file and its header ({@code region.RegionFile},
 * {@code region.RegionHeaderLayout}), the process table ({@code region.ProcessTableLayout},
 * {@code region.ProcessTable}), the lock ({@code sync.RegionLock}, {@code sync.LockLayout}),
 * the heap ({@code alloc.HeapAllocator}, {@code alloc.BlockLayout}, {@code alloc.AllocatorLayout}),
 * the block type tags ({@code alloc.BlockTypes}), value slots ({@code values.SlotLayout},
 * {@code values.ValueSlots}), live containers ({@code collections.ListLayout},
 * {@code collections.HashLayout}), records and objects ({@code objects.StructLayout}, and one entry
 * per class in {@code objects.TypeRegistryLayout}), the asynchronous API's poller
 * ({@code async.RegionPoller}), the message
 * queue ({@code messages.MessageQueueLayout}), named objects ({@code names.NameDirectoryLayout})
 * and tensors ({@code tensor.TensorLayout}, the binding SPI in {@code spi.TensorBinding}).
 *
 * <p>Lifecycle: the creator formats the header, then publishes it (magic, then state READY, both
 * with release). Consumers wait for READY, check the header and take a process-table slot. On
 * {@link #close()} a consumer frees its slot; the creator marks the region CLOSING, waits up to
 * {@link SharedMemoryOptions#closeTimeout()} for consumers to detach, wipes the header and
 * removes the file. Any later use through a consumer's handle throws {@link RegionClosedException}.
 * A {@code SharedMemory} is thread-safe.
 */
public final class SharedMemory implements AutoCloseable {

    private final RegionContext context;
    private final SharedMemoryOptions options;
    /** Drives the asynchronous API; started by its first call, ended by {@link #close()}. */
    private RegionPoller poller;
    /** Set by {@link #close()}: no poller may start after it. Guarded by {@code this}. */
    private boolean asyncClosed;

    private SharedMemory(RegionContext context, SharedMemoryOptions options) {
        this.context = context;
        this.options = options;
    }

    // ---- creating and attaching ----

    /** Creates region {@code name} of {@code sizeBytes} at {@code /dev/shm/ipcobjects-<name>}. */
    public static SharedMemory create(String name, long sizeBytes) {
        return create(name, sizeBytes, SharedMemoryOptions.defaults());
    }

    public static SharedMemory create(String name, long sizeBytes, SharedMemoryOptions options) {
        return create(options.pathFor(name), sizeBytes, options);
    }

    /** Creates a region in the file at {@code path} (which must not hold a live region). */
    public static SharedMemory create(Path path, long sizeBytes, SharedMemoryOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        MemorySegment segment = RegionFile.create(path, sizeBytes, options.permissions(), options.replaceStaleRegion());
        try {
            RegionMemory memory = new RegionMemory(segment);
            ProcessIdentity self = ProcessIdentity.current();
            memory.putInt(STATE_OFFSET, STATE_INITIALIZING);
            memory.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
            memory.putInt(BYTE_ORDER_OFFSET, BYTE_ORDER_MARK);
            memory.putLong(REGION_SIZE_OFFSET, sizeBytes);
            memory.putInt(HEAP_START_FIELD_OFFSET, (int) HEAP_START);
            memory.putLong(CREATOR_PID_OFFSET, self.pid());
            memory.putLong(CREATOR_START_TICKS_OFFSET, self.startTime());
            memory.putLong(CREATED_AT_MILLIS_OFFSET, System.currentTimeMillis());
            memory.putInt(PROCESS_SLOTS_OFFSET, ProcessTableLayout.SLOT_COUNT);
            HeapAllocator.format(memory, HEAP_START);
            ProcessTable processes = new ProcessTable(memory);
            long token = processes.attach(self, ProcessTableLayout.ROLE_CREATOR);
            SharedMemory shared = open(path, memory, processes, token, true, options);
            // Publish: everything above is visible to whoever sees the magic, then READY.
            memory.putLongRelease(MAGIC_OFFSET, MAGIC);
            memory.putIntRelease(STATE_OFFSET, STATE_READY);
            return shared;
        } catch (RuntimeException e) {
            RegionFile.unlink(path);
            throw e;
        }
    }

    /**
     * Attaches to region {@code name}, waiting up to {@code timeout} for its creator to make it
     * ready.
     *
     * @throws RegionNotFoundException     no region appeared in time
     * @throws IncompatibleRegionException the file is not a region this build can use
     * @throws RegionClosedException       the region is closing
     */
    public static SharedMemory attach(String name, Duration timeout) {
        return attach(name, timeout, SharedMemoryOptions.defaults());
    }

    public static SharedMemory attach(String name, Duration timeout, SharedMemoryOptions options) {
        return attach(options.pathFor(name), timeout, options);
    }

    public static SharedMemory attach(Path path, Duration timeout, SharedMemoryOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(options, "options");
        MemorySegment segment = RegionFile.open(path, timeout);
        RegionMemory memory = new RegionMemory(segment);
        ProcessTable processes = new ProcessTable(memory);
        long token = processes.attach(ProcessIdentity.current(), ProcessTableLayout.ROLE_CONSUMER);
        try {
            if (memory.getIntAcquire(STATE_OFFSET) != STATE_READY || memory.getLongAcquire(MAGIC_OFFSET) != MAGIC) {
                throw new RegionClosedException("region " + path + " closed while attaching");
            }
            return open(path, memory, processes, token, false, options);
        } catch (RuntimeException e) {
            processes.detach(token);
            throw e;
        }
    }

    private static SharedMemory open(Path path, RegionMemory memory, ProcessTable processes, long token, boolean creator,
                                     SharedMemoryOptions options) {
        RegionLock lock = new RegionLock(memory, processes, token, options.waitStrategy().factory(),
                options.ownerCheckInterval().toNanos(), options.lockBurstLimit());
        HeapAllocator allocator = new HeapAllocator(memory);
        return new SharedMemory(new RegionContext(path, memory, processes, lock, allocator, token, creator,
                options.serialization()), options);
    }

    /** The file region {@code name} lives in with default options. */
    public static Path defaultPath(String name) {
        return SharedMemoryOptions.defaults().pathFor(name);
    }

    // ---- the lock ----

    /**
     * Takes the region lock, waiting as long as it takes (a dead owner's lock is taken over).
     * Close the returned {@link Access} to release it: {@code try (Access a = shm.acquire()) {...}}.
     */
    public Access acquire() {
        if (!context.acquireWithin(Long.MAX_VALUE)) {
            throw new WaitTimeoutException("could not take the lock of region " + context.path());
        }
        return new Access(this, context);
    }

    /** Takes the lock if it can within {@code timeout}; returns null otherwise. */
    public Access tryAcquire(Duration timeout) {
        return context.acquireWithin(timeout.toNanos()) ? new Access(this, context) : null;
    }

    /** Whether the calling thread holds this region's lock. */
    public boolean isHeldByCurrentThread() {
        return context.lock().isHeldByCurrentThread();
    }

    /** How many times, since the region was created, some process took the lock over from a dead owner. */
    public long lockTakeovers() {
        context.ensureOpen();
        return context.lock().takeovers();
    }

    // ---- processes ----

    /** Waits until at least {@code count} consumer processes are attached. */
    public void awaitConsumers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumerCount() < count) {
            if (System.nanoTime() - deadline >= 0) {
                throw new WaitTimeoutException(count + " consumers did not attach to " + context.path() + " within " + timeout
                        + " (" + consumerCount() + " attached)");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Number of live consumer processes attached now (dead ones are reclaimed on the way). */
    public int consumerCount() {
        context.ensureOpen();
        return context.processes().countLive(ProcessTableLayout.ROLE_CONSUMER);
    }

    // ---- single-operation shortcuts ----

    /** {@link Access#registeredTypes()} under the lock. */
    public List<String> registeredTypes() {
        return context.locked(() -> context.types().classNames());
    }

    /** {@link Access#stats()} under the lock. */
    public HeapStats stats() {
        return context.locked(() -> context.allocator().stats());
    }

    /** {@link Access#verify()} under the lock. */
    public HeapStats verify() {
        return context.locked(() -> context.allocator().verify());
    }

    // ---- messages and names ----

    /** {@link Access#putMessage} under the lock. */
    @SuppressWarnings("unchecked")
    public <T> T putMessage(Object value) {
        return (T) context.locked(() -> MessageQueue.put(context, value));
    }

    /** {@link Access#takeMessage()} under the lock: does not wait. */
    @SuppressWarnings("unchecked")
    public <T> T takeMessage() {
        // Usually called right after hasMessages() saw the count a producer writes as its last
        // step under the lock: watch the lock word briefly rather than queue behind that producer.
        return (T) context.lockedWatchingFirst(() -> MessageQueue.take(context));
    }

    /**
     * Takes the oldest message, waiting up to {@code timeout} for one. The lock is not held
     * while waiting: the message count is polled without it, with this region's
     * {@link SharedMemoryOptions#waitStrategy()}, and the lock is taken once a message is there.
     *
     * @throws WaitTimeoutException  no message could be taken in time
     * @throws IllegalStateException the calling thread holds the lock (inside {@code acquire()}
     *                               no other process can put the message it would wait for)
     */
    @SuppressWarnings("unchecked")
    public <T> T takeMessage(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long nanos = timeout.compareTo(Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE : timeout.toNanos();
        long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        return (T) MessageQueue.takeWaiting(context, options.waitStrategy().newIdleStrategy(), deadline, timeout.toString());
    }

    // ---- asynchronous access: one poller thread per handle (async.RegionPoller) ----

    /**
     * Runs {@code work} inside an {@code acquire()} scope on this handle's poller thread and
     * completes the future with its result (or exception). Tasks run one at a time, in the order
     * submitted; dependent actions of the future (the non-async {@code then...} methods) run on
     * the poller thread after the lock is released, unless the future was already complete.
     * The {@link Access} must not escape {@code work}: it is bound to the poller thread and
     * closed when {@code work} returns. {@code work} must not wait for another future of this
     * handle: the poller runs one thing at a time, so that future could never complete.
     *
     * <p>There is no {@code acquireAsync()} returning an {@code Access}: an {@code Access} is the
     * lock held by one thread, and a future's callbacks may run on any thread. This is its form.
     *
     * @throws RegionClosedException this handle is closed (and in the future, if it is closed
     *                               before the work ran)
     */
    public <T> CompletableFuture<T> withAccess(Function<? super Access, ? extends T> work) {
        return poller().withAccess(work);
    }

    /**
     * A future for the next message: completed with the oldest message when one is queued (as
     * {@link #takeMessage()} would return it), in the order the futures were made. The poller
     * waits without the lock, with this handle's {@link SharedMemoryOptions#waitStrategy()}.
     * Cancelling a future before its message is taken leaves the message queued.
     *
     * @throws RegionClosedException this handle is closed (and in the future, if this handle or
     *                               the region is closed before a message came)
     */
    public <T> CompletableFuture<T> nextMessage() {
        return poller().nextMessage();
    }

    private synchronized RegionPoller poller() {
        context.ensureOpen();
        if (asyncClosed) {
            throw new RegionClosedException("region " + context.path() + " is being closed by this handle");
        }
        if (poller == null) {
            poller = new RegionPoller(this);
        }
        return poller;
    }

    /** {@link Access#readMessage()} under the lock. */
    @SuppressWarnings("unchecked")
    public <T> T readMessage() {
        return (T) context.locked(() -> MessageQueue.peek(context));
    }

    /** Whether a message is queued: one acquire read of a header word, without the lock. */
    public boolean hasMessages() {
        return MessageQueue.hasMessages(context);
    }

    /**
     * Takes the lock only if a message is queued: returns an {@link Access} holding the lock
     * with at least one message in the queue, or null (without waiting for one). Checks the
     * count without the lock first, so an idle poller does not contend for the lock.
     */
    public Access acquireIfHasMessages() {
        if (!MessageQueue.hasMessages(context)) {
            return null;
        }
        Access access = acquire();
        try {
            if (MessageQueue.count(context) > 0) {
                return access;
            }
        } catch (RuntimeException e) {
            access.close();
            throw e;
        }
        access.close();
        return null;
    }

    /** {@link Access#put(String, Object)} under the lock. */
    @SuppressWarnings("unchecked")
    public <T> T put(String name, Object value) {
        return (T) context.locked(() -> NameDirectory.put(context, name, value));
    }

    /** {@link Access#get(String)} under the lock. */
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
        return (T) context.locked(() -> NameDirectory.get(context, name));
    }

    /** {@link Access#contains(String)} under the lock. */
    public boolean contains(String name) {
        return context.locked(() -> NameDirectory.contains(context, name));
    }

    /** {@link Access#remove(String)} under the lock. */
    public boolean remove(String name) {
        return context.locked(() -> NameDirectory.remove(context, name));
    }

    /** {@link Access#names()} under the lock. */
    public Set<String> names() {
        return context.locked(() -> NameDirectory.names(context));
    }

    // ---- values ----

    /** {@link Access#share} under the lock. */
    public <V> V share(Object container) {
        return context.locked(() -> ValueViews.share(context, container));
    }

    /** {@link Access#destroy} under the lock. */
    public void destroy(Object view) {
        context.lockedRun(() -> ValueViews.destroy(context, view));
    }
    // ---- tensors ----

    /**
     * A new zero-filled tensor, like {@link Access#newTensor(DType, long...)}; the lock is held
     * only for the allocation, the zeroing runs after it.
     */
    public SharedTensor newTensor(DType dtype, long... shape) {
        return newTensor(SharedTensor.Init.ZEROED, dtype, shape);
    }

    /** {@link Access#newTensor(SharedTensor.Init, DType, long...)}, the lock held only for the allocation. */
    public SharedTensor newTensor(SharedTensor.Init init, DType dtype, long... shape) {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(dtype, "dtype");
        return TensorBlocks.initialise(TensorBlocks.allocate(context, dtype, shape, 0), init);
    }

    /** {@link Access#copyToTensor(Object)} under the lock. */
    public SharedTensor copyToTensor(Object value) {
        return TensorValues.copyToTensor(context, value);
    }

    /** {@link Access#tensorAt(long)} under the lock. */
    public SharedTensor tensorAt(long blockOffset) {
        return TensorBlocks.read(context, blockOffset);
    }

    // ---- facts ----

    public Path path() {
        return context.path();
    }

    public long size() {
        return context.memory().size();
    }

    public boolean isCreator() {
        return context.isCreator();
    }

    public boolean isClosed() {
        return context.isClosed();
    }

    /**
     * True once the creator has begun closing the region (or this handle is closed): a consumer
     * that sees it should finish what it is doing and {@link #close()}. Reads one word, no lock.
     */
    public boolean isClosing() {
        return context.isClosing();
    }

    public SharedMemoryOptions options() {
        return options;
    }

    /** Internal: the region's parts, for the library's own packages and bindings. */
    public RegionContext context() {
        return context;
    }

    // ---- closing ----

    /**
     * Detaches (a consumer) or closes the region for everyone (the creator: see the class
     * comment). Idempotent. Views of this region throw {@link RegionClosedException} afterwards.
     */
    @Override
    public void close() {
        if (context.isClosed()) {
            return;
        }
        RegionPoller started;
        synchronized (this) {
            started = poller;
            asyncClosed = true;
        }
        if (started != null) {
            started.stop(options.closeTimeout().toNanos()); // lets the task in hand finish, fails the rest
        }
        RegionMemory memory = context.memory();
        if (context.isCreator()) {
            closeAsCreator(memory);
        } else {
            context.lock().forceReleaseShared();
            context.markClosed();
            if (memory.getLongAcquire(MAGIC_OFFSET) == MAGIC) {
                context.processes().detach(context.token());
            }
        }
    }

    private void closeAsCreator(RegionMemory memory) {
        long deadline = System.nanoTime() + options.closeTimeout().toNanos();
        boolean locked = context.lock().isHeldByCurrentThread() || context.acquire(deadline);
        try {
            memory.putIntRelease(STATE_OFFSET, STATE_CLOSING);
        } finally {
            if (locked) {
                context.lock().forceReleaseShared();
            }
        }
        while (context.processes().countLive(ProcessTableLayout.ROLE_CONSUMER) > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        context.markClosed();
        // Wipe: the magic goes first, so nobody mistakes a half-wiped header for a region.
        memory.putLongRelease(MAGIC_OFFSET, 0);
        memory.fill(0, HEADER_PAGE_BYTES, (byte) 0);
        RegionFile.unlink(context.path());
    }

    @Override
    public String toString() {
        return "SharedMemory[" + context.path() + ", " + size() + " bytes, " + (isCreator() ? "creator" : "consumer")
                + (isClosed() ? ", closed" : "") + "]";
    }
}
