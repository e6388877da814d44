package io.ipcobjects.internal.containers;

import io.ipcobjects.ObjectDestroyedException;
import static io.ipcobjects.internal.containers.HashLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.DestructionSteps;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.memory.UndoLog;
import io.ipcobjects.internal.codec.KeyHash;
import io.ipcobjects.internal.codec.KeyProbe;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;

import java.lang.foreign.MemorySegment;

/**
 * The open-addressing table behind a shared map or set ({@link HashLayout}): lookups, inserts,
 * removals and growth. One instance per view; every method runs under the region lock.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>Linear probing from {@code hash & (capacity - 1)}; a probe ends at the key or at an
 *       empty entry, and after {@code capacity} entries at most (so a corrupted table cannot
 *       loop). Removal leaves a tombstone, or an empty entry when the next one is empty (no
 *       chain can pass through it then).</li>
 *   <li>Before {@code used} would pass 3/4 of the capacity the table is rebuilt, doubled if the
 *       live entries need it: entries move as raw bytes (the slots' blocks move with them, no
 *       re-encoding), and the old table is freed.</li>
 *   <li>Like the list view, the table offset and capacity are validated once and cached; each
 *       operation re-reads them and revalidates only on change (another process grew it).</li>
 *   <li>An insert encodes key and value, then makes room, then writes the entry; a failure
 *       releases what was encoded, and the table is unchanged.</li>
 * </ul>
 */
final class HashTable {

    /** Returned by {@link #put} when the key was not there. */
    static final Object ABSENT = new Object();

    private final RegionContext context;
    private final RegionMemory memory;
    private final long header;
    private final long identity;
    private final long entryBytes;
    private final KeyProbe probe = new KeyProbe();
    private final SlotValue scratch = new SlotValue();
    private long cachedTable = -1;
    private long cachedCapacity = -1;

    HashTable(RegionContext context, long header) {
        this.context = context;
        this.memory = context.memory();
        this.header = header;
        Containers.checkHeader(context, header, BlockTypes.HASH, HEADER_BYTES);
        this.identity = memory.getLong(header + ContainerLayout.IDENTITY_OFFSET);
        if (identity == 0) {
            throw new ObjectDestroyedException("the shared map or set at " + header + " was destroyed");
        }
        this.entryBytes = memory.getLong(header + ENTRY_BYTES_OFFSET);
        if (entryBytes != MAP_ENTRY_BYTES && entryBytes != SET_ENTRY_BYTES) {
            throw new CorruptedRegionException("hash entry size " + entryBytes, header);
        }
    }

    long identity() {
        return identity;
    }

    long header() {
        return header;
    }

    boolean isMap() {
        return entryBytes == MAP_ENTRY_BYTES;
    }

    static long capacityFor(long entries) {
        long capacity = 8;
        while (capacity * 3 < (entries + 1) * 4) {
            capacity <<= 1;
        }
        return capacity;
    }

    // ---- validated access ----

    void checkLive() {
        if (memory.getLong(header + ContainerLayout.IDENTITY_OFFSET) != identity) {
            throw new ObjectDestroyedException("the shared " + (isMap() ? "map" : "set") + " at " + header + " was destroyed");
        }
    }

    /** The table, validated (or known valid); 0 when there is none yet. Checks liveness first. */
    long table() {
        checkLive();
        long table = memory.getLong(header + TABLE_OFFSET);
        long capacity = memory.getLong(header + CAPACITY_OFFSET);
        if (table != cachedTable || capacity != cachedCapacity) {
            if (capacity < 0 || Long.bitCount(capacity) > 1 || (capacity == 0) != (table == 0)) {
                throw new CorruptedRegionException("hash table " + table + " of capacity " + capacity, header);
            }
            if (table != 0) {
                long bytes = context.allocator().checkBlock(table, BlockTypes.HASH_TABLE);
                if (capacity > bytes / entryBytes) {
                    throw new CorruptedRegionException("hash capacity " + capacity + " exceeds its block of " + bytes + " bytes",
                            header);
                }
            }
            cachedTable = table;
            cachedCapacity = capacity;
        }
        return table;
    }

