package io.ipcobjects.internal.verify;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.BlobLayout;
import io.ipcobjects.internal.codec.Blobs;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.TupleLayout;
import io.ipcobjects.internal.codec.Tuples;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.structs.ObjectLayout;
import io.ipcobjects.internal.structs.StructLayout;
import io.ipcobjects.internal.tensor.TensorHeader;

import java.util.Map;

/**
 * Checks one value slot and everything it owns, the way a reader would find it but without
 * building any value and without loading a class: kinds, block tags, lengths, tuple and struct
 * counts, struct type entries, tensor headers. Owned blocks are reached through {@link Reach}, so
 * each is walked once; live containers are handed to the {@link ContainerWalk}, which walks each
 * once from its own work list (a chain of containers can be longer than any stack).
 */
final class ValueWalk {

    private final RegionContext context;
    private final RegionMemory memory;
    private final Reach reach;
    private final Findings findings;
    /** Type registry entries and their field counts: what a struct may name. */
    private final Map<Long, Long> typeEntries;
    private ContainerWalk containers;

    ValueWalk(RegionContext context, Reach reach, Map<Long, Long> typeEntries) {
        this.context = context;
        this.memory = context.memory();
        this.reach = reach;
        this.findings = reach.findings();
        this.typeEntries = typeEntries;
    }

    void containers(ContainerWalk containers) {
        this.containers = containers;
    }

    private RingCheck rings;

    void rings(RingCheck rings) {
        this.rings = rings;
    }

    /** Checks the slot at {@code slot} (held by the block or root at {@code holder}) and what it owns. */
    void slot(long slot, long holder, int depth) {
        int kind = memory.getInt(slot + SlotLayout.KIND_OFFSET);
        int aux = memory.getInt(slot + SlotLayout.AUX_OFFSET);
        long bits = memory.getLong(slot + SlotLayout.BITS_OFFSET);
        if (SlotKinds.isInline(kind)) {
            try {
                ValueSlots.decodeInline(kind, aux, bits, slot);
            } catch (CorruptedRegionException e) {
                findings.add("slot " + slot + " of " + holder, e);
            }
            return;
        }
        if (depth > ValueSlots.MAX_DEPTH + 1) {
            findings.add("values nest deeper than " + ValueSlots.MAX_DEPTH + " levels below block " + holder, slot);
            return;
        }
        if (SlotKinds.isBlob(kind)) {
            blob(kind, aux, bits, slot);
            return;
        }
        switch (kind) {
            case SlotKinds.OBJECT_ARRAY, SlotKinds.FROZEN_LIST, SlotKinds.FROZEN_SET, SlotKinds.FROZEN_MAP,
                 SlotKinds.FROZEN_MAP_VIEW, SlotKinds.FROZEN_SET_VIEW -> tuple(kind, bits, slot, depth);
            case SlotKinds.STRUCT -> struct(bits, slot, depth);
            case SlotKinds.LIST, SlotKinds.MAP, SlotKinds.SET, SlotKinds.OBJECT -> containers.reference(kind, bits, slot);
            case SlotKinds.TENSOR -> tensor(bits, slot);
            case SlotKinds.CHANNEL, SlotKinds.TENSOR_RING -> rings.reference(kind, bits, slot);
            default -> findings.add("slot " + slot + " of " + holder + " has unknown value kind " + kind, slot);
        }
    }

    private void blob(int kind, int aux, long blob, long slot) {
        if (!reach.owned(blob, BlockTypes.VALUE_BLOB, slot)) {
            return;
        }
        long length;
        try {
            length = Blobs.length(context, blob);
        } catch (CorruptedRegionException e) {
            findings.add("blob of slot " + slot, e);
            return;
        }
        String wrong = switch (kind) {
            case SlotKinds.STRING -> aux == Blobs.LATIN1 || aux == Blobs.UTF16 && (length & 1) == 0 ? null
                    : "string of coder " + aux + " and " + length + " bytes";
            case SlotKinds.CHARS -> (length & 1) == 0 ? null : "char[] of odd length " + length;
            case SlotKinds.UUID -> length == 16 ? null : "UUID of " + length + " bytes";
            case SlotKinds.BIG_INTEGER, SlotKinds.BIG_DECIMAL -> length > 0 ? null : "empty BigInteger";
            case SlotKinds.OFFSET_DATE_TIME, SlotKinds.ZONED_DATE_TIME -> length >= 16 ? null : "date-time of " + length + " bytes";
            case SlotKinds.ENUM -> hasZeroByte(blob, length) ? null : "enum value without a separator";
            default -> null;
        };
        if (wrong != null) {
            findings.add("blob of slot " + slot + " holds a " + wrong, blob);
        }
    }

