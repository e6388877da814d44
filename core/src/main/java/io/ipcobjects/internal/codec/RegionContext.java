package io.ipcobjects.internal.codec;

import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.lock.LockScope;
import io.ipcobjects.internal.memory.ProcessCounters;
import io.ipcobjects.internal.memory.RegionMemory;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.util.List;

/**
 * The parts of one attachment that stored values work with: the mapped memory, the allocator,
 * the lock scope views enter through, the table of value kinds, the savepoints a failed store
 * rolls back to, the serialization filter, the classes the region may name, and the budget reads
 * run within. Built once per handle by the session layer, which
 * also owns the handle's lifecycle; this class only hands the parts out.
 *
 * <p>Everything that takes a {@code RegionContext} runs with the lock held (see
 * {@link LockScope}), except what says otherwise, and except in a {@linkplain #forReading
 * read-only context}, which has no scope: an inspector's, whose memory is a read-only mapping
 * that it reads without the lock and validates as it goes.
 */
public final class RegionContext {

    private final RegionMemory memory;
    private final HeapAllocator allocator;
    private final LockScope scope;
    private final ValueKinds kinds;
    private final Savepoints savepoints;
    /** The filter serialized values are read through; null: serialization is off for this handle. */
    private final ObjectInputFilter serialization;
    /** The classes named by the region that this handle loads. */
    private final StoredClasses classes;
    /** Destructions a deep one left to a shallower one; under the lock. */
    private final DeferredDestroys deferredDestroys = new DeferredDestroys();
    /** Where a long destruction of this handle may commit steps; under the lock. */
    private final DestructionSteps destructionSteps = new DestructionSteps();
    /** What one read may cost; reused by every read of this handle, under the lock. */
    private final DecodeBudget budget;
    private final ProcessCounters counters;
    /** The region file, for messages. */
    private final Path path;
    /** This handle's owner stamp: what it writes on blocks it took and has not freed (0: none). */
    private final int ownerStamp;

    public RegionContext(RegionMemory memory, HeapAllocator allocator, LockScope scope, ValueKinds kinds,
                         Savepoints savepoints, ObjectInputFilter serialization, StoredClasses classes,
                         ProcessCounters counters, int ownerStamp) {
        this.ownerStamp = ownerStamp;
        this.memory = memory;
        this.counters = counters;
        this.allocator = allocator;
        this.scope = scope;
        this.kinds = kinds;
        this.savepoints = savepoints;
        this.serialization = serialization;
        this.classes = classes;
        this.budget = new DecodeBudget(allocator.heapEnd() - allocator.heapStart());
        this.path = scope.path();
    }

    private RegionContext(RegionMemory memory, HeapAllocator allocator, Path path) {
        this.memory = memory;
        this.allocator = allocator;
        this.scope = null;
        this.kinds = new ValueKinds(List.of(), List.of());
        this.savepoints = null;
        this.serialization = null;
        this.classes = new StoredClasses(name -> false);
        this.budget = new DecodeBudget(allocator.heapEnd() - allocator.heapStart());
        this.path = path;
        this.counters = ProcessCounters.detached();
        this.ownerStamp = 0;
    }

    /**
     * A context for reading a region without the lock, for the read-only inspector: no lock
     * scope, no value kinds beyond the codec's own, no savepoints, no class may be loaded. Only
     * the walks that validate every word they follow (the verifier's, tensor headers) use it.
     */
    public static RegionContext forReading(RegionMemory memory, HeapAllocator allocator, Path path) {
        return new RegionContext(memory, allocator, path);
    }

    /** True for a {@linkplain #forReading read-only context}, which reads without the lock. */
    public boolean readsWithoutLock() {
        return scope == null;
    }

    /**
     * What the assertions of lock-held code check: the calling thread holds the lock, or this
     * context reads without it by design.
     */
    public boolean mayRead() {
        return scope == null || scope.isHeldByCurrentThread();
    }

    public RegionMemory memory() {
        return memory;
    }

    public HeapAllocator allocator() {
        return allocator;
    }

    /** This process's counters in the region (bumped under the lock); counting nothing in a read-only context. */
    public ProcessCounters counters() {
        return counters;
    }

    /** The lock scope of this handle: views take the lock for one call through it; null in a read-only context. */
    public LockScope scope() {
        return scope;
    }

    /** The value kinds this handle's codec knows, beyond its own. */
    public ValueKinds kinds() {
        return kinds;
    }

    /** What a failed store rolls back to (the type registry's entries, for now). */
    public Savepoints savepoints() {
        return savepoints;
    }

    /** The filter serialized values are read through, or null when serialization is off (the default). */
    public ObjectInputFilter serialization() {
        return serialization;
    }

    /** The classes named by the region (records, user classes, enums) that this handle may load. */
    public StoredClasses classes() {
        return classes;
    }

    /** The budget every read of this handle runs within (see {@link DecodeBudget}); under the lock only. */
    public DecodeBudget budget() {
        return budget;
    }

    /** What deep destructions of this handle left to a shallower one (see {@link DeferredDestroys}); under the lock only. */
    public DeferredDestroys deferredDestroys() {
        return deferredDestroys;
    }

    /** Where a long destruction of this handle may commit steps (see {@link DestructionSteps}); under the lock only. */
    public DestructionSteps destructionSteps() {
        return destructionSteps;
    }

    /**
     * The stamp this handle writes into the header of a shared object it takes by reference
     * (a process-table claim id, never 0), so the region can say who holds what it has not freed.
     */
    public int ownerStamp() {
        return ownerStamp;
    }

    /** The region file, for messages. */
    public Path path() {
        return path;
    }
}
