package io.ipcobjects.internal.session;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.StoredClasses;
import io.ipcobjects.internal.codec.ValueKinds;
import io.ipcobjects.internal.channels.ChannelKinds;
import io.ipcobjects.internal.messages.Ownership;
import io.ipcobjects.internal.channels.Channels;
import io.ipcobjects.internal.channels.Owners;
import io.ipcobjects.internal.containers.ContainerKinds;
import io.ipcobjects.internal.containers.Containers;
import io.ipcobjects.internal.events.RegionEvents;
import io.ipcobjects.internal.lock.IdleStrategies;
import io.ipcobjects.internal.lock.LockScope;
import io.ipcobjects.internal.lock.RegionLock;
import io.ipcobjects.internal.memory.OpenRegion;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.ProcessIdentity;
import io.ipcobjects.internal.memory.ProcessTable;
import io.ipcobjects.internal.memory.ProcessTableLayout;
import io.ipcobjects.internal.memory.RegionFile;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.memory.UndoLogLayout;
import io.ipcobjects.internal.structs.ObjectKinds;
import io.ipcobjects.internal.structs.StructKinds;
import io.ipcobjects.internal.structs.TypeRegistry;
import io.ipcobjects.internal.tensor.TensorKinds;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.agrona.concurrent.IdleStrategy;

/**
 * One attachment of this process to a region: what {@code SharedMemory} is made of. It opens
 * the region (as creator or consumer), assembles the parts every layer below works with (the
 * lock and its {@link LockScope}, the allocator, the codec's table of value kinds, the type
 * registry) and closes it again.
 *
 * <p>Lifecycle: the creator formats the header, then publishes it (magic, then state READY,
 * both with release). Consumers wait for READY, check the header and take a process-table slot.
 * On {@link #close()} a consumer frees its slot; the creator marks the region CLOSING, waits up
 * to the close timeout for consumers to detach, wipes the header and removes the file.
 *
 * <p>The handle's {@link OpenRegion} (its own descriptor of the file, which carries its presence
 * and slot locks) is opened first and closed last: until it is closed, other processes see this
 * handle as attached.
 */
public final class Handle {

    private final Path path;
    /** This handle's descriptor and mapping; closed last in {@link #close()}. */
    private final OpenRegion file;
    private final RegionMemory memory;
    private final ProcessTable processes;
    private final long token;
    private final boolean creator;
    private final SharedMemoryOptions options;
    private final LockScope scope;
    private final TypeRegistry types;
    private final RegionContext context;
    /** Drives the asynchronous API; started by its first call, ended by {@link #close()}. Guarded by {@code this}. */
    private RegionPoller poller;
    /** Made on first use by {@link #channels()}; guarded by {@code this}. */
    private Channels channels;
    /** Set by the first {@link #close()}: later calls return at once. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set by {@link #close()}: no poller may start after it. Guarded by {@code this}. */
    private boolean asyncClosed;

    private Handle(Path path, OpenRegion file, RegionMemory memory, ProcessTable processes, long token, boolean creator,
                   SharedMemoryOptions options) {
        this.path = path;
        this.file = file;
        this.memory = memory;
        this.processes = processes;
        this.token = token;
        this.creator = creator;
        this.options = options;
        UndoLog undo = new UndoLog(memory.segment(), memory.getLong(UNDO_LOG_OFFSET_FIELD), memory.getLong(UNDO_LOG_BYTES_FIELD),
                ProcessTableLayout.tokenSlot(token));
        memory.attachUndoLog(undo);
        ProcessCounters counters = ProcessCounters.ofSlot(memory, ProcessTableLayout.tokenSlot(token));
        HeapAllocator allocator = new HeapAllocator(memory, counters, options.spreadLargeBlocks());
        Supplier<IdleStrategy> idleStrategies = IdleStrategies.of(options.waitStrategy());
        RegionLock lock = new RegionLock(memory, processes, token, idleStrategies, options.ownerCheckInterval().toNanos(),
                options.lockBurstLimit(), counters);
        this.scope = new LockScope(path, memory, lock, idleStrategies, () -> checkAfterTakeover(allocator));
        this.types = new TypeRegistry(memory, allocator);
        undo.onRollback(types::forgetCachedEntries);
        // The codec's table: live objects (views of user types, which may also be collections),
        // tensors and live containers before other arrays and collections are refused, structs
        // (records, user classes) after.
        ValueKinds kinds = new ValueKinds(List.of(new ObjectKinds(), new TensorKinds(), new ContainerKinds(), new ChannelKinds()),
                List.of(new StructKinds()));
        this.context = new RegionContext(memory, allocator, scope, kinds, types, options.serialization(),
                new StoredClasses(options.classFilter()), counters, ProcessTable.claimId(token));
        undo.onRollback(context.deferredDestroys()::clear); // what they describe is put back
        undo.onRollback(context.destructionSteps()::clear);
    }