    int size() {
        table();
        long size = memory.getLong(header + SIZE_OFFSET);
        if (size < 0 || size > cachedCapacity) {
            throw new CorruptedRegionException("hash size " + size + " exceeds its capacity " + cachedCapacity, header);
        }
        return (int) Math.min(size, Integer.MAX_VALUE); // as Collection.size says, past what an int holds
    }

    /** Live entries plus tombstones, checked: at least the size, at most the capacity. Call after {@link #size}. */
    private long used(long size) {
        long used = memory.getLong(header + USED_OFFSET);
        if (used < size || used > cachedCapacity) {
            throw new CorruptedRegionException("hash table counts " + used + " used entries for size " + size
                    + " and capacity " + cachedCapacity, header + USED_OFFSET);
        }
        return used;
    }

    long modCount() {
        return memory.getLong(header + ContainerLayout.MOD_COUNT_OFFSET);
    }

    private void structurallyModified() {
        memory.putLong(header + ContainerLayout.MOD_COUNT_OFFSET, modCount() + 1);
    }

    long entry(long table, long index) {
        return table + index * entryBytes;
    }

    // ---- lookups ----

    /** The entry holding {@code key}, or 0. */
    long find(Object key) {
        long table = table();
        if (table == 0 || !probe.prepare(key)) {
            return 0;
        }
        return find(table, probe);
    }

    /**
     * One probe is one read of the handle's budget: comparing a stored key may decode it, and the
     * keys a probe passes are distinct, so together they fit the budget unless slots share blocks.
     */
    private long find(long table, KeyProbe p) {
        long capacity = cachedCapacity;
        long mask = capacity - 1;
        long control = HashLayout.control(p.hash());
        long index = p.hash() & mask;
        DecodeBudget budget = context.budget();
        budget.begin();
        try {
            for (long n = 0; n < capacity; n++) {
                long entry = entry(table, index);
                long c = memory.getLong(entry);
                if (c == EMPTY) {
                    return 0;
                }
                if (c == control && p.matches(context, entry + KEY_OFFSET)) {
                    return entry;
                }
                index = (index + 1) & mask;
            }
            return 0;
        } finally {
            budget.end();
        }
    }

    // ---- changes ----

    /**
     * Puts {@code key} (with {@code value} for a map). Returns {@link #ABSENT} if the key was new;
     * otherwise the previous value ({@code returnOld}) or null (a set: the key, unchanged).
     */
    Object put(Object key, Object value, boolean returnOld, int depth) {
        long table = table();
        if (!probe.prepare(key)) {
            KeyHash.of(key); // throws the UnsupportedTypeException that explains why
        }
        if (table != 0) {
            long found = find(table, probe);
            if (found != 0) {
                if (!isMap()) {
                    return null;
                }
                Object old = returnOld ? ValueSlots.readForRemoval(context, found + VALUE_OFFSET) : null;
                ValueSlots.write(context, found + VALUE_OFFSET, value);
                return old;
            }
        }
        long mark = context.savepoints().mark();
        SlotValue encodedKey = ValueSlots.encode(context, key, new SlotValue(), depth, true);
        SlotValue encodedValue = null;
        try {
            if (isMap()) {
                encodedValue = ValueSlots.encodeInline(value, scratch) ? scratch
                        : ValueSlots.encode(context, value, new SlotValue(), depth, false);
            }
            long used = used(size());
            if ((used + 1) * 4 > cachedCapacity * 3) {
                resize(capacityFor(size() + 1L));
            }
        } catch (RuntimeException | Error e) {
            ValueSlots.release(context, encodedKey.kind, encodedKey.aux, encodedKey.bits, depth);
            if (encodedValue != null) {
                ValueSlots.release(context, encodedValue.kind, encodedValue.aux, encodedValue.bits, depth);
            }
            context.savepoints().rollbackTo(mark); // the type entries the key and value registered
            throw e;
        }
        table = cachedTable;
        long mask = cachedCapacity - 1;
        long index = probe.hash() & mask;
        long entry = entry(table, index);
        for (long n = 0; n < cachedCapacity && isLive(memory.getLong(entry)); n++) {
            index = (index + 1) & mask;
            entry = entry(table, index);
        }
        long previous = memory.getLong(entry);
        if (isLive(previous)) {
            throw new CorruptedRegionException("hash table has no free entry", header);
        }
        encodedKey.writeTo(memory, entry + KEY_OFFSET);
        if (encodedValue != null) {
            encodedValue.writeTo(memory, entry + VALUE_OFFSET);
        }
        memory.putLong(entry + CONTROL_OFFSET, HashLayout.control(probe.hash()));
        memory.putLong(header + SIZE_OFFSET, memory.getLong(header + SIZE_OFFSET) + 1);
        if (previous == EMPTY) {
            memory.putLong(header + USED_OFFSET, memory.getLong(header + USED_OFFSET) + 1);
        }
        structurallyModified();
        return ABSENT;
    }