    private boolean hasZeroByte(long blob, long length) {
        for (long i = 0; i < length; i++) {
            if (memory.getByte(blob + BlobLayout.DATA_OFFSET + i) == 0) {
                return true;
            }
        }
        return false;
    }

    private void tuple(int kind, long tuple, long slot, int depth) {
        if (!reach.owned(tuple, BlockTypes.VALUE_TUPLE, slot)) {
            return;
        }
        tupleContents(kind, tuple, depth);
    }

    /** A tuple already reached: its identity, count and slots. */
    void tupleContents(int kind, long tuple, int depth) {
        long count;
        try {
            count = Tuples.count(context, tuple);
        } catch (CorruptedRegionException e) {
            findings.add("tuple", e);
            return;
        }
        if (memory.getLong(tuple + TupleLayout.IDENTITY_OFFSET) == 0) {
            findings.add("tuple " + tuple + " has identity 0: it was being freed", tuple);
        }
        if ((kind == SlotKinds.FROZEN_MAP || kind == SlotKinds.FROZEN_MAP_VIEW) && (count & 1) != 0) {
            findings.add("frozen map tuple " + tuple + " has an odd number of slots " + count, tuple);
        }
        for (long i = 0; i < count; i++) {
            slot(TupleLayout.slotOffset(tuple, i), tuple, depth + 1);
        }
    }

    private void struct(long struct, long slot, int depth) {
        if (!reach.owned(struct, BlockTypes.VALUE_STRUCT, slot)) {
            return;
        }
        long capacity = reach.census().blockBytes(reach.census().indexOf(struct)) - BlockLayout.HEADER_BYTES;
        long count = memory.getLong(struct + StructLayout.FIELD_COUNT_OFFSET);
        if (count < 0 || count > (capacity - StructLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES) {
            findings.add("struct " + struct + " of " + count + " fields does not fit its block of " + capacity + " bytes", struct);
            return;
        }
        long entry = memory.getLong(struct + StructLayout.DESCRIPTOR_OFFSET);
        Long entryFields = typeEntries.get(entry);
        if (entryFields == null) {
            findings.add("struct " + struct + " names type entry " + entry + ", which is not in the type registry",
                    struct + StructLayout.DESCRIPTOR_OFFSET);
        } else if (entryFields != count) {
            findings.add("struct " + struct + " has " + count + " fields, its type entry " + entry + " names " + entryFields,
                    struct);
        }
        for (long i = 0; i < count; i++) {
            slot(StructLayout.slotOffset(struct, i), struct, depth + 1);
        }
    }

    /** A live shared object already reached (its identity and count checked): its type entry and field slots. */
    void objectContents(long object, long capacity) {
        long count = memory.getLong(object + ObjectLayout.FIELD_COUNT_OFFSET);
        if (count < 0 || count > (capacity - ObjectLayout.SLOTS_OFFSET) / SlotLayout.SLOT_BYTES) {
            findings.add("shared object " + object + " of " + count + " fields does not fit its block of " + capacity
                    + " bytes", object);
            return;
        }
        long entry = memory.getLong(object + ObjectLayout.TYPE_ENTRY_OFFSET);
        Long entryFields = typeEntries.get(entry);
        if (entryFields == null) {
            findings.add("shared object " + object + " names type entry " + entry + ", which is not in the type registry",
                    object + ObjectLayout.TYPE_ENTRY_OFFSET);
        } else if (entryFields != count) {
            findings.add("shared object " + object + " has " + count + " fields, its type entry " + entry + " names "
                    + entryFields, object);
        }
        for (long i = 0; i < count; i++) {
            slot(ObjectLayout.slotOffset(object, i), object, 1);
        }
    }

    /** A tensor block, which several slots may share (a stored view is stored by its block), and its base block. */
    void tensor(long block, long from) {
        if (reach.shared(block, BlockTypes.TENSOR, from) < 0) {
            return;
        }
        TensorHeader header;
        try {
            header = TensorHeader.read(context, block);
        } catch (CorruptedRegionException e) {
            findings.add("tensor referred to from " + from, e);
            return;
        }
        if (header.baseBlock() != 0) {
            reach.shared(header.baseBlock(), BlockTypes.TENSOR, block);
        }
    }
}
