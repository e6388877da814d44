package io.ipcobjects.internal.structs;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.UnsupportedTypeException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.DecodeBudget;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Struct blocks ({@link StructLayout}): records and user objects stored field by field
 * ({@link StructType}) and read back as a new instance of the same class. The struct owns its
 * field values and refers to its class's shared entry in the {@link TypeRegistry}; nested
 * containers in fields are live views when read.
 */
public final class Structs {
    private Structs() {
    }

    /** Stores {@code value} as a struct; on failure frees what it allocated (and the type entries it registered). */
    public static long store(RegionContext context, Object value, int depth, boolean frozen) {
        StructType type = StructType.of(value.getClass());
        if (frozen && !type.isRecord()) {
            throw new UnsupportedTypeException(value.getClass(),
                    "only records can be keys or set elements: a user class's equals is not known to every process");
        }
        RegionMemory memory = context.memory();
        TypeRegistry types = TypeRegistry.of(context);
        long mark = types.mark();
        int count = type.fieldCount();
        long struct = context.allocator().allocate(StructLayout.blockBytes(count), BlockTypes.VALUE_STRUCT);
        memory.putLong(struct + StructLayout.DESCRIPTOR_OFFSET, 0);
        memory.putLong(struct + StructLayout.FIELD_COUNT_OFFSET, count);
        memory.fill(struct + StructLayout.SLOTS_OFFSET, count * SlotLayout.SLOT_BYTES, (byte) 0);
        try {
            SlotValue scratch = new SlotValue();
            for (int i = 0; i < count; i++) {
                ValueSlots.encode(context, type.get(value, i), scratch, depth + 1, frozen)
                        .writeTo(memory, StructLayout.slotOffset(struct, i));
            }
            // Registered last, so a value that fails to store leaves no entry behind for its own class.
            memory.putLong(struct + StructLayout.DESCRIPTOR_OFFSET, types.entryFor(type));
            return struct;
        } catch (RuntimeException | Error e) {
            free(context, struct, depth);
            types.rollbackTo(mark);
            throw e;
        }
    }

    /**
     * Reads the struct back as a new instance of its class, within {@code budget}: the struct is
     * charged and its class checked (allowed, loaded, fields matching) before any field is read,
     * and the class's constructor runs only once every field has been read.
     */
    public static Object read(RegionContext context, long struct, DecodeBudget budget) {
        long count = fieldCount(context, struct);
        RegionMemory memory = context.memory();
        Object[] values;
        StructType type;
        budget.enter(struct, BlockLayout.HEADER_BYTES + StructLayout.blockBytes(count));
        try {
            type = type(context, struct, count);
            values = new Object[(int) count];
            SlotValue slot = new SlotValue();
            for (int i = 0; i < values.length; i++) {
                slot.readFrom(memory, StructLayout.slotOffset(struct, i));
                values[i] = ValueSlots.decode(context, slot.kind, slot.aux, slot.bits, budget);
            }
        } finally {
            budget.exit();
        }
        return type.newInstance(values);
    }

    /**
     * The class of a struct of {@code count} fields, from its type entry ({@link TypeRegistryLayout}).
     * Three ways, fastest first: this attachment read the same entry before
     * ({@link TypeRegistry#resolvedType}); this process checked the same descriptor bytes before,
     * in any region ({@link StructDescriptors}); else the descriptor is decoded, the class loaded
     * and checked (it must load here and have exactly the stored field names, as many as the
     * struct has slots).
     */
    private static StructType type(RegionContext context, long struct, long count) {
        RegionMemory memory = context.memory();
        TypeRegistry types = TypeRegistry.of(context);
        long entry = memory.getLong(struct + StructLayout.DESCRIPTOR_OFFSET);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        StructType known = types.resolvedType(entry, loader, count);
        if (known != null) {
            return known;
        }
        long length = types.descriptorLength(entry, count, struct); // checks tag, length and field count
        long data = entry + TypeRegistryLayout.DESCRIPTOR_OFFSET;
        StructType cached = StructDescriptors.lookup(memory, data, length, StructDescriptors.hash(memory, data, length), loader);
        // The descriptor cache is the process's: a class another handle allowed must be allowed here too.
        if (cached != null && cached.fieldCount() == count && context.classes().allows(cached.type().getName())) {
            types.rememberResolved(entry, loader, cached);
            return cached;
        }
        byte[] bytes = TypeRegistry.of(context).bytes(entry, length);
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
        if (lines.length != count + 1) {
            throw new CorruptedRegionException("struct descriptor names " + (lines.length - 1) + " fields, the struct has "
                    + count, struct);
        }
        StructType type;
        try {
            type = StructType.of(context.classes().load(lines[0], struct)); // allowed, loaded, not initialized
        } catch (UnsupportedTypeException e) {
            throw new CorruptedRegionException("stored class cannot be rebuilt here: " + e.getMessage(), struct);
        }
        String[] names = Arrays.copyOfRange(lines, 1, lines.length);
        if (!type.matches(names)) {
            throw new CorruptedRegionException("stored fields " + Arrays.toString(names) + " do not match the fields "
                    + Arrays.toString(type.names()) + " of " + lines[0] + " in this process", struct);
        }
        StructDescriptors.remember(bytes, loader, type);
        types.rememberResolved(entry, loader, type);
        return type;
    }