    /** Removes {@code key}; returns {@link #ABSENT} if it was not there, else its value (null for a set). */
    Object remove(Object key) {
        long entry = find(key);
        if (entry == 0) {
            return ABSENT;
        }
        Object old = isMap() ? ValueSlots.readForRemoval(context, entry + VALUE_OFFSET) : null;
        removeEntry(entry);
        return old;
    }

    /** Removes the live entry at {@code entry} (from {@link #find} or an iterator). */
    void removeEntry(long entry) {
        long table = cachedTable;
        ValueSlots.destroy(context, entry + KEY_OFFSET);
        if (isMap()) {
            ValueSlots.destroy(context, entry + VALUE_OFFSET);
        }
        long index = (entry - table) / entryBytes;
        long next = entry(table, (index + 1) & (cachedCapacity - 1));
        if (memory.getLong(next) == EMPTY) {
            memory.putLong(entry + CONTROL_OFFSET, EMPTY);
            memory.putLong(header + USED_OFFSET, memory.getLong(header + USED_OFFSET) - 1);
        } else {
            memory.putLong(entry + CONTROL_OFFSET, TOMBSTONE);
        }
        memory.putLong(header + SIZE_OFFSET, memory.getLong(header + SIZE_OFFSET) - 1);
        structurallyModified();
    }

    /** A table this big is replaced by {@link #clear()} after a step of its own (see there). */
    private static final long BIG_TABLE_BYTES = 64 * 1024;

    void clear() {
        long table = table();
        if (table == 0) {
            return;
        }
        releaseEntriesInSteps(context, header, table, cachedCapacity, entryBytes, 0, false);
        // A fresh zeroed table costs the undo log nothing, where zeroing the old one in place
        // would copy all of it into the log (past its end, for a big table); in a full heap the
        // map goes back to no table at all, as a new one, and the next put makes one.
        long capacity = cachedCapacity;
        UndoLog undo = memory.undoLog();
        DestructionSteps steps = context.destructionSteps();
        if (undo != null && capacity * entryBytes >= BIG_TABLE_BYTES && steps.mayStep(header, false, context.deferredDestroys())) {
            // Every entry released: a live, empty map. A step here lets the log forget the
            // blocks the release freed, so the fresh table below is known fresh and its zeroing
            // is not logged (a big table's would run past the log's end).
            steps.commitStep(memory, undo, header);
        }
        long fresh = 0;
        if (context.allocator().largestFreeBlock() > capacity * entryBytes + 64) {
            fresh = context.allocator().allocate(capacity * entryBytes, BlockTypes.HASH_TABLE);
            memory.fill(fresh, capacity * entryBytes, (byte) 0);
        }
        context.allocator().free(table);
        memory.putLong(header + TABLE_OFFSET, fresh);
        if (fresh == 0) {
            memory.putLong(header + CAPACITY_OFFSET, 0);
        }
        cachedTable = fresh;
        cachedCapacity = fresh == 0 ? 0 : capacity;
        memory.putLong(header + SIZE_OFFSET, 0);
        memory.putLong(header + USED_OFFSET, 0);
        structurallyModified();
    }