    /**
     * After a takeover and its rollback, before anyone reads: the file must still have its
     * size (else a fault would follow), and the heap must be whole. The allocator's counters and
     * free-block bookkeeping are not in the undo log (every operation changes them): they are
     * rebuilt here from the block headers, which are. Then a container the dead holder was
     * destroying in committed steps is destroyed whole ({@code codec.DestructionSteps}).
     */
    private void checkAfterTakeover(HeapAllocator allocator) {
        if (!file.fileIntact()) {
            throw new CorruptedRegionException("region file " + path + " has " + file.currentFileSize()
                    + " bytes, less than its " + memory.size() + ": it shrank under its mapping; recreate the region", 0);
        }
        allocator.rebuildAfterRollback();
        allocator.verify();
        long finished;
        try {
            finished = Containers.finishPendingDestruction(context);
        } catch (CorruptedRegionException e) {
            throw e;
        } catch (RuntimeException e) {
            // Whatever stopped it, the destruction is half-done: the region is damaged (the
            // lock scope marks it so for a CorruptedRegionException from here).
            CorruptedRegionException failure = new CorruptedRegionException("finishing the destruction the dead lock holder"
                    + " left half-done failed: " + e, memory.getLong(PENDING_DESTRUCTION_OFFSET));
            failure.initCause(e);
            throw failure;
        }
        if (finished != 0) {
            RegionEvents.pendingDestructionFinished(path, finished);
        }
    }

    // ---- opening ----

    /** Opens the file at {@code path}; a file refused as no region, or as damaged, is logged. */
    private static OpenRegion logRefusal(Path path, Supplier<OpenRegion> open) {
        try {
            return open.get();
        } catch (IncompatibleRegionException | CorruptedRegionException e) {
            RegionEvents.regionRefused(path, e);
            throw e;
        }
    }

    /** Creates the region at {@code path} and attaches to it as its creator. */
    public static Handle create(Path path, long sizeBytes, SharedMemoryOptions options) {
        OpenRegion file = logRefusal(path, () -> RegionFile.create(path, sizeBytes, options));
        try {
            RegionMemory memory = new RegionMemory(file.segment());
            ProcessIdentity self = ProcessIdentity.current();
            memory.putInt(STATE_OFFSET, STATE_INITIALIZING);
            memory.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
            memory.putInt(BYTE_ORDER_OFFSET, BYTE_ORDER_MARK);
            memory.putLong(REGION_SIZE_OFFSET, sizeBytes);
            memory.putInt(HEAP_START_FIELD_OFFSET, (int) HEAP_START);
            memory.putLong(CREATOR_PID_OFFSET, self.pid());
            memory.putLong(CREATOR_START_TICKS_OFFSET, self.startTicks());
            memory.putLong(CREATED_AT_MILLIS_OFFSET, System.currentTimeMillis());
            memory.putInt(PROCESS_SLOTS_OFFSET, ProcessTableLayout.SLOT_COUNT);
            long logBytes = options.undoLogBytes() == 0 ? UndoLogLayout.defaultLogBytes(sizeBytes)
                    : UndoLogLayout.OWN_LOGS_BYTES + options.undoLogBytes();
            if (options.undoLogBytes() != 0 && logBytes > sizeBytes / 2) {
                throw new IllegalArgumentException("an undo log of " + logBytes + " bytes does not fit a region of "
                        + sizeBytes + " bytes (at most half of it)");
            }
            long logOffset = (sizeBytes - logBytes) & ~4095L;
            memory.putLong(UNDO_LOG_OFFSET_FIELD, logOffset);
            memory.putLong(UNDO_LOG_BYTES_FIELD, sizeBytes - logOffset);
            HeapAllocator.format(memory, HEAP_START, logOffset);
            ProcessTable processes = new ProcessTable(memory, file);
            long token = processes.attach(ProcessTableLayout.ROLE_CREATOR);
            Handle handle = new Handle(path, file, memory, processes, token, true, options);
            // Publish: everything above is visible to whoever sees the magic, then READY.
            memory.putLongRelease(MAGIC_OFFSET, MAGIC);
            memory.putIntRelease(STATE_OFFSET, STATE_READY);
            return handle;
        } catch (RuntimeException e) {
            file.removeFileIfStillNamed();
            file.close();
            throw e;
        }
    }

    /** Attaches to the region at {@code path} as a consumer, waiting up to {@code timeout} for it to be ready. */
    public static Handle attach(Path path, Duration timeout, SharedMemoryOptions options) {
        OpenRegion file = logRefusal(path, () -> RegionFile.open(path, timeout, options));
        RegionMemory memory = new RegionMemory(file.segment());
        ProcessTable processes = new ProcessTable(memory, file);
        long token = 0;
        try {
            token = processes.attach(ProcessTableLayout.ROLE_CONSUMER);
            if (memory.getIntAcquire(STATE_OFFSET) != STATE_READY || memory.getLongAcquire(MAGIC_OFFSET) != MAGIC) {
                throw new RegionClosedException("region " + path + " closed while attaching");
            }
            return new Handle(path, file, memory, processes, token, false, options);
        } catch (RuntimeException e) {
            processes.detach(token);
            file.close();
            throw e;
        }
    }