    /** Releases the field values and the struct block. */
    public static void free(RegionContext context, long struct, int depth) {
        free(context, struct, depth, false);
    }

    /**
     * Releases the struct like {@link #free(RegionContext, long, int)}, except that with
     * {@code keepContainers} the references its fields (and the fields of structs nested in
     * them) hold to live containers and live objects ({@code LIST}, {@code MAP}, {@code SET},
     * {@code OBJECT} slots) are not
     * dropped, and tensors and snapshots ({@code TENSOR}, {@code FROZEN_MAP_VIEW},
     * {@code FROZEN_SET_VIEW} slots) are not freed: they pass to whoever holds the views a read
     * of this struct gave (a taken message's caller). Plain values and the struct
     * blocks are freed either way; type entries never are (they belong to the registry).
     */
    public static void free(RegionContext context, long struct, int depth, boolean keepContainers) {
        if (depth > ValueSlots.MAX_RELEASE_DEPTH) {
            throw new CorruptedRegionException("values nest deeper than " + ValueSlots.MAX_RELEASE_DEPTH + " levels", struct);
        }
        long count = fieldCount(context, struct);
        RegionMemory memory = context.memory();
        SlotValue slot = new SlotValue();
        for (long i = 0; i < count; i++) {
            slot.readFrom(memory, StructLayout.slotOffset(struct, i));
            if (!keepContainers) {
                ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
            } else if (slot.kind == SlotKinds.STRUCT) {
                free(context, slot.bits, depth + 1, true);
            } else if (slot.kind != SlotKinds.LIST && slot.kind != SlotKinds.MAP && slot.kind != SlotKinds.SET
                    && slot.kind != SlotKinds.OBJECT && slot.kind != SlotKinds.TENSOR && !isSnapshotView(slot.kind)) {
                ValueSlots.release(context, slot.kind, slot.aux, slot.bits, depth + 1);
            }
        }
        context.allocator().free(struct); // its type entry is the registry's, shared and kept
    }

    /**
     * Whether the struct, and every struct nested in its fields, holds only plain values (inline
     * or in blobs), live containers and objects ({@code LIST}, {@code MAP}, {@code SET}, {@code OBJECT}), tensors and snapshot
     * views: then a taken message can be handed over by
     * {@link #free(RegionContext, long, int, boolean)} with {@code keepContainers}, from the
     * slots alone. Tuples and frozen collections answer false (their contents are freed through
     * the values codec).
     */
    public static boolean holdsOnlyPlainValuesContainersAndTensors(RegionContext context, long struct, int depth) {
        if (depth > ValueSlots.MAX_DEPTH) {
            throw new CorruptedRegionException("values nest deeper than " + ValueSlots.MAX_DEPTH + " levels", struct);
        }
        long count = fieldCount(context, struct);
        RegionMemory memory = context.memory();
        for (long i = 0; i < count; i++) {
            long slot = StructLayout.slotOffset(struct, i);
            int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
            boolean handsOver = kind >= 0 && kind <= SlotKinds.SERIALIZED || kind == SlotKinds.LIST || kind == SlotKinds.MAP
                    || kind == SlotKinds.SET || kind == SlotKinds.OBJECT || kind == SlotKinds.TENSOR || isSnapshotView(kind)
                    || kind == SlotKinds.STRUCT
                    && holdsOnlyPlainValuesContainersAndTensors(context, memory.getLong(slot + SlotLayout.BITS_OFFSET), depth + 1);
            if (!handsOver) {
                return false;
            }
        }
        return true;
    }

    /** A snapshot view's slot: its frozen tuple belongs to that one slot (no reference count), like a tensor. */
    private static boolean isSnapshotView(int kind) {
        return kind == SlotKinds.FROZEN_MAP_VIEW || kind == SlotKinds.FROZEN_SET_VIEW;
    }

    private static long fieldCount(RegionContext context, long struct) {
        long capacity = context.allocator().checkBlock(struct, BlockTypes.VALUE_STRUCT);
        long count = context.memory().getLong(struct + StructLayout.FIELD_COUNT_OFFSET);
        if (count < 0 || count > (capacity - StructLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES) {
            throw new CorruptedRegionException("struct of " + count + " fields does not fit its block", struct);
        }
        return count;
    }
}