    /** Rebuilds the table with {@code capacity} entries (a power of two that holds every live entry). */
    void resize(long capacity) {
        long old = table(); // validated already, except for a new table's first resize
        long oldCapacity = cachedCapacity;
        long fresh = context.allocator().allocate(capacity * entryBytes, BlockTypes.HASH_TABLE);
        memory.fill(fresh, capacity * entryBytes, (byte) 0);
        long mask = capacity - 1;
        long live = 0;
        for (long i = 0; i < oldCapacity; i++) {
            long from = entry(old, i);
            long c = memory.getLong(from);
            if (!isLive(c)) {
                continue;
            }
            long index = c & mask;
            long to = entry(fresh, index);
            for (long n = 0; memory.getLong(to) != EMPTY; n++) {
                if (n >= capacity) {
                    context.allocator().free(fresh);
                    throw new CorruptedRegionException("hash table holds more live entries than its size", header);
                }
                index = (index + 1) & mask;
                to = entry(fresh, index);
            }
            memory.copyWithin(from, to, entryBytes);
            live++;
        }
        if (old > 0) {
            context.allocator().free(old);
        }
        memory.putLong(header + TABLE_OFFSET, fresh);
        memory.putLong(header + CAPACITY_OFFSET, capacity);
        memory.putLong(header + USED_OFFSET, live);
        cachedTable = fresh;
        cachedCapacity = capacity;
        structurallyModified();
    }

    /** Index of the first live entry at or after {@code from}, or -1. */
    long nextLive(long table, long from) {
        for (long i = Math.max(from, 0); i < cachedCapacity; i++) {
            if (isLive(memory.getLong(entry(table, i)))) {
                return i;
            }
        }
        return -1;
    }

    Object readKey(long entry) {
        return ValueSlots.read(context, entry + KEY_OFFSET);
    }

    Object readValue(long entry) {
        return ValueSlots.read(context, entry + VALUE_OFFSET);
    }

    /** Releases every entry and the table (the header is freed by the caller). */
    static void freeContents(RegionContext context, long header, int depth) {
        RegionMemory memory = context.memory();
        long entryBytes = memory.getLong(header + ENTRY_BYTES_OFFSET);
        long table = memory.getLong(header + TABLE_OFFSET);
        long capacity = memory.getLong(header + CAPACITY_OFFSET);
        if ((entryBytes != MAP_ENTRY_BYTES && entryBytes != SET_ENTRY_BYTES) || capacity < 0 || Long.bitCount(capacity) > 1
                || (capacity == 0) != (table == 0)) {
            throw new CorruptedRegionException("hash table " + table + " of capacity " + capacity + ", entries of "
                    + entryBytes + " bytes", header);
        }
        if (table == 0) {
            return;
        }
        long bytes = context.allocator().checkBlock(table, BlockTypes.HASH_TABLE);
        if (capacity > bytes / entryBytes) {
            throw new CorruptedRegionException("hash capacity " + capacity + " exceeds its block", header);
        }
        releaseEntriesInSteps(context, header, table, capacity, entryBytes, depth, true);
        context.allocator().free(table);
    }

    /**
     * Releases every live entry's key and value (for a table about to be freed, {@code destroying},
     * or cleared): each released entry becomes an empty tombstone and the size drops with it, so
     * the table is valid between entries, and a long walk commits steps there where
     * {@link DestructionSteps} allows (a crash then leaves the map shorter, or the takeover
     * finishes its destruction).
     */
    private static void releaseEntriesInSteps(RegionContext context, long header, long table, long capacity, long entryBytes,
                                              int depth, boolean destroying) {
        RegionMemory memory = context.memory();
        UndoLog undo = memory.undoLog();
        DestructionSteps steps = context.destructionSteps();
        SlotValue slot = new SlotValue();
        // The size each step leaves is counted from the table, not taken from the header: the
        // table is what a later reader walks.
        long live = 0;
        for (long i = 0; i < capacity; i++) {
            live += isLive(memory.getLong(table + i * entryBytes)) ? 1 : 0;
        }
        for (long i = 0; i < capacity; i++) {
            long entry = table + i * entryBytes;
            if (!isLive(memory.getLong(entry))) {
                continue;
            }
            slot.readFrom(memory, entry + KEY_OFFSET);
            ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
            if (entryBytes == MAP_ENTRY_BYTES) {
                slot.readFrom(memory, entry + VALUE_OFFSET);
                ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
            }
            memory.fill(entry + KEY_OFFSET, entryBytes - KEY_OFFSET, (byte) 0); // a free entry holds nothing
            memory.putLong(entry + CONTROL_OFFSET, TOMBSTONE);
            memory.putLong(header + SIZE_OFFSET, --live);
            if (undo != null && undo.stepDue() && steps.mayStep(header, destroying, context.deferredDestroys())) {
                steps.commitStep(memory, undo, header);
            }
        }
    }
}
