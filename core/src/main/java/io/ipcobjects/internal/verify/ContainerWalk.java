package io.ipcobjects.internal.verify;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.Blobs;
import io.ipcobjects.internal.codec.KeyHash;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.StableHash;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.containers.ContainerLayout;
import io.ipcobjects.internal.containers.HashLayout;
import io.ipcobjects.internal.containers.ListLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Live containers (lists, maps, sets) and live shared objects ({@code structs.ObjectLayout},
 * whose identity and reference count sit where a container's do): the blocks that several slots
 * may hold, by reference count. Each header is walked once, from a work list, the first time it is reached;
 * every slot that refers to it is tallied, and at the end the tally is held against the count it
 * keeps ({@link #checkReferenceCounts}): a count below the slots that hold it would free it while
 * they still do. (A count above them is normal: the holders of views that {@code share} and
 * taken messages handed out count too, and they live in processes, not in the region.)
 */
final class ContainerWalk {

    /** A container as reached: how it was reached and how many slots refer to it. */
    private static final class Tally {
        final int kind;
        long slots;

        Tally(int kind) {
            this.kind = kind;
        }
    }

    private final RegionMemory memory;
    private final RegionContext context;
    private final Reach reach;
    private final Findings findings;
    private final ValueWalk values;
    private final Map<Long, Tally> tallies = new HashMap<>();
    private final ArrayDeque<Long> pending = new ArrayDeque<>();

    ContainerWalk(RegionContext context, Reach reach, ValueWalk values) {
        this.context = context;
        this.memory = context.memory();
        this.reach = reach;
        this.findings = reach.findings();
        this.values = values;
    }

    /** A slot of {@code kind} (LIST, MAP, SET, OBJECT) at {@code slot} refers to the container at {@code header}. */
    void reference(int kind, long header, long slot) {
        Tally tally = reached(kind, header, slot);
        if (tally != null) {
            tally.slots++;
        }
    }

    /** A container that no slot of the region reached: a process holds it (or it leaked), so it is a root. */
    void outsideRoot(int kind, long header) {
        reached(kind, header, header);
        drain();
    }

    private Tally reached(int kind, long header, long from) {
        Tally tally = tallies.get(header);
        if (tally == null) {
            int tag = kind == SlotKinds.LIST ? BlockTypes.LIST : kind == SlotKinds.OBJECT ? BlockTypes.SHARED_OBJECT : BlockTypes.HASH;
            if (reach.shared(header, tag, from) < 0) {
                return null;
            }
            tally = new Tally(kind);
            tallies.put(header, tally);
            pending.add(header);
        } else if (tally.kind != kind) {
            findings.add("container " + header + " is referred to as a " + kindName(kind) + " from " + from
                    + " and as a " + kindName(tally.kind) + " elsewhere", from);
            return null;
        }
        return tally;
    }

    /** Walks the contents of every container reached and not walked yet. */
    void drain() {
        for (Long header = pending.poll(); header != null; header = pending.poll()) {
            Tally tally = tallies.get(header);
            if (common(header)) {
                if (tally.kind == SlotKinds.LIST) {
                    list(header);
                } else if (tally.kind == SlotKinds.OBJECT) {
                    values.objectContents(header, capacityOf(header));
                } else {
                    hash(header, tally.kind);
                }
            }
        }
    }

    /** Checks the slot tallies against the counts the containers keep. Call once every walk is done. */
    void checkReferenceCounts() {
        for (Map.Entry<Long, Tally> e : tallies.entrySet()) {
            long header = e.getKey();
            long references = memory.getLong(header + ContainerLayout.REFERENCES_OFFSET);
            if (references < e.getValue().slots) {
                findings.add(kindName(e.getValue().kind) + " " + header + " counts " + references + " references but "
                        + e.getValue().slots + " slots refer to it", header + ContainerLayout.REFERENCES_OFFSET);
            }
        }
    }

    /** The words every container starts with: alive, and a sane count. */
    private boolean common(long header) {
        if (memory.getLong(header + ContainerLayout.IDENTITY_OFFSET) == 0) {
            findings.add("container " + header + " has identity 0: it was destroyed, yet it is still referred to", header);
            return false;
        }
        long references = memory.getLong(header + ContainerLayout.REFERENCES_OFFSET);
        if (references < 1 || references >= 1L << 48) {
            findings.add("container " + header + " counts " + references + " references",
                    header + ContainerLayout.REFERENCES_OFFSET);
        }
        return true;
    }

    private long capacityOf(long payload) {
        return reach.census().blockBytes(reach.census().indexOf(payload)) - BlockLayout.HEADER_BYTES;
    }

    private void list(long header) {
        if (capacityOf(header) < ListLayout.HEADER_BYTES) {
            findings.add("list header block " + header + " is smaller than a list header", header);
            return;
        }
        long size = memory.getLong(header + ListLayout.SIZE_OFFSET);
        long elements = memory.getLong(header + ListLayout.ELEMENTS_OFFSET);
        long capacity = memory.getLong(header + ListLayout.CAPACITY_OFFSET);
        if (capacity < 0 || (capacity == 0) != (elements == 0) || size < 0 || size > capacity) {
            findings.add("list " + header + " has size " + size + ", capacity " + capacity + " and element block " + elements,
                    header);
            return;
        }
        if (elements == 0 || !reach.owned(elements, BlockTypes.LIST_ELEMENTS, header + ListLayout.ELEMENTS_OFFSET)) {
            return;
        }
        if (capacity > capacityOf(elements) / SlotLayout.SLOT_BYTES) {
            findings.add("list " + header + " of capacity " + capacity + " has an element block of " + capacityOf(elements)
                    + " bytes", header);
            return;
        }
        for (long i = 0; i < size; i++) {
            values.slot(ListLayout.slotOffset(elements, i), header, 0);
        }
        for (long i = size; i < capacity; i++) {
            if (!isZero(ListLayout.slotOffset(elements, i), SlotLayout.SLOT_BYTES)) {
                findings.add("list " + header + " holds a value in slot " + i + ", past its size " + size,
                        ListLayout.slotOffset(elements, i));
            }
        }
    }

    private void hash(long header, int kind) {
        if (capacityOf(header) < HashLayout.HEADER_BYTES) {
            findings.add("hash header block " + header + " is smaller than a map or set header", header);
            return;
        }
        long entryBytes = memory.getLong(header + HashLayout.ENTRY_BYTES_OFFSET);
        long expectedEntry = kind == SlotKinds.MAP ? HashLayout.MAP_ENTRY_BYTES : HashLayout.SET_ENTRY_BYTES;
        if (entryBytes != expectedEntry) {
            findings.add(kindName(kind) + " " + header + " has entries of " + entryBytes + " bytes", header);
            return;
        }
        long size = memory.getLong(header + HashLayout.SIZE_OFFSET);
        long table = memory.getLong(header + HashLayout.TABLE_OFFSET);
        long capacity = memory.getLong(header + HashLayout.CAPACITY_OFFSET);
        long used = memory.getLong(header + HashLayout.USED_OFFSET);
        if (capacity < 0 || Long.bitCount(capacity) > 1 || (capacity == 0) != (table == 0) || capacity > Integer.MAX_VALUE) {
            findings.add(kindName(kind) + " " + header + " has table " + table + " of capacity " + capacity, header);
            return;
        }
        if (table != 0 && !reach.owned(table, BlockTypes.HASH_TABLE, header + HashLayout.TABLE_OFFSET)) {
            return;
        }
        if (table != 0 && capacity > capacityOf(table) / entryBytes) {
            findings.add(kindName(kind) + " " + header + " of capacity " + capacity + " has a table block of "
                    + capacityOf(table) + " bytes", header);
            return;
        }
        long live = 0;
        long tombstones = 0;
        int[] emptiesBefore = new int[(int) capacity + 1]; // empties among entries [0, i)
        for (int i = 0; i < capacity; i++) {
            long control = memory.getLong(table + i * entryBytes);
            emptiesBefore[i + 1] = emptiesBefore[i] + (control == HashLayout.EMPTY ? 1 : 0);
        }
        for (long i = 0; i < capacity; i++) {
            long entry = table + i * entryBytes;
            long control = memory.getLong(entry + HashLayout.CONTROL_OFFSET);
            if (HashLayout.isLive(control)) {
                live++;
                entry(kind, header, entry, control, i, capacity, emptiesBefore);
            } else if (control == HashLayout.TOMBSTONE || control == HashLayout.EMPTY) {
                tombstones += control == HashLayout.TOMBSTONE ? 1 : 0;
                if (!isZero(entry + HashLayout.KEY_OFFSET, entryBytes - HashLayout.KEY_OFFSET)) {
                    findings.add(kindName(kind) + " " + header + " keeps a value in its free entry " + i, entry);
                }
            } else {
                findings.add(kindName(kind) + " " + header + " has entry " + i + " with control word " + control, entry);
            }
        }
        if (size != live) {
            findings.add(kindName(kind) + " " + header + " counts " + size + " entries but holds " + live,
                    header + HashLayout.SIZE_OFFSET);
        }
        if (used != live + tombstones || (capacity > 0 && used >= capacity)) {
            findings.add(kindName(kind) + " " + header + " counts " + used + " used entries but holds " + live
                    + " live and " + tombstones + " tombstones in " + capacity, header + HashLayout.USED_OFFSET);
        }
    }

    /** A live entry: its key and value, that its key hashes to its control word, and that a probe from its home finds it. */
    private void entry(int kind, long header, long entry, long control, long index, long capacity, int[] emptiesBefore) {
        long keySlot = entry + HashLayout.KEY_OFFSET;
        values.slot(keySlot, header, 0);
        if (kind == SlotKinds.MAP) {
            values.slot(entry + HashLayout.VALUE_OFFSET, header, 0);
        }
        long home = control & (capacity - 1);
        // A probe walks forward from home and stops at the first empty entry: none may lie between.
        long empties = home <= index ? emptiesBefore[(int) index] - emptiesBefore[(int) home]
                : emptiesBefore[(int) capacity] - emptiesBefore[(int) home] + emptiesBefore[(int) index];
        if (empties != 0) {
            findings.add(kindName(kind) + " " + header + " has entry " + index + " that a lookup from its home " + home
                    + " cannot reach", entry);
        }
        Long hash = keyHash(keySlot);
        if (hash != null && HashLayout.control(hash) != control) {
            findings.add(kindName(kind) + " " + header + " has entry " + index + " whose key does not hash to its control word",
                    entry);
        }
    }

    /** The hash of an inline or string key slot, or null for other keys (those would need their classes). */
    private Long keyHash(long slot) {
        SlotValue key = new SlotValue().readFrom(memory, slot);
        try {
            if (key.kind == SlotKinds.SHORT_STRING) {
                return StableHash.ofString((String) ValueSlots.decodeInline(key.kind, key.aux, key.bits, slot));
            }
            if (SlotKinds.isInline(key.kind)) {
                return KeyHash.ofInline(key);
            }
            if (key.kind == SlotKinds.STRING) {
                return StableHash.ofString(Blobs.string(context, key.bits, key.aux));
            }
        } catch (CorruptedRegionException e) {
            return null; // the slot walk has reported it
        }
        return null;
    }

    private boolean isZero(long offset, long bytes) {
        for (long i = 0; i + Long.BYTES <= bytes; i += Long.BYTES) {
            if (memory.getLong(offset + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case SlotKinds.LIST -> "list";
            case SlotKinds.MAP -> "map";
            case SlotKinds.OBJECT -> "shared object";
            default -> "set";
        };
    }
}
