package io.ipcobjects.internal.codec;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tuple blocks ({@link TupleLayout}): storing a run of values into a new tuple, reading them
 * back, freeing them. A tuple owns the values in its slots.
 */
public final class Tuples {
    private Tuples() {
    }

    /**
     * Stores {@code count} values from {@code values} into a new tuple and returns its payload
     * offset. On failure everything stored so far is freed and the exception propagates.
     */
    public static long store(RegionContext context, Iterator<?> values, long count, int depth, boolean frozen) {
        RegionMemory memory = context.memory();
        long mark = context.savepoints().mark();
        long tuple = context.allocator().allocate(TupleLayout.blockBytes(count), BlockTypes.VALUE_TUPLE);
        memory.putLong(tuple + TupleLayout.COUNT_OFFSET, count);
        memory.putLong(tuple + TupleLayout.IDENTITY_OFFSET, ThreadLocalRandom.current().nextLong() | 1);
        memory.fill(tuple + TupleLayout.SLOTS_OFFSET, count * SlotLayout.SLOT_BYTES, (byte) 0);
        try {
            SlotValue scratch = new SlotValue();
            for (long i = 0; i < count; i++) {
                if (!values.hasNext()) {
                    throw new java.util.ConcurrentModificationException("the collection shrank while it was being stored");
                }
                ValueSlots.encode(context, values.next(), scratch, depth + 1, frozen).writeTo(memory, TupleLayout.slotOffset(tuple, i));
            }
            return tuple;
        } catch (RuntimeException | Error e) {
            free(context, tuple, depth);
            context.savepoints().rollbackTo(mark); // the type entries its stored records registered
            throw e;
        }
    }

    /** Validates the tuple at {@code tuple} and returns its slot count. */
    public static long count(RegionContext context, long tuple) {
        long capacity = context.allocator().checkBlock(tuple, BlockTypes.VALUE_TUPLE);
        long count = context.memory().getLong(tuple + TupleLayout.COUNT_OFFSET);
        if (count < 0 || count > (capacity - TupleLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES) {
            throw new CorruptedRegionException("tuple of " + count + " slots does not fit its block of " + capacity + " bytes",
                    tuple);
        }
        return count;
    }

    public static long identity(RegionContext context, long tuple) {
        return context.memory().getLong(tuple + TupleLayout.IDENTITY_OFFSET);
    }

    /** A frozen map's tuple (key slot, value slot, ...) read as an insertion-ordered map, within {@code budget}. */
    public static LinkedHashMap<Object, Object> readMap(RegionContext context, long tuple, DecodeBudget budget) {
        Object[] flat = read(context, tuple, budget);
        if ((flat.length & 1) != 0) {
            throw new CorruptedRegionException("frozen map tuple of odd length " + flat.length, tuple);
        }
        LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < flat.length; i += 2) {
            map.put(flat[i], flat[i + 1]);
        }
        return map;
    }

    /** The tuple's values, decoded within {@code budget} (the tuple is charged before its array is made). */
    public static Object[] read(RegionContext context, long tuple, DecodeBudget budget) {
        long count = count(context, tuple);
        if (count > Integer.MAX_VALUE - 16) {
            throw new CorruptedRegionException("tuple of " + count + " slots", tuple);
        }
        budget.enter(tuple, BlockLayout.HEADER_BYTES + TupleLayout.blockBytes(count));
        try {
            RegionMemory memory = context.memory();
            Object[] values = new Object[(int) count];
            SlotValue slot = new SlotValue();
            for (int i = 0; i < values.length; i++) {
                slot.readFrom(memory, TupleLayout.slotOffset(tuple, i));
                values[i] = ValueSlots.decode(context, slot.kind, slot.aux, slot.bits, budget);
            }
            return values;
        } finally {
            budget.exit();
        }
    }

    /** Releases every value in the tuple, then the tuple's block. */
    public static void free(RegionContext context, long tuple, int depth) {
        long count = count(context, tuple);
        RegionMemory memory = context.memory();
        if (memory.getLong(tuple + TupleLayout.IDENTITY_OFFSET) == 0) {
            // A tuple is owned by one slot, and its identity is cleared before its values are released.
            throw new CorruptedRegionException("tuple reached again while it is being freed: two slots or a cycle share it",
                    tuple);
        }
        memory.putLong(tuple + TupleLayout.IDENTITY_OFFSET, 0);
        SlotValue slot = new SlotValue();
        for (long i = 0; i < count; i++) {
            slot.readFrom(memory, TupleLayout.slotOffset(tuple, i));
            ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
        }
        context.allocator().free(tuple);
    }

    /** Key, value, key, value, ... of {@code map}: how a map is stored as a tuple. */
    public static java.util.Iterator<Object> flatten(java.util.Map<?, ?> map) {
        java.util.List<Object> flat = new java.util.ArrayList<>(map.size() * 2);
        for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
            flat.add(e.getKey());
            flat.add(e.getValue());
        }
        return flat.iterator();
    }
}
