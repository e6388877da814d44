package io.ipcobjects;

import io.ipcobjects.internal.inspect.RegionInspection;
import io.ipcobjects.internal.messages.MessageQueue;
import io.ipcobjects.internal.session.Handle;
import io.ipcobjects.internal.session.RegionPoller;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * <p>Where things are, for a newcomer (all under {@code io.ipcobjects.internal}, layered bottom
 * up): the file and its header ({@code memory.RegionFile}, {@code memory.RegionHeaderLayout}),
 * the file locks that tell live processes from dead ones ({@code memory.FileLockLayout}), the
 * process table ({@code memory.ProcessTableLayout}, {@code memory.ProcessTable}); the lock
 * ({@code lock.RegionLock}, {@code lock.LockLayout}) and the one class that decides who holds it
 * ({@code lock.LockScope}); the heap ({@code alloc.HeapAllocator}, {@code alloc.BlockLayout},
 * {@code alloc.AllocatorLayout}) and its block type tags ({@code alloc.BlockTypes}); the value
 * codec ({@code codec.ValueSlots}, {@code codec.SlotLayout}, the kind numbers in
 * {@code codec.SlotKinds} and the table families register into, {@code codec.ValueKinds}); live
 * containers ({@code containers.ListLayout}, {@code containers.HashLayout}); records and objects
 * ({@code structs.StructLayout}, one entry per class in {@code structs.TypeRegistryLayout});
 * tensors ({@code tensor.TensorLayout}, the binding SPI in {@link io.ipcobjects.spi.TensorBinding});
 * the message queue ({@code messages.MessageQueueLayout}); named objects
 * ({@code names.NameDirectoryLayout}); and this handle's parts, lifecycle and asynchronous
 * poller ({@code session.Handle}, {@code session.RegionPoller}).
 *
 * <p>Lifecycle: the creator formats the header, then publishes it (magic, then state READY, both
 * with release). Consumers wait for READY, check the header and take a process-table slot. On
 * {@link #close()} a consumer frees its slot; the creator marks the region CLOSING, waits up to
 * {@link SharedMemoryOptions#closeTimeout()} for consumers to detach, wipes the header and
 * removes the file. Any later use through a consumer's handle throws {@link RegionClosedException}.
 * A {@code SharedMemory} is thread-safe.
 *
 * <p>Every operation here is a shortcut for the same operation on {@link Access}: it takes the
 * lock for that one call (or joins the calling thread's open scope) and releases it.
 */
public final class SharedMemory implements AutoCloseable {

    private final Handle handle;
    /** How the poller runs {@code withAccess} work: in an {@link Access} scope of its own thread. */
    private final RegionPoller.ScopeRunner inScope = body -> {
        try (Access access = acquire()) {
            return body.apply(access);
        }
    };

    private SharedMemory(Handle handle) {
        this.handle = handle;
    }

    // ---- creating and attaching ----

    /**
     * Creates region {@code name} of {@code sizeBytes} at {@code /dev/shm/ipcobjects-<name>}.
     *
     * @param name      the region's name (a file name part)
     * @param sizeBytes the region's size in bytes, header included
     * @return the creator's handle
     * @throws RegionExistsException    a live region already has that name
     * @throws RegionDoesNotFitException the directory's file system has no room for {@code sizeBytes}
     * @throws IllegalArgumentException {@code name} is not a usable file name, or {@code sizeBytes}
     *                                  is too small for the header and a minimal heap
     * @throws IpcObjectsException      the file could not be created, sized or mapped
     */
    public static SharedMemory create(String name, long sizeBytes) {
        return create(name, sizeBytes, SharedMemoryOptions.defaults());
    }

    /**
     * Creates region {@code name} in {@link SharedMemoryOptions#directory()}.
     *
     * @param name      the region's name (a file name part)
     * @param sizeBytes the region's size in bytes, header included
     * @param options   permissions, waiting, timeouts
     * @return the creator's handle
     * @throws RegionExistsException    a live region already has that name
     * @throws RegionDoesNotFitException the directory's file system has no room for {@code sizeBytes}
     * @throws IllegalArgumentException {@code name} is not a usable file name, or {@code sizeBytes}
     *                                  is too small for the header and a minimal heap
     * @throws IpcObjectsException      the file could not be created, sized or mapped
     */
    public static SharedMemory create(String name, long sizeBytes, SharedMemoryOptions options) {
        return create(options.pathFor(name), sizeBytes, options);
    }

    /**
     * Creates a region in the file at {@code path} (which must not hold a live region).
     *
     * @param path      the region file
     * @param sizeBytes the region's size in bytes, header included
     * @param options   permissions, waiting, timeouts
     * @return the creator's handle
     * @throws RegionExistsException    a live region is already at {@code path}
     * @throws RegionDoesNotFitException the directory's file system has no room for {@code sizeBytes}
     * @throws IllegalArgumentException {@code sizeBytes} is too small for the header and a minimal heap
     * @throws IpcObjectsException      the file could not be created, sized or mapped
     */
    public static SharedMemory create(Path path, long sizeBytes, SharedMemoryOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        return new SharedMemory(Handle.create(path, sizeBytes, options));
    }

    /**
     * Attaches to region {@code name}, waiting up to {@code timeout} for its creator to make it
     * ready.
     *
     * @param name    the region's name
     * @param timeout how long to wait for the region to appear and be ready
     * @return a consumer's handle
     * @throws RegionNotFoundException     no region appeared in time
     * @throws IncompatibleRegionException the file is not a region this build can use, not a
     *                                     regular file, or not trusted (another owner, a mode wider
     *                                     than {@link SharedMemoryOptions#permissions()})
     * @throws RegionClosedException       the region is closing
     */
    public static SharedMemory attach(String name, Duration timeout) {
        return attach(name, timeout, SharedMemoryOptions.defaults());
    }

    /**
     * As {@link #attach(String, Duration)}, in {@link SharedMemoryOptions#directory()}.
     *
     * @param name    the region's name
     * @param timeout how long to wait for the region to appear and be ready
     * @param options waiting and timeouts
     * @return a consumer's handle
     */
    public static SharedMemory attach(String name, Duration timeout, SharedMemoryOptions options) {
        return attach(options.pathFor(name), timeout, options);
    }

    /**
     * As {@link #attach(String, Duration)}, for the region file at {@code path}.
     *
     * @param path    the region file
     * @param timeout how long to wait for the region to appear and be ready
     * @param options waiting and timeouts
     * @return a consumer's handle
     */
    public static SharedMemory attach(Path path, Duration timeout, SharedMemoryOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(options, "options");
        return new SharedMemory(Handle.attach(path, timeout, options));
    }

    /**
     * The file region {@code name} lives in with default options.
     *
     * @param name the region's name
     * @return {@code /dev/shm/ipcobjects-<name>}
     */
    public static Path defaultPath(String name) {
        return SharedMemoryOptions.defaults().pathFor(name);
    }

    // ---- read-only inspection, from outside ----

    /**
     * Reads what the region at {@code path} holds, without attaching to it: the header (state,
     * damage, size, creator), the process table with each process's liveness as the kernel
     * says it, the lock's owner and queued successor, the heap's use, the message queue's depth,
     * the named objects (tensors with dtype and shape) and the registered types.
     *
     * <p>It maps the file read-only and takes no process-table slot, no lock (not even the
     * file's presence lock) and writes nothing, so it can look at a region whose lock a hung
     * process holds, and it is not counted as a consumer. Liveness is tested with
     * {@code F_OFD_GETLK}, which does not disturb the lock it tests. It reads while others may
     * write: every part is validated and every walk bounded, and what was inconsistent or
     * changing while it read is listed in {@link RegionReport#notes()}. No class named by the
     * region is loaded and no value is built.
     *
     * @param path the region file (any path; region files are not followed through links)
     * @return an immutable report
     * @throws RegionNotFoundException     there is no file at {@code path}
     * @throws IncompatibleRegionException the file is not a region this build reads (the message
     *                                     says why: no magic, another layout version or byte
     *                                     order, a truncated file, not a regular file)
     * @throws CorruptedRegionException    a read faulted because the file shrank under the mapping
     * @throws IpcObjectsException         the file cannot be opened (permissions) or this is not
     *                                     Linux on x86-64 or aarch64
     */
    public static RegionReport inspect(Path path) {
        Objects.requireNonNull(path, "path");
        return RegionInspection.inspect(path);
    }

    /**
     * {@link #verify()} over a read-only mapping of the region at {@code path}, without
     * attaching and without the lock (see {@link #inspect(Path)} for what that takes and
     * leaves). A region nobody changes meanwhile (its processes idle, or one of them holding the
     * lock) is checked exactly as {@code verify()} checks it. If a process changes the region
     * while this reads, the walk can see a state that never existed whole and report it: a
     * problem found here means "inconsistent, or changing"; {@code verify()} under the lock
     * tells which.
     *
     * @param path the region file
     * @return the heap's counters, checked by a walk of the heap
     * @throws CorruptedRegionException    listing the problems found, or that the region changed while read
     * @throws RegionNotFoundException     there is no file at {@code path}
     * @throws IncompatibleRegionException the file is not a region this build reads
     */
    public static HeapStats verifyReadOnly(Path path) {
        Objects.requireNonNull(path, "path");
        return RegionInspection.verify(path);
    }

    /**
     * The region files directly in {@code directory}, sorted by name: regular files that start
     * with the region magic. Nothing is attached, mapped or locked; a file that cannot be read
     * is left out.
     *
     * @param directory where to look, usually {@code /dev/shm}
     * @return the paths of the region files
     * @throws IllegalArgumentException        {@code directory} is not a directory
     * @throws java.io.UncheckedIOException    it cannot be listed
     */
    public static List<Path> findRegions(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return RegionInspection.findRegions(directory);
    }

    // ---- the lock ----

    /**
     * Takes the region lock, waiting as long as it takes (a dead owner's lock is taken over).
     * Close the returned {@link Access} to release it: {@code try (Access a = shm.acquire()) {...}}.
     *
     * @return the open scope; close it on this thread
     * @throws RegionClosedException this handle or the region is closed
     */
    public Access acquire() {
        if (!handle.scope().enterWithin(Long.MAX_VALUE)) {
            throw new WaitTimeoutException("could not take the lock of region " + handle.path());
        }
        return new Access(this, handle);
    }

    /**
     * Takes the lock if it can within {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the open scope, or null if the lock was not free in time
     */
    public Access tryAcquire(Duration timeout) {
        return handle.scope().enterWithin(timeout.toNanos()) ? new Access(this, handle) : null;
    }

    /**
     * Takes the lock only if a message is queued: returns an {@link Access} holding the lock
     * with at least one message in the queue, or null (without waiting for one). Checks the
     * count without the lock first, so an idle poller does not contend for the lock.
     *
     * @return the open scope with a message queued, or null
     */
    public Access acquireIfHasMessages() {
        if (!hasMessages()) {
            return null;
        }
        Access access = acquire();
        try {
            if (access.hasMessages()) {
                return access;
            }
        } catch (RuntimeException e) {
            access.close();
            throw e;
        }
        access.close();
        return null;
    }

    /**
     * Whether the calling thread holds this region's lock.
     *
     * @return true inside an {@code acquire()} scope of this handle
     */
    public boolean isHeldByCurrentThread() {
        return handle.scope().isHeldByCurrentThread();
    }

    /**
     * How many times, since the region was created, some process took the lock over from a dead
     * owner.
     *
     * @return the region's takeover count
     */
    public long lockTakeovers() {
        handle.scope().ensureOpen();
        return handle.scope().takeovers();
    }

    /**
     * What this handle's process has done in the region so far: lock acquisitions and waits,
     * messages, heap bytes, and the shared objects it took and has not freed. The counts are read
     * without the lock (each exact, the set a moment's view); the held objects are then counted
     * from the block headers under the lock, an acquisition the next call's counts include.
     *
     * @return this attachment's counts
     */
    public ProcessStats processStats() {
        handle.scope().ensureOpen();
        long[] c = handle.processCounts();
        long[] held = handle.heldObjects();
        return new ProcessStats(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], held[0], held[1]);
    }

    /** Runs {@code operation} in a scope of its own, or in the calling thread's open scope. */
    private <T> T withLock(Function<? super Access, ? extends T> operation) {
        try (Access access = acquire()) {
            return operation.apply(access);
        }
    }

    // ---- processes ----

    /**
     * Waits until at least {@code count} consumer processes are attached.
     *
     * @param count   how many consumers to wait for
     * @param timeout how long to wait
     * @throws WaitTimeoutException fewer attached in time
     */
    public void awaitConsumers(int count, Duration timeout) {
        handle.awaitConsumers(count, timeout);
    }

    /**
     * Number of live consumer processes attached now (dead ones are reclaimed on the way).
     *
     * @return the live consumers
     */
    public int consumerCount() {
        return handle.consumerCount();
    }

    // ---- single-operation shortcuts (see Access for each) ----

    /**
     * {@link Access#registeredTypes()} under the lock.
     *
     * @return the registered class names, oldest first
     */
    public List<String> registeredTypes() {
        return withLock(Access::registeredTypes);
    }

    /**
     * {@link Access#stats()} under the lock.
     *
     * @return the allocator's counters
     */
    public HeapStats stats() {
        return withLock(Access::stats);
    }

    /**
     * {@link Access#verify()} under the lock: the whole region, heap and object graph.
     *
     * @return the allocator's counters, checked by a walk of the heap
     * @throws CorruptedRegionException listing the problems found
     */
    public HeapStats verify() {
        return withLock(Access::verify);
    }

    // ---- messages and names ----

    /**
     * {@link Access#putMessage} under the lock.
     *
     * @param value the value to store and queue
     * @param <T>   the type of the view handed back
     * @return what a taker will see
     */
    public <T> T putMessage(Object value) {
        return withLock(a -> a.putMessage(value));
    }

    /**
     * {@link Access#takeMessage()} under the lock: does not wait.
     *
     * @param <T> the expected type (unchecked: see {@link #takeMessage(Class)})
     * @return the oldest message's value
     * @throws NoMessagesException if no message is queued
     */
    @SuppressWarnings("unchecked")
    public <T> T takeMessage() {
        return (T) takeMessage(Object.class);
    }

    /**
     * {@link Access#takeMessage(Class)} under the lock: does not wait.
     *
     * @param type the class the caller expects
     * @param <T>  the expected type
     * @return the oldest message's value
     * @throws UnexpectedTypeException the oldest message holds another type; it stays queued
     * @throws NoMessagesException     if no message is queued
     */
    public <T> T takeMessage(Class<T> type) {
        // Usually called right after hasMessages() saw the count a producer writes as its last
        // step under the lock: watch the lock word briefly rather than queue behind that producer.
        return handle.scope().callWatchingFirst(() -> type.cast(MessageQueue.take(handle.context(), type)));
    }

    /**
     * Takes the oldest message, waiting up to {@code timeout} for one. The lock is not held
     * while waiting: the message count is polled without it, with this region's
     * {@link SharedMemoryOptions#waitStrategy()}, and the lock is taken once a message is there.
     *
     * @param timeout how long to wait; at most about a century counts as forever
     * @param <T>     the expected type (unchecked)
     * @return the oldest message's value
     * @throws WaitTimeoutException  no message could be taken in time
     * @throws IllegalStateException the calling thread holds the lock (inside {@code acquire()}
     *                               no other process can put the message it would wait for)
     */
    @SuppressWarnings("unchecked")
    public <T> T takeMessage(Duration timeout) {
        return (T) takeMessage(timeout, Object.class);
    }

    /**
     * {@link #takeMessage(Duration)}, checked as {@link #takeMessage(Class)} is.
     *
     * @param timeout how long to wait
     * @param type    the class the caller expects
     * @param <T>     the expected type
     * @return the oldest message's value
     * @throws UnexpectedTypeException the oldest message holds another type; it stays queued
     * @throws WaitTimeoutException    no message could be taken in time
     */
    public <T> T takeMessage(Duration timeout, Class<T> type) {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(type, "type");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        long nanos = timeout.compareTo(Duration.ofDays(36_500)) > 0 ? Long.MAX_VALUE : timeout.toNanos();
        long deadline = nanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + nanos;
        return handle.scope().callWhen(this::hasMessages, () -> MessageQueue.count(handle.context()) > 0,
                () -> type.cast(MessageQueue.take(handle.context(), type)), deadline, "message within " + timeout);
    }

    /**
     * {@link Access#readMessage()} under the lock.
     *
     * @param <T> the expected type (unchecked)
     * @return the oldest message's value, left queued
     * @throws NoMessagesException if no message is queued
     */
    public <T> T readMessage() {
        return withLock(Access::readMessage);
    }

    /**
     * Whether a message is queued: one acquire read of a header word, without the lock.
     *
     * @return true if at least one message is queued
     */
    public boolean hasMessages() {
        return MessageQueue.hasMessages(handle.context());
    }

    /**
     * {@link Access#put(String, Object)} under the lock.
     *
     * @param name  the name
     * @param value the value to store under it
     * @param <T>   the type of the view handed back
     * @return the stored value's view
     */
    public <T> T put(String name, Object value) {
        return withLock(a -> a.put(name, value));
    }

    /**
     * {@link Access#get(String)} under the lock.
     *
     * @param name the name
     * @param <T>  the expected type (unchecked: see {@link #get(String, Class)})
     * @return the value under {@code name}, or null
     */
    public <T> T get(String name) {
        return withLock(a -> a.get(name));
    }

    /**
     * {@link Access#get(String, Class)} under the lock.
     *
     * @param name the name
     * @param type the class the caller expects
     * @param <T>  the expected type
     * @return the value under {@code name}, or null
     * @throws UnexpectedTypeException the name holds another type
     */
    public <T> T get(String name, Class<T> type) {
        return withLock(a -> a.get(name, type));
    }

    /**
     * {@link Access#contains(String)} under the lock.
     *
     * @param name the name
     * @return whether {@code name} holds a value
     */
    public boolean contains(String name) {
        return withLock(a -> a.contains(name));
    }

    /**
     * {@link Access#remove(String)} under the lock.
     *
     * @param name the name
     * @return whether the name existed
     */
    public boolean remove(String name) {
        return withLock(a -> a.remove(name));
    }

    /**
     * {@link Access#names()} under the lock.
     *
     * @return a copy of the names stored now
     */
    public Set<String> names() {
        return withLock(Access::names);
    }

    // ---- channels and tensor rings ----

    /**
     * The channel named {@code name}, created with room for {@code capacity} messages if the
     * region has none of that name; messages whose encoding fits 112 bytes take the lock-free
     * path. See {@link Channel} for the contract.
     *
     * @param name     the channel's name (names are shared with {@link #put(String, Object)})
     * @param type     the element type; {@code Object.class} takes any storable value
     * @param capacity most messages that wait at once, from 1 to 1 048 576
     * @param <T>      the element type
     * @return the channel
     * @throws UnexpectedTypeException the name holds something else, or a channel of another
     *                                 element type or capacity
     */
    public <T> Channel<T> channel(String name, Class<T> type, int capacity) {
        return channel(name, type, capacity, Channel.DEFAULT_INLINE_BYTES);
    }

    /**
     * {@link #channel(String, Class, int)} with the largest encoding that goes through the ring
     * without the lock chosen: {@code inlineBytes} is rounded up so a ring entry fills whole
     * cache lines.
     *
     * @param name        the channel's name
     * @param type        the element type
     * @param capacity    most messages that wait at once, from 1 to 1 048 576
     * @param inlineBytes largest encoding copied into the ring, from 8 to 65 536
     * @param <T>         the element type
     * @return the channel
     */
    public <T> Channel<T> channel(String name, Class<T> type, int capacity, int inlineBytes) {
        return handle.channels().channel(name, type, capacity, inlineBytes, true);
    }

    /**
     * {@link #channel(String, Class, int, int)} for {@code producers}: a channel created for
     * {@link Channel.Producers#ONE one producer} lets one thread of one handle put at a time, and
     * its puts make no atomic instruction (see {@link Channel.Producers}).
     *
     * @param name        the channel's name
     * @param type        the element type
     * @param capacity    most messages that wait at once, from 1 to 1 048 576
     * @param inlineBytes largest encoding copied into the ring, from 8 to 65 536
     * @param producers   who may put; an existing channel must have been created for the same
     * @param <T>         the element type
     * @return the channel
     * @throws IllegalArgumentException the channel exists with another capacity, fewer inline
     *                                  bytes or other producers
     */
    public <T> Channel<T> channel(String name, Class<T> type, int capacity, int inlineBytes, Channel.Producers producers) {
        return handle.channels().channel(name, type, capacity, inlineBytes, producers, true);
    }

    /**
     * The existing channel named {@code name}.
     *
     * @param name the channel's name
     * @param type the element type it was created with (or a supertype of it)
     * @param <T>  the element type
     * @return the channel
     * @throws java.util.NoSuchElementException no channel has that name
     * @throws UnexpectedTypeException          the name holds something else
     */
    public <T> Channel<T> channel(String name, Class<T> type) {
        return handle.channels().channel(name, type, 0, 0, false);
    }

    /**
     * The region's default channel: the queue of {@link #putMessage} and {@link #takeMessage},
     * as a {@link Channel} of any value. It is unbounded (its capacity is
     * {@code Integer.MAX_VALUE}) and every operation takes the region lock.
     *
     * @return the default channel
     */
    public Channel<Object> messages() {
        return handle.channels().defaultChannel();
    }

    /**
     * The tensor ring named {@code name}, created with {@code slots} slots of one tensor of
     * {@code dtype} and {@code shape} if the region has none of that name.
     *
     * @param name  the ring's name
     * @param slots how many slots, from 1 to 4096
     * @param dtype the element type of each slot's tensor
     * @param shape the shape of each slot's tensor
     * @return the ring
     * @throws UnexpectedTypeException the name holds something else, or a ring of other specs
     */
    public TensorRing tensorRing(String name, int slots, DType dtype, long... shape) {
        return tensorRing(name, slots, List.of(new TensorSpec(dtype, shape)));
    }

    /**
     * The tensor ring named {@code name}, created with {@code slots} slots of one tensor per
     * spec (a batch's features and labels, say) if the region has none of that name.
     *
     * @param name  the ring's name
     * @param slots how many slots, from 1 to 4096
     * @param specs what each slot holds, 1 to 16 tensors
     * @return the ring
     * @throws UnexpectedTypeException the name holds something else, or a ring of other specs
     */
    public TensorRing tensorRing(String name, int slots, List<TensorSpec> specs) {
        return handle.channels().tensorRing(name, slots, List.copyOf(specs), true);
    }

    /**
     * The existing tensor ring named {@code name}.
     *
     * @param name the ring's name
     * @return the ring
     * @throws java.util.NoSuchElementException no tensor ring has that name
     */
    public TensorRing tensorRing(String name) {
        return handle.channels().tensorRing(name, 0, List.of(), false);
    }

    // ---- values ----

    /**
     * {@link Access#share} under the lock.
     *
     * @param container a {@code List}, {@code Set}, {@code Map} or snapshot
     * @param <V>       the view type
     * @return the live view
     */
    public <V> V share(Object container) {
        return withLock(a -> a.share(container));
    }

    /**
     * {@link Access#newObject} under the lock.
     *
     * @param type a public interface or abstract class of accessors
     * @param <T>  the type
     * @return a view of the new live shared object
     */
    public <T> T newObject(Class<T> type) {
        return withLock(a -> a.newObject(type));
    }

    /**
     * {@link Access#destroy} under the lock.
     *
     * @param view a view of a shared object of this region
     */
    public void destroy(Object view) {
        withLock(a -> {
            a.destroy(view);
            return null;
        });
    }

    // ---- tensors ----

    /**
     * A new zero-filled tensor, like {@link Access#newTensor(DType, long...)}; the lock is held
     * only for the allocation, the zeroing runs after it.
     *
     * @param dtype the element type
     * @param shape the dimensions
     * @return the new tensor
     */
    public SharedTensor newTensor(DType dtype, long... shape) {
        return newTensor(SharedTensor.Init.ZEROED, dtype, shape);
    }

    /**
     * {@link Access#newTensor(SharedTensor.Init, DType, long...)}, the lock held only for the
     * allocation: nobody else knows the block while its elements are initialised.
     *
     * @param init  what the elements hold, and whether pages are touched up front
     * @param dtype the element type
     * @param shape the dimensions
     * @return the new tensor
     */
    public SharedTensor newTensor(SharedTensor.Init init, DType dtype, long... shape) {
        Objects.requireNonNull(init, "init");
        SharedTensor tensor = withLock(a -> a.newTensor(SharedTensor.Init.UNINITIALIZED, dtype, shape));
        switch (init) {
            case ZEROED -> tensor.segment().fill((byte) 0);
            case PREFAULTED -> tensor.prefault();
            case UNINITIALIZED -> { }
        }
        return tensor;
    }

    /**
     * {@link Access#copyToTensor(Object)} under the lock.
     *
     * @param value a numeric primitive array, a tensor, or a binding's array
     * @return the tensor in this region
     */
    public SharedTensor copyToTensor(Object value) {
        return withLock(a -> a.copyToTensor(value));
    }

    /**
     * {@link Access#tensorAt(long)} under the lock.
     *
     * @param blockOffset a tensor's {@link SharedTensor#blockOffset()}
     * @return a view of that tensor
     */
    public SharedTensor tensorAt(long blockOffset) {
        return withLock(a -> a.tensorAt(blockOffset));
    }

    // ---- asynchronous access: one poller thread per handle ----

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
     * @param work what to do under the lock
     * @param <T>  the result type
     * @return the future of {@code work}'s result
     * @throws RegionClosedException this handle is closed (and in the future, if it is closed
     *                               before the work ran)
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> withAccess(Function<? super Access, ? extends T> work) {
        Objects.requireNonNull(work, "work");
        return handle.poller(inScope).withAccess((Function<Object, ? extends T>) (Function<?, ?>) work);
    }

    /**
     * A future for the next message: completed with the oldest message when one is queued (as
     * {@link #takeMessage()} would return it), in the order the futures were made. The poller
     * waits without the lock, with this handle's {@link SharedMemoryOptions#waitStrategy()}.
     * Cancelling a future before its message is taken leaves the message queued.
     *
     * @param <T> the expected type (unchecked)
     * @return the future of the next message
     * @throws RegionClosedException this handle is closed (and in the future, if this handle or
     *                               the region is closed before a message came)
     */
    public <T> CompletableFuture<T> nextMessage() {
        return handle.poller(inScope).nextMessage();
    }

    // ---- facts ----

    /**
     * The region file.
     *
     * @return its path
     */
    public Path path() {
        return handle.path();
    }

    /**
     * The region's size.
     *
     * @return its size in bytes, header included
     */
    public long size() {
        return handle.size();
    }

    /**
     * Whether this handle created the region.
     *
     * @return true for the creator's handle
     */
    public boolean isCreator() {
        return handle.isCreator();
    }

    /**
     * Whether this handle is closed.
     *
     * @return true after {@link #close()}
     */
    public boolean isClosed() {
        return handle.scope().isClosed();
    }

    /**
     * True once the creator has begun closing the region (or this handle is closed): a consumer
     * that sees it should finish what it is doing and {@link #close()}. Reads one word, no lock.
     *
     * @return whether the region is closing
     */
    public boolean isClosing() {
        return handle.scope().isClosing();
    }

    /**
     * The options this handle was opened with.
     *
     * @return the options
     */
    public SharedMemoryOptions options() {
        return handle.options();
    }

    /** For the library's own tests (a bridge in this package's test code), never a public accessor. */
    Handle handle() {
        return handle;
    }

    // ---- closing ----

    /**
     * Detaches (a consumer) or closes the region for everyone (the creator: see the class
     * comment). Idempotent. Views of this region throw {@link RegionClosedException} afterwards.
     */
    @Override
    public void close() {
        handle.close();
    }

    @Override
    public String toString() {
        return "SharedMemory[" + path() + ", " + size() + " bytes, " + (isCreator() ? "creator" : "consumer")
                + (isClosed() ? ", closed" : "") + "]";
    }
}
