package io.ipcobjects.internal.structs;

import static io.ipcobjects.internal.structs.TypeRegistryLayout.*;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.Savepoints;
import io.ipcobjects.internal.codec.StoredClasses;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The region's type registry ({@link TypeRegistryLayout}) as one attachment sees it: finds or
 * adds the entry of a class when one of its values is stored, checks an entry when a struct is
 * read, and lists what is registered.
 *
 * <h2>Why entries are shared and kept</h2>
 * A struct used to own a copy of its descriptor, so every stored record cost one more block to
 * allocate and one more to free, and a list of a million records held a million copies of the
 * class name. An entry is now made once per class and region and kept for the region's life: its
 * size is bounded by the number of distinct classes stored, which {@link #classNames()} lists.
 *
 * <h2>Failure atomicity</h2>
 * A store that fails frees everything it allocated, and that includes the entries it registered:
 * every operation that frees a half-built value on failure also calls {@link #rollbackTo} with
 * the {@link #mark()} it took when it began. This is exact because entries are registered only
 * under the region lock, newest first: every entry newer than the mark was made by the failing
 * operation, and only the values it is freeing refer to them.
 *
 * <h2>Threads and caching</h2>
 * Every method runs under the region lock (stores and reads do), which also orders the
 * process-local cache below. A class's entry is cached in its {@link StructType} for the last
 * registry it was stored in, and in {@link #known} per registry; a rollback that frees entries
 * drops them from {@code known} and bumps {@link #epoch}, so no cache can hand out a freed entry.
 */
public final class TypeRegistry implements Savepoints {

    /** The entry of a class in one registry, as cached in its {@link RegisteredType}. */
    record Registration(TypeRegistry registry, int epoch, long entry) {
    }

    /** What an entry resolved to when read with a class loader: a read-side cache. */
    private record Resolved(long entry, ClassLoader loader, StructType type) {
    }

    /** What a live object's entry resolved to when read with a class loader. */
    private record ResolvedObject(ClassLoader loader, ObjectType type) {
    }

    private static final int RESOLVED_SLOTS = 64;

    private final RegionMemory memory;
    private final HeapAllocator allocator;
    private final Map<RegisteredType, Long> known = new HashMap<>();
    /** Live object types this attachment resolved, by entry: a read-side cache like {@link #resolved}. */
    private final Map<Long, ResolvedObject> resolvedObjects = new HashMap<>();
    private int epoch;
    /** Direct-mapped by entry offset; records are immutable, so racing writers at worst evict each other. */
    private final Resolved[] resolved = new Resolved[RESOLVED_SLOTS];

    /** The registry of {@code context}'s handle: the savepoints a failed store rolls back to are its entries. */
    public static TypeRegistry of(RegionContext context) {
        if (context.savepoints() instanceof TypeRegistry registry) {
            return registry;
        }
        throw new IllegalStateException("the handle of region " + context.path() + " has no type registry");
    }

    public TypeRegistry(RegionMemory memory, HeapAllocator allocator) {
        this.memory = memory;
        this.allocator = allocator;
    }

    /** The entry to store in a struct of {@code type}: found, or registered now. Under the lock. */
    long entryFor(RegisteredType type) {
        Registration cached = type.registration;
        if (cached != null && cached.registry == this && cached.epoch == epoch) {
            return cached.entry;
        }
        StoredClasses.remember(type.type()); // this process stores it: any of its handles may read it back
        Long entry = known.get(type);
        long found = entry != null ? entry : find(type);
        if (found == 0) {
            found = register(type);
        }
        known.put(type, found);
        type.registration = new Registration(this, epoch, found);
        return found;
    }

    /** Where the registry stands now: give it to {@link #rollbackTo} if the operation fails. */
    @Override
    public long mark() {
        return memory.getLong(ROOT_TYPE_REGISTRY_OFFSET);
    }

    /** Frees the entries registered since {@code mark}: the failing operation's own. */
    @Override
    public void rollbackTo(long mark) {
        long head = memory.getLong(ROOT_TYPE_REGISTRY_OFFSET);
        if (head == mark) {
            return;
        }
        List<Long> freed = new ArrayList<>();
        while (head != mark && head != 0) {
            checkEntry(head);
            long next = memory.getLong(head + NEXT_OFFSET);
            memory.putLong(ROOT_TYPE_REGISTRY_OFFSET, next);
            allocator.free(head);
            freed.add(head);
            head = next;
        }
        known.values().removeIf(freed::contains);
        epoch++;
        java.util.Arrays.fill(resolved, null);
        resolvedObjects.clear();
    }

    /**
     * Drops everything this attachment remembers about entries: after the undo log rolled back
     * a scope, entries it registered are gone again (and their offsets may be reused).
     */
    public void forgetCachedEntries() {
        known.clear();
        epoch++;
        java.util.Arrays.fill(resolved, null);
        resolvedObjects.clear();
    }

    /**
     * The class a struct of {@code fieldCount} fields whose type entry is {@code entry} was read
     * as before in this attachment (with {@code loader}), or null. Sound because an entry is never
     * changed once reachable and is freed only by the rollback of the operation that made it,
     * before anyone could read it (that rollback also clears this cache). A hostile process that
     * rewrites an entry anyway gets values read through the class it named first: still checked
     * field by field on the way out, never an unchecked access.
     */
    StructType resolvedType(long entry, ClassLoader loader, long fieldCount) {
        Resolved r = resolved[(int) (entry >>> 4) & (RESOLVED_SLOTS - 1)];
        return r != null && r.entry == entry && r.loader == loader && r.type.fieldCount() == fieldCount ? r.type : null;
    }

    /** Remembers that {@code entry}, checked in full, resolved to {@code type} with {@code loader}. */
    void rememberResolved(long entry, ClassLoader loader, StructType type) {
        resolved[(int) (entry >>> 4) & (RESOLVED_SLOTS - 1)] = new Resolved(entry, loader, type);
    }

    /** The live object type {@code entry} resolved to with {@code loader} before, or null (see {@link #resolvedType}). */
    ObjectType resolvedObjectType(long entry, ClassLoader loader) {
        ResolvedObject r = resolvedObjects.get(entry);
        return r != null && r.loader == loader ? r.type : null;
    }

    /** Remembers that {@code entry}, checked in full, resolved to the live object type {@code type} with {@code loader}. */
    void rememberResolvedObject(long entry, ClassLoader loader, ObjectType type) {
        if (resolvedObjects.size() >= 4 * RESOLVED_SLOTS) {
            resolvedObjects.clear(); // bounded: a region names few types; a hostile one cannot grow this
        }
        resolvedObjects.put(entry, new ResolvedObject(loader, type));
    }

    /** The entry at {@code entry}, checked as one for a struct of {@code fieldCount} fields; returns its descriptor's length. */
    long descriptorLength(long entry, long fieldCount, long struct) {
        long length = checkEntry(entry);
        long entryFields = memory.getLong(entry + FIELD_COUNT_OFFSET);
        if (entryFields != fieldCount) {
            throw new CorruptedRegionException("struct of " + fieldCount + " fields refers to the type entry of a class with "
                    + entryFields, struct);
        }
        return length;
    }

    /** Class names of the registered types, oldest first. */
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        walk((entry, length) -> {
            String descriptor = new String(bytes(entry, length), StandardCharsets.UTF_8);
            int end = descriptor.indexOf('\n');
            names.add(end < 0 ? descriptor : descriptor.substring(0, end));
            return false;
        });
        return names.reversed();
    }

    /** Bytes the registry's blocks take in the heap, headers included (as {@code HeapStats.usedBytes} counts them). */
    public long bytes() {
        long[] total = {0};
        walk((entry, length) -> {
            total[0] += allocator.checkBlock(entry, BlockTypes.TYPE_DESCRIPTOR) + BlockLayout.HEADER_BYTES;
            return false;
        });
        return total[0];
    }

    private interface EntryVisitor {
        /** Returns true to stop the walk. */
        boolean visit(long entry, long length);
    }

    /** Visits entries newest first; stops at the first entry the visitor accepts and returns it, else 0. */
    private long walk(EntryVisitor visitor) {
        long entry = memory.getLong(ROOT_TYPE_REGISTRY_OFFSET);
        long ordinal = Long.MAX_VALUE;
        while (entry != 0) {
            long length = checkEntry(entry);
            long entryOrdinal = memory.getLong(entry + ORDINAL_OFFSET);
            if (entryOrdinal >= ordinal || entryOrdinal < 1) {
                throw new CorruptedRegionException("type registry ordinals do not fall (" + entryOrdinal + " after " + ordinal + ")",
                        entry);
            }
            ordinal = entryOrdinal;
            if (visitor.visit(entry, length)) {
                return entry;
            }
            entry = memory.getLong(entry + NEXT_OFFSET);
        }
        return 0;
    }

    private long find(RegisteredType type) {
        byte[] descriptor = type.descriptor();
        return walk((entry, length) -> length == descriptor.length
                && memory.getLong(entry + FIELD_COUNT_OFFSET) == type.fieldCount()
                && MemorySegment.mismatch(memory.segment(), entry + DESCRIPTOR_OFFSET, entry + DESCRIPTOR_OFFSET + length,
                MemorySegment.ofArray(descriptor), 0, length) < 0);
    }

    private long register(RegisteredType type) {
        byte[] descriptor = type.descriptor();
        long head = memory.getLong(ROOT_TYPE_REGISTRY_OFFSET);
        long headOrdinal = head == 0 ? 0 : memory.getLong(head + ORDINAL_OFFSET); // find() checked the head
        long entry = allocator.allocate(blockBytes(descriptor.length), BlockTypes.TYPE_DESCRIPTOR);
        memory.putLong(entry + NEXT_OFFSET, head);
        memory.putLong(entry + ORDINAL_OFFSET, headOrdinal + 1);
        memory.putLong(entry + FIELD_COUNT_OFFSET, type.fieldCount());
        memory.putLong(entry + LENGTH_OFFSET, descriptor.length);
        memory.putBytes(entry + DESCRIPTOR_OFFSET, descriptor);
        memory.putLong(ROOT_TYPE_REGISTRY_OFFSET, entry); // complete before it is reachable
        return entry;
    }

    /** Checks the block's tag and that the descriptor fits it; returns the descriptor's length. */
    private long checkEntry(long entry) {
        long capacity = allocator.checkBlock(entry, BlockTypes.TYPE_DESCRIPTOR);
        long length = memory.getLong(entry + LENGTH_OFFSET);
        if (length < 0 || length > capacity - DESCRIPTOR_OFFSET || length > Integer.MAX_VALUE - 16) {
            throw new CorruptedRegionException("type descriptor of " + length + " bytes does not fit its block of " + capacity
                    + " bytes", entry);
        }
        return length;
    }

    byte[] bytes(long entry, long length) {
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(memory.segment(), ValueLayout.JAVA_BYTE, entry + DESCRIPTOR_OFFSET, bytes, 0, (int) length);
        return bytes;
    }
}