    // ---- parts ----

    public Path path() {
        return path;
    }

    /** The channels and tensor rings of this handle, made on first use. */
    public synchronized Channels channels() {
        if (channels == null) {
            channels = new Channels(context, new Owners() {
                private final int own = ProcessTable.claimId(token);

                @Override
                public int ownId() {
                    return own;
                }

                @Override
                public boolean isLive(int id) {
                    return processes.isClaimLive(id);
                }

                @Override
                public long pid(int id) {
                    return processes.recordedPidOfClaim(id);
                }
            }, options.waitStrategy());
        }
        return channels;
    }

    public RegionContext context() {
        return context;
    }

    public LockScope scope() {
        return scope;
    }

    public TypeRegistry types() {
        return types;
    }

    public SharedMemoryOptions options() {
        return options;
    }

    public boolean isCreator() {
        return creator;
    }

    public long size() {
        return memory.size();
    }

    // ---- processes ----

    /** This attachment's counts, in {@code ProcessCountersLayout} order. */
    /** Objects and bytes this handle took by reference and has not freed: a walk of the heap under the lock. */
    public long[] heldObjects() {
        return scope.call(() -> Ownership.held(context).getOrDefault(context.ownerStamp(), new long[2]));
    }

    public long[] processCounts() {
        context.counters().publishMessages();
        return ProcessCounters.read(memory, ProcessTableLayout.tokenSlot(token));
    }

    /** Number of live consumer processes attached now (dead ones are reclaimed on the way). */
    public int consumerCount() {
        scope.ensureOpen();
        return processes.countLive(ProcessTableLayout.ROLE_CONSUMER);
    }

    /** Waits until at least {@code count} consumer processes are attached. */
    public void awaitConsumers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumerCount() < count) {
            if (System.nanoTime() - deadline >= 0) {
                throw new WaitTimeoutException(count + " consumers did not attach to " + path + " within " + timeout
                        + " (" + consumerCount() + " attached)");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    // ---- asynchronous access ----

    /** The poller of this handle, started on first use with {@code scopeRunner}. */
    public synchronized RegionPoller poller(RegionPoller.ScopeRunner scopeRunner) {
        scope.ensureOpen();
        if (asyncClosed) {
            throw new RegionClosedException("region " + path + " is being closed by this handle");
        }
        if (poller == null) {
            poller = new RegionPoller(this, scopeRunner);
        }
        return poller;
    }

    // ---- closing ----

    /**
     * Detaches (a consumer) or closes the region for everyone (the creator). Idempotent and safe
     * with operations in flight on other threads of this handle: their next operation fails with
     * {@link RegionClosedException}; one inside a scope keeps the lock until it leaves it (up to
     * the close timeout is waited for that), and only then does this handle let go of the region.
     * It never releases a lock another thread holds.
     */
    public void close() {
        if (!closing.compareAndSet(false, true)) {
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
        if (creator) {
            closeAsCreator();
        } else {
            long deadline = System.nanoTime() + options.closeTimeout().toNanos();
            scope.releaseAllHolds();
            scope.markClosing();
            scope.awaitOtherHolders(deadline);
            scope.markClosed();
            scope.runWhenNotHeld(this::detach);
        }
    }

    private void detach() {
        if (memory.getLongAcquire(MAGIC_OFFSET) == MAGIC) {
            processes.detach(token);
        }
        file.close(); // last: drops this handle's presence and slot locks
    }

    private void closeAsCreator() {
        long deadline = System.nanoTime() + options.closeTimeout().toNanos();
        scope.markClosing(); // no new scope of this handle; open ones may finish within the timeout
        boolean locked = scope.isHeldByCurrentThread() || scope.enterForClose(deadline);
        try {
            memory.putIntRelease(STATE_OFFSET, STATE_CLOSING);
        } finally {
            if (locked) {
                scope.releaseAllHolds();
            }
        }
        while (processes.countLive(ProcessTableLayout.ROLE_CONSUMER) > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(1_000_000);
        }
        scope.awaitOtherHolders(deadline);
        scope.markClosed();
        scope.runWhenNotHeld(this::wipeAndRemove);
    }

    private void wipeAndRemove() {
        // Wipe: the magic goes first, so nobody mistakes a half-wiped header for a region.
        memory.putLongRelease(MAGIC_OFFSET, 0);
        memory.fill(0, HEADER_PAGE_BYTES, (byte) 0);
        file.removeFileIfStillNamed(); // still present: nobody can replace the file between check and unlink
        file.close();
    }
}
