package io.ipcobjects.internal.names;

import static io.ipcobjects.internal.names.NameDirectoryLayout.*;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.OutOfSharedMemoryException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.alloc.HeapAllocator;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.ValueSlots;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The region's directory of named objects: a chained hash table ({@link NameDirectoryLayout})
 * from names to value slots, so a loader can publish {@code "train-images"} once and any
 * process can find it.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>Every operation runs under the region lock (the caller holds it), with plain reads and
 *       writes; the directory is created at the first {@code put}.</li>
 *   <li>A name owns its object: {@code put} over an existing name destroys the object the name
 *       held before (unless the new value is that same object), {@code remove} destroys it.
 *       Objects reached through {@code get} are live views of what the name holds.</li>
 *   <li>Failure atomicity: {@code put} builds the complete new entry (name and value) in a
 *       fresh block before it touches the table; if storing the value fails (unsupported type,
 *       full region) the new block is freed and the directory is as it was. A replaced entry
 *       is swapped for the new one in its chain, then destroyed. Growing the table is
 *       optional: if the larger table cannot be allocated, the old one keeps serving.</li>
 *   <li>Every entry offset is checked ({@link HeapAllocator#checkBlock} with the entry tag)
 *       before it is followed, each entry's hash must belong to its bucket and its name length
 *       to its block, and walks are bounded by the entry count: a corrupted directory gives
 *       {@link CorruptedRegionException}, never a loop.</li>
 * </ul>
 */
public final class NameDirectory {
    private NameDirectory() {
    }

    /**
     * Stores {@code value} under {@code name}, replacing (and destroying) what the name held;
     * returns what {@link ValueSlots#read} gives for the stored value.
     */
    public static Object put(RegionContext context, String name, Object value) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        NameKey key = NameKey.of(name);
        RegionMemory memory = context.memory();
        HeapAllocator allocator = context.allocator();
        long directory = directory(context);
        // Look the name up first: allocating does not touch the directory, so the link stays valid.
        long link = directory == 0 ? 0 : findLink(context, directory, bucket(memory, directory, key), key);
        long old = link == 0 ? 0 : memory.getLong(link);
        boolean newDirectory = directory == 0;
        if (newDirectory) {
            directory = allocator.allocate(directoryBytes(INITIAL_BUCKETS), BlockTypes.NAME_DIRECTORY);
            memory.fill(directory, directoryBytes(INITIAL_BUCKETS), (byte) 0);
            memory.putLong(directory + BUCKET_COUNT_OFFSET, INITIAL_BUCKETS);
        }
        long entry;
        try {
            entry = allocator.allocate(entryBytes(key.utf8.length), BlockTypes.NAME_ENTRY);
        } catch (RuntimeException e) {
            if (newDirectory) {
                allocator.free(directory);
            }
            throw e;
        }
        memory.putLong(entry + NEXT_OFFSET, 0);
        memory.putInt(entry + HASH_OFFSET, key.hash);
        memory.putInt(entry + NAME_LENGTH_OFFSET, key.utf8.length);
        memory.putBytes(entry + NAME_OFFSET, key.utf8);
        // A zeroed slot holds null: write() releases what a slot held, so it must hold nothing.
        memory.fill(entry + VALUE_SLOT_OFFSET, ValueSlots.SLOT_BYTES, (byte) 0);
        try {
            ValueSlots.write(context, entry + VALUE_SLOT_OFFSET, value);
        } catch (RuntimeException e) {
            allocator.free(entry);
            if (newDirectory) {
                allocator.free(directory);
            }
            throw e;
        }
        // Nothing below can fail for want of memory: publish the directory, then link the entry.
        if (newDirectory) {
            memory.putLong(ROOT_NAME_DIRECTORY_OFFSET, directory);
        }
        if (old == 0) {
            long bucket = bucket(memory, directory, key);
            memory.putLong(entry + NEXT_OFFSET, memory.getLong(bucket));
            memory.putLong(bucket, entry);
            memory.putLong(directory + ENTRY_COUNT_OFFSET, memory.getLong(directory + ENTRY_COUNT_OFFSET) + 1);
            growIfCrowded(context, directory);
            return ValueSlots.read(context, entry + VALUE_SLOT_OFFSET);
        }
        memory.putLong(entry + NEXT_OFFSET, memory.getLong(old + NEXT_OFFSET));
        memory.putLong(link, entry);
        // The old entry goes first: releasing its value is then the operation's last write, so
        // a long destruction may commit steps (ValueSlots.releaseDetached).
        SlotValue held = new SlotValue();
        held.readFrom(memory, old + VALUE_SLOT_OFFSET);
        allocator.free(old);
        ValueSlots.releaseDetached(context, held.kind, held.aux, held.bits);
        return ValueSlots.read(context, entry + VALUE_SLOT_OFFSET);
    }

    /** The value stored under {@code name} (a live view for containers), or null if there is none. */
    public static Object get(RegionContext context, String name) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        long entry = find(context, NameKey.of(name));
        return entry == 0 ? null : ValueSlots.read(context, entry + VALUE_SLOT_OFFSET);
    }

    /** Whether {@code name} holds a value (which may be null). */
    public static boolean contains(RegionContext context, String name) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        return find(context, NameKey.of(name)) != 0;
    }

    /** Removes {@code name} and destroys its object; returns whether the name existed. */
    public static boolean remove(RegionContext context, String name) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        NameKey key = NameKey.of(name);
        RegionMemory memory = context.memory();
        long directory = directory(context);
        if (directory == 0) {
            return false;
        }
        long link = findLink(context, directory, bucket(memory, directory, key), key);
        long entry = link == 0 ? 0 : memory.getLong(link);
        if (entry == 0) {
            return false;
        }
        SlotValue held = new SlotValue();
        held.readFrom(memory, entry + VALUE_SLOT_OFFSET);
        memory.putLong(link, memory.getLong(entry + NEXT_OFFSET));
        memory.putLong(directory + ENTRY_COUNT_OFFSET, memory.getLong(directory + ENTRY_COUNT_OFFSET) - 1);
        context.allocator().free(entry);
        // The operation's last write: a long destruction may commit steps (ValueSlots.releaseDetached).
        ValueSlots.releaseDetached(context, held.kind, held.aux, held.bits);
        return true;
    }

    /** A copy of every name stored now (a modifiable {@code HashSet}, not a view). */
    public static Set<String> names(RegionContext context) {
        assert context.scope().isHeldByCurrentThread() : "the region lock is not held";
        RegionMemory memory = context.memory();
        long directory = directory(context);
        if (directory == 0) {
            return new HashSet<>();
        }
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        long count = memory.getLong(directory + ENTRY_COUNT_OFFSET);
        Set<String> names = HashSet.newHashSet((int) Math.min(count, 1 << 20));
        long seen = 0;
        // One read: every entry's name is charged, so a chain that comes back to an entry cannot
        // make the names copied out add up to more than the heap holds.
        DecodeBudget budget = context.budget();
        budget.begin();
        try {
            for (long index = 0; index < buckets; index++) {
                long entry = memory.getLong(directory + bucketOffset(index));
                while (entry != 0) {
                    if (++seen > count) {
                        throw new CorruptedRegionException("the name directory holds more entries than its count " + count,
                                directory + ENTRY_COUNT_OFFSET);
                    }
                    int length = checkEntry(context, entry, buckets, index);
                    budget.charge(entry, BlockLayout.HEADER_BYTES + entryBytes(length));
                    byte[] utf8 = memory.slice(entry + NAME_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
                    names.add(new String(utf8, StandardCharsets.UTF_8));
                    entry = memory.getLong(entry + NEXT_OFFSET);
                }
            }
        } finally {
            budget.end();
        }
        if (seen != count) {
            throw new CorruptedRegionException("the name directory holds " + seen + " entries but counts " + count,
                    directory + ENTRY_COUNT_OFFSET);
        }
        return names;
    }

    /** The hash a name of these UTF-8 bytes is stored under ({@link NameKey#hash}): for checkers of the directory. */
    public static int hashOf(byte[] utf8) {
        return NameKey.hash(utf8);
    }

    // ---- lookup ----

    private static long find(RegionContext context, NameKey key) {
        long directory = directory(context);
        if (directory == 0) {
            return 0;
        }
        RegionMemory memory = context.memory();
        long link = findLink(context, directory, bucket(memory, directory, key), key);
        return link == 0 ? 0 : memory.getLong(link);
    }

    /** Region offset of the head word of {@code key}'s bucket in a checked directory. */
    private static long bucket(RegionMemory memory, long directory, NameKey key) {
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        return directory + bucketOffset(key.hash & (buckets - 1));
    }

    /**
     * The region offset of the word that points to {@code key}'s entry (the bucket head or the
     * previous entry's next field), or 0 if the name is not in the bucket. The walk checks every
     * entry and stops after more entries than the directory counts.
     */
    private static long findLink(RegionContext context, long directory, long bucket, NameKey key) {
        RegionMemory memory = context.memory();
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        long index = (bucket - directory - BUCKETS_OFFSET) / 8;
        long count = memory.getLong(directory + ENTRY_COUNT_OFFSET);
        long link = bucket;
        long entry = memory.getLong(link);
        for (long steps = 0; entry != 0; steps++) {
            if (steps >= count) {
                throw new CorruptedRegionException("chain of name bucket " + index + " is longer than the entry count " + count,
                        bucket);
            }
            int length = checkEntry(context, entry, buckets, index);
            if (length == key.utf8.length && memory.getInt(entry + HASH_OFFSET) == key.hash
                    && MemorySegment.mismatch(memory.segment(), entry + NAME_OFFSET, entry + NAME_OFFSET + length,
                    key.segment, 0, length) == -1) {
                return link;
            }
            link = entry + NEXT_OFFSET;
            entry = memory.getLong(link);
        }
        return 0;
    }

    // ---- growth ----

    /** Doubles the bucket array when entries exceed 3/4 of it; keeps the old one if memory is short. */
    private static void growIfCrowded(RegionContext context, long directory) {
        RegionMemory memory = context.memory();
        HeapAllocator allocator = context.allocator();
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        long count = memory.getLong(directory + ENTRY_COUNT_OFFSET);
        if (count <= buckets - (buckets >>> 2) || buckets >= MAX_BUCKETS) {
            return;
        }
        // Check every chain before moving anything: a bad entry found halfway would leave
        // the entries split between two tables.
        long total = 0;
        for (long index = 0; index < buckets; index++) {
            for (long entry = memory.getLong(directory + bucketOffset(index)); entry != 0;
                 entry = memory.getLong(entry + NEXT_OFFSET)) {
                if (++total > count) {
                    throw new CorruptedRegionException("the name directory holds more entries than its count " + count,
                            directory + ENTRY_COUNT_OFFSET);
                }
                checkEntry(context, entry, buckets, index);
            }
        }
        long grown = buckets * 2;
        long bigger;
        try {
            bigger = allocator.allocate(directoryBytes(grown), BlockTypes.NAME_DIRECTORY);
        } catch (OutOfSharedMemoryException e) {
            return;
        }
        memory.fill(bigger, directoryBytes(grown), (byte) 0);
        memory.putLong(bigger + BUCKET_COUNT_OFFSET, grown);
        memory.putLong(bigger + ENTRY_COUNT_OFFSET, count);
        for (long index = 0; index < buckets; index++) {
            long entry = memory.getLong(directory + bucketOffset(index));
            while (entry != 0) {
                long next = memory.getLong(entry + NEXT_OFFSET);
                long target = bigger + bucketOffset(memory.getInt(entry + HASH_OFFSET) & (grown - 1));
                memory.putLong(entry + NEXT_OFFSET, memory.getLong(target));
                memory.putLong(target, entry);
                entry = next;
            }
        }
        memory.putLong(ROOT_NAME_DIRECTORY_OFFSET, bigger);
        allocator.free(directory);
    }

    // ---- checks of what is read from the region ----

    /** The checked directory, or 0 if none was created yet. */
    private static long directory(RegionContext context) {
        RegionMemory memory = context.memory();
        long directory = memory.getLong(ROOT_NAME_DIRECTORY_OFFSET);
        if (directory == 0) {
            return 0;
        }
        long capacity;
        try {
            capacity = context.allocator().checkBlock(directory, BlockTypes.NAME_DIRECTORY);
        } catch (CorruptedRegionException e) {
            CorruptedRegionException c = new CorruptedRegionException("the name directory root " + directory
                    + " is not a directory block: " + e.getMessage(), ROOT_NAME_DIRECTORY_OFFSET);
            c.initCause(e);
            throw c;
        }
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        if (buckets < INITIAL_BUCKETS || buckets > MAX_BUCKETS || Long.bitCount(buckets) != 1
                || directoryBytes(buckets) > capacity) {
            throw new CorruptedRegionException("name directory has " + buckets + " buckets in a block of " + capacity
                    + " bytes", directory + BUCKET_COUNT_OFFSET);
        }
        long count = memory.getLong(directory + ENTRY_COUNT_OFFSET);
        HeapAllocator allocator = context.allocator();
        long minEntry = BlockLayout.HEADER_BYTES + entryBytes(1);
        if (count < 0 || count > (allocator.heapEnd() - allocator.heapStart()) / minEntry) {
            throw new CorruptedRegionException("name directory counts " + count + " entries, impossible for this heap",
                    directory + ENTRY_COUNT_OFFSET);
        }
        return directory;
    }

    /** Checks an entry found in bucket {@code index}; returns its name length. */
    private static int checkEntry(RegionContext context, long entry, long buckets, long index) {
        long capacity;
        try {
            capacity = context.allocator().checkBlock(entry, BlockTypes.NAME_ENTRY);
        } catch (CorruptedRegionException e) {
            CorruptedRegionException c = new CorruptedRegionException("name bucket " + index + " leads to " + entry
                    + ", not a name entry: " + e.getMessage(), entry);
            c.initCause(e);
            throw c;
        }
        RegionMemory memory = context.memory();
        int length = memory.getInt(entry + NAME_LENGTH_OFFSET);
        if (length < 1 || length > MAX_NAME_BYTES || entryBytes(length) > capacity) {
            throw new CorruptedRegionException("name entry has name length " + length + " in a block of " + capacity
                    + " bytes", entry + NAME_LENGTH_OFFSET);
        }
        if ((memory.getInt(entry + HASH_OFFSET) & (buckets - 1)) != index) {
            throw new CorruptedRegionException("name entry's hash does not belong to bucket " + index, entry + HASH_OFFSET);
        }
        return length;
    }
}
