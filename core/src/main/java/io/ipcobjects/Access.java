package io.ipcobjects;

import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.messages.MessageQueue;
import io.ipcobjects.internal.names.NameDirectory;
import io.ipcobjects.internal.session.Handle;
import io.ipcobjects.internal.session.ValueViews;
import io.ipcobjects.internal.structs.SharedObjects;
import io.ipcobjects.internal.tensor.TensorBlocks;
import io.ipcobjects.internal.tensor.TensorValues;
import io.ipcobjects.internal.tensor.TensorView;
import io.ipcobjects.internal.verify.RegionVerifier;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Set;

/**
 * One critical section on a region: the lock is held from {@link SharedMemory#acquire()} until
 * {@link #close()}. The Java form of the original's "acquire, work fast, release":
 *
 * <pre>{@code
 * try (Access a = shm.acquire()) {
 *     long counter = a.userRoot();
 *     MemorySegment c = a.block(counter);
 *     c.set(ValueLayout.JAVA_LONG, 0, c.get(ValueLayout.JAVA_LONG, 0) + 1);
 * }
 * }</pre>
 *
 * An {@code Access} belongs to the thread that acquired it; nested {@code acquire()} calls on
 * that thread are reentrant and each returns its own {@code Access} to close.
 *
 * <p>If the process (or the thread) dies before the outermost {@code close()}, the next process
 * to take the lock undoes what this scope changed through the methods of this class and of the
 * live views, before anyone reads: a short scope is all or nothing. A scope that writes more
 * than 1/8 of the region's undo log, or allocates or frees more than 4 to 8 blocks, commits at the
 * start of its next operation, so a crash then keeps what it did up to its last such commit.
 * Raw writes to a {@link #block} and tensor element data are not undone.
 */
public final class Access implements AutoCloseable {

    private final SharedMemory shared;
    private final Handle handle;
    private final RegionContext context;
    private final Thread owner;
    private boolean closed;

    /** Made by {@link SharedMemory} once the calling thread has entered the handle's lock scope. */
    Access(SharedMemory shared, Handle handle) {
        this.shared = shared;
        this.handle = handle;
        this.context = handle.context();
        this.owner = Thread.currentThread();
    }

    /**
     * The region this access works on.
     *
     * @return the handle this access was acquired from
     */
    public SharedMemory sharedMemory() {
        return shared;
    }

    // ---- raw heap blocks ----

    /**
     * Allocates {@code bytes} of raw shared memory (16-byte aligned, contents unspecified) and
     * returns its region offset: the value to store elsewhere in the region to find it again.
     * The block lives until {@link #free(long)}, in every process.
     *
     * @param bytes the usable size wanted, in bytes (0 or more)
     * @return the region offset of the block's memory; {@link #block(long)} turns it into a segment
     * @throws IllegalArgumentException   if {@code bytes} is negative
     * @throws OutOfSharedMemoryException if no free block is large enough; nothing changes
     */
    public long allocate(long bytes) {
        check();
        try {
            return context.allocator().allocate(bytes, BlockTypes.RAW);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * As {@link #allocate(long)}, with the block's start aligned to {@code alignment} (a power of two).
     *
     * @param bytes     the usable size wanted, in bytes (0 or more)
     * @param alignment the alignment of the block's start in bytes: a power of two; 16 or less
     *                  gives the usual 16-byte alignment
     * @return the region offset of the block's memory, a multiple of {@code alignment}
     * @throws IllegalArgumentException   if {@code bytes} is negative or {@code alignment} is over
     *                                    16 and not a power of two
     * @throws OutOfSharedMemoryException if no free block is large enough; nothing changes
     */
    public long allocateAligned(long bytes, long alignment) {
        check();
        try {
            return context.allocator().allocateAligned(bytes, alignment, BlockTypes.RAW);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Frees a raw block returned by {@link #allocate} or {@link #allocateAligned}. Neither this
     * process nor any other may use the offset afterwards.
     *
     * @param offset the block's region offset, as {@code allocate} returned it
     * @throws CorruptedRegionException if {@code offset} is not a raw block in use; nothing is freed
     */
    public void free(long offset) {
        check();
        try {
            context.allocator().checkBlock(offset, BlockTypes.RAW);
            context.allocator().free(offset);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * The memory of a raw block as a segment of its usable size (at least what was asked). Valid
     * while the region is mapped; bounds-checked like any segment.
     *
     * @param offset the block's region offset, as {@code allocate} returned it
     * @return the block's memory (no copy)
     * @throws CorruptedRegionException if {@code offset} is not a raw block in use
     */
    public MemorySegment block(long offset) {
        check();
        try {
            long capacity = context.allocator().checkBlock(offset, BlockTypes.RAW);
            return context.memory().slice(offset, capacity);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * The application's root offset (0 until set): one word in the header for a custom structure.
     *
     * @return the offset last given to {@link #setUserRoot(long)}, or 0
     */
    public long userRoot() {
        check();
        try {
            return context.memory().getLong(RegionHeaderLayout.ROOT_USER_OFFSET);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Sets the application's root offset that {@link #userRoot()} returns: where other processes
     * find a custom structure built from raw blocks.
     *
     * @param offset a raw block's region offset, or 0 to clear the root
     * @throws CorruptedRegionException if {@code offset} is neither 0 nor a raw block in use
     */
    public void setUserRoot(long offset) {
        check();
        try {
            if (offset != 0) {
                context.allocator().checkBlock(offset, BlockTypes.RAW);
            }
            context.memory().putLong(RegionHeaderLayout.ROOT_USER_OFFSET, offset);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    // ---- heap inspection ----

    /**
     * Allocator counters; O(1) but for the largest free block, which scans one bin.
     *
     * @return the heap's counters now
     */
    public HeapStats stats() {
        check();
        try {
            return context.allocator().stats();
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Class names of the record and user classes registered in the region's type registry,
     * oldest first: one entry per class whose values were ever stored, shared by all of them and
     * kept for the region's life.
     *
     * @return the registered class names, oldest first
     */
    public List<String> registeredTypes() {
        check();
        try {
            return handle.types().classNames();
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Checks the whole region: the heap and its free lists, then everything reachable from the
     * name directory, the message queue, the type registry and the user root (containers,
     * records, tuples, strings and other values, tensor headers), block tags, bounds, counts and
     * reference counts, and that every used block is reached (a block nothing refers to is a
     * leak). Containers, snapshots and tensors that a process holds without the region referring
     * to them ({@code share}, {@code newTensor}, taken messages) count as reached, and raw blocks
     * ({@link #allocate}) are the application's. Reads only, builds no value, loads no class;
     * linear in the heap.
     *
     * @return the heap's counters, checked by the walk
     * @throws CorruptedRegionException listing the problems found (the offset is the first one's)
     */
    public HeapStats verify() {
        check();
        try {
            return RegionVerifier.verify(context);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    // ---- messages and names ----

    /**
     * Stores {@code value} in the region and appends it to the message queue as the newest
     * message. Returns what another process's {@link #takeMessage()} will see: the live view
     * of a container or tensor, an equal copy of a plain value.
     *
     * @param value the value to store and queue (null included)
     * @param <T>   the type of the view handed back (unchecked)
     * @return what a taker will see
     * @throws UnsupportedTypeException   the value, or something in it, cannot be stored; the
     *                                    queue is unchanged
     * @throws OutOfSharedMemoryException the region is full; the queue is unchanged
     */
    @SuppressWarnings("unchecked")
    public <T> T putMessage(Object value) {
        check();
        try {
            return (T) MessageQueue.put(context, value);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Removes the oldest message and returns its value. The message hands its object over: a
     * live view stays valid until {@code destroy}; a plain value (copied out) is freed from the
     * region now.
     *
     * @param <T> the expected type (unchecked: see {@link #takeMessage(Class)})
     * @return the oldest message's value
     * @throws NoMessagesException if no message is queued (nothing waits here: see
     *         {@link SharedMemory#takeMessage(java.time.Duration)})
     */
    @SuppressWarnings("unchecked")
    public <T> T takeMessage() {
        check();
        try {
            return (T) MessageQueue.take(context);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * {@link #takeMessage()}, checked: the oldest message is taken only if its value is a
     * {@code type} (or null); otherwise it stays queued.
     *
     * @param type the class the caller expects
     * @param <T>  the expected type
     * @return the oldest message's value
     * @throws UnexpectedTypeException the oldest message holds another type (named in the message)
     * @throws NoMessagesException     if no message is queued
     */
    public <T> T takeMessage(Class<T> type) {
        check();
        try {
            return type.cast(MessageQueue.take(context, java.util.Objects.requireNonNull(type, "type")));
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * The oldest message's value, left in the queue.
     *
     * @param <T> the expected type (unchecked)
     * @return the oldest message's value
     * @throws NoMessagesException if no message is queued
     */
    @SuppressWarnings("unchecked")
    public <T> T readMessage() {
        check();
        try {
            return (T) MessageQueue.peek(context);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Whether a message is queued.
     *
     * @return true if at least one message is queued
     */
    public boolean hasMessages() {
        check();
        try {
            return MessageQueue.count(context) > 0;
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * The number of queued messages.
     *
     * @return how many messages are queued now
     */
    public long messageCount() {
        check();
        try {
            return MessageQueue.count(context);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Stores {@code value} under {@code name} (non-empty, at most 4096 UTF-8 bytes) and returns
     * its view, as {@link #putMessage} does. If the name held an object, the name lets go of
     * it: a plain value is freed, a live container is freed unless another slot (or the new
     * value itself, as in {@code put(name, get(name))}) still refers to it. On failure
     * (unsupported value, full region) nothing changes.
     *
     * @param name  the name
     * @param value the value to store under it (null included)
     * @param <T>   the type of the view handed back (unchecked)
     * @return the stored value's view
     * @throws IllegalArgumentException   {@code name} is empty, longer than 4096 UTF-8 bytes or
     *                                    not well-formed text
     * @throws UnsupportedTypeException   the value, or something in it, cannot be stored
     * @throws OutOfSharedMemoryException the region is full
     */
    @SuppressWarnings("unchecked")
    public <T> T put(String name, Object value) {
        check();
        try {
            return (T) NameDirectory.put(context, name, value);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * The value stored under {@code name} (a live view for containers), or null if none.
     * {@link #contains(String)} tells a stored null from a missing name.
     *
     * @param name the name
     * @param <T>  the expected type (unchecked: see {@link #get(String, Class)})
     * @return the value under {@code name}, or null
     * @throws IllegalArgumentException {@code name} is not a valid name (see {@link #put})
     */
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
        check();
        try {
            return (T) NameDirectory.get(context, name);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * {@link #get(String)}, checked.
     *
     * @param name the name
     * @param type the class the caller expects
     * @param <T>  the expected type
     * @return the value under {@code name} (null if none)
     * @throws UnexpectedTypeException the name holds another type (named in the message)
     */
    public <T> T get(String name, Class<T> type) {
        check();
        try {
            java.util.Objects.requireNonNull(type, "type");
            return UnexpectedTypeException.check(NameDirectory.get(context, name), type, "name \"" + name + "\"");
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Whether {@code name} holds a value; tells a stored null from a missing name.
     *
     * @param name the name
     * @return true if {@code name} holds a value, null included
     */
    public boolean contains(String name) {
        check();
        try {
            return NameDirectory.contains(context, name);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Removes {@code name} and lets go of its object as {@link #put} does when replacing;
     * returns whether the name existed.
     *
     * @param name the name
     * @return true if the name existed
     */
    public boolean remove(String name) {
        check();
        try {
            return NameDirectory.remove(context, name);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * A copy of the names stored now.
     *
     * @return the names, in no particular order; later changes do not show in it
     */
    public Set<String> names() {
        check();
        try {
            return NameDirectory.names(context);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    // ---- values ----

    /**
     * Stores {@code container} (a {@code List}, {@code Set} or {@code Map}, or a
     * {@link FrozenMap} / {@link FrozenSet} snapshot) as a new shared object and returns its view:
     * a {@link SharedList}, {@link SharedSet}, {@link SharedMap} or snapshot view. The object lives
     * until {@link #destroy}ed; storing the view anywhere in this region stores a reference to it.
     * A view of this region is returned as it is.
     *
     * @param container a {@code List}, {@code Set}, {@code Map}, {@code FrozenMap} or {@code FrozenSet}
     * @param <V>       the view type (unchecked)
     * @return the live view (or snapshot view) of the new shared object
     * @throws IllegalArgumentException   {@code container} is null or not one of those types
     * @throws UnsupportedTypeException   an element cannot be stored; nothing stays allocated
     * @throws OutOfSharedMemoryException the region is full; nothing stays allocated
     */
    @SuppressWarnings("unchecked")
    public <V> V share(Object container) {
        check();
        try {
            return ValueViews.share(context, container);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * A new live shared object of {@code type}: an interface (or abstract class) of accessors whose
     * implementation the library generates over a field table in the region, so its getters and
     * setters read and write shared memory and its default (or concrete) methods change the
     * state every process sees. Fields start at 0, false or null; {@code List}, {@code Set} and
     * {@code Map} fields start as new empty live containers. Like a container made by
     * {@link #share}, the object lives until {@link #destroy}ed (the caller's view counts as one
     * reference, which only {@code destroy} lets go of); storing the view anywhere in this region
     * stores a reference to the same object. Another process reads it back as a live object of the
     * same type, if its handle allows the type ({@link SharedMemoryOptions#withAllowedClasses}).
     *
     * <pre>{@code
     * public interface Employee {
     *     String name();        void name(String name);
     *     int years();          void years(int years);
     *     boolean stage();      void stage(boolean stage);
     *     List<String> tags();                                // a live list, created with the object
     *     default void increaseYearsOfEmployment() { years(years() + 1); }   // one critical section
     * }
     * Employee e = access.newObject(Employee.class);
     * access.putMessage(e);                                   // the taker gets a view of the same object
     * }</pre>
     *
     * Accessors take the lock for one access outside an {@code acquire()} scope; each default or
     * concrete method runs as one critical section (nested in the caller's scope when there is
     * one). Rules for the type and for modules: see the README's "Live objects".
     *
     * @param type a public interface or abstract class of accessors
     * @param <T>  the type
     * @return a view of the new object, an instance of {@code type}
     * @throws UnsupportedTypeException   {@code type} cannot be a live object (the message says
     *                                    which method or field is wrong and why)
     * @throws OutOfSharedMemoryException the region is full; nothing stays allocated
     */
    public <T> T newObject(Class<T> type) {
        check();
        try {
            return SharedObjects.create(context, java.util.Objects.requireNonNull(type, "type"));
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Frees the shared object behind {@code view} and everything it owns (nested containers that
     * no other slot refers to, strings, structs); for a tensor, its block. Views of it, in any
     * process, then throw {@link IllegalStateException} (for containers,
     * {@link ObjectDestroyedException}); slots elsewhere that still refer to it must not be used.
     *
     * @param view a view of a shared container, snapshot, live object or tensor of this region
     * @throws IllegalArgumentException {@code view} is not a view of a shared object of this region
     */
    public void destroy(Object view) {
        check();
        try {
            ValueViews.destroy(context, view);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }
    // ---- tensors ----

    /**
     * A new row-major tensor, zero-filled (which writes, and so faults in, every page of it).
     * Use {@link #newTensor(SharedTensor.Init, DType, long...)} to skip the zeroing.
     *
     * @param dtype the element type
     * @param shape the dimensions (none for a scalar)
     * @return the new tensor
     * @throws IllegalArgumentException   for a negative dimension, a rank over 32, or a byte size over a long
     * @throws OutOfSharedMemoryException if the region has no room; nothing changes
     */
    public SharedTensor newTensor(DType dtype, long... shape) {
        return newTensor(SharedTensor.Init.ZEROED, dtype, shape);
    }

    /**
     * A new row-major tensor whose contents and pages are as {@code init} says.
     *
     * @param init  what the elements hold, and whether pages are touched up front
     * @param dtype the element type
     * @param shape the dimensions (none for a scalar)
     * @return the new tensor
     * @throws IllegalArgumentException   for a negative dimension, a rank over 32, or a byte size over a long
     * @throws OutOfSharedMemoryException if the region has no room; nothing changes
     */
    public SharedTensor newTensor(SharedTensor.Init init, DType dtype, long... shape) {
        check();
        try {
            java.util.Objects.requireNonNull(init, "init");
            java.util.Objects.requireNonNull(dtype, "dtype");
            return TensorBlocks.initialise(TensorBlocks.allocate(context, dtype, shape, 0), init);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Copies a numeric primitive array, a tensor of another region, or an array of a binding on
     * the class path (ND4J, DJL) into a new tensor of this region, once. A tensor of this region
     * is returned as it is.
     *
     * @param value a numeric primitive array, a {@link SharedTensor}, or a binding's array
     * @return the tensor in this region
     * @throws IllegalArgumentException   {@code value} is null or none of those
     * @throws OutOfSharedMemoryException the region has no room; nothing stays allocated
     */
    public SharedTensor copyToTensor(Object value) {
        check();
        try {
            return TensorValues.copyToTensor(context, value);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * A core view of the tensor block at {@code blockOffset} ({@link SharedTensor#blockOffset()}),
     * validated. For handing a tensor to another process by its offset until it travels in a
     * message or under a name.
     *
     * @param blockOffset a tensor's {@link SharedTensor#blockOffset()}
     * @return a view of that tensor
     * @throws CorruptedRegionException if no valid tensor is there
     */
    public SharedTensor tensorAt(long blockOffset) {
        check();
        try {
            return TensorBlocks.read(context, blockOffset);
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Frees {@code tensor}'s block. Views of it in any process must no longer be used. The block
     * is the one {@link SharedTensor#blockOffset()} names: a slice or reshape made in this process
     * names its parent's block, so freeing it frees the parent; one read back from a message or a
     * name has a small header block of its own, and only that is freed.
     *
     * @param tensor a tensor of this region, read through this handle
     * @throws IllegalArgumentException {@code tensor} is not a tensor of this region handle
     */
    public void freeTensor(SharedTensor tensor) {
        check();
        try {
            TensorView own = TensorView.ofRegion(tensor, context);
            if (own == null) {
                throw new IllegalArgumentException(tensor + " is not a tensor of this region handle");
            }
            TensorBlocks.free(context, own.blockOffset());
        } catch (InternalError e) {
            throw handle.scope().memoryFault(e);
        }
    }

    /**
     * Releases the lock (one hold of it). Idempotent.
     *
     * @throws IllegalStateException if called, before this access was closed, on another thread
     *                               than the one that acquired it
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an Access must be closed by the thread that acquired it (" + owner + ")");
        }
        closed = true;
        handle.scope().exit();
    }

    /** Fails unless this access is open, on its own thread, over an open handle. */
    private void check() {
        if (closed) {
            throw new IllegalStateException("this Access was closed; acquire a new one");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an Access is used only by the thread that acquired it (" + owner + ")");
        }
        handle.scope().beginOperation();
    }
}
