package io.ipcobjects.internal.verify;

import static io.ipcobjects.internal.structs.TypeRegistryLayout.*;

import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The type registry's list ({@code structs.TypeRegistryLayout}): every entry a type entry block,
 * reached once, ordinals counting down by one to 1 at the oldest, a descriptor that fits its block
 * and names a class and as many fields as the entry counts. Returns the entries, which are what a
 * struct may name. Nothing is loaded.
 */
final class TypeRegistryCheck {
    private TypeRegistryCheck() {
    }

    /** The registry's entries and their field counts. */
    static Map<Long, Long> walk(RegionMemory memory, Reach reach) {
        Map<Long, Long> entries = new HashMap<>();
        Findings findings = reach.findings();
        long from = RegionHeaderLayout.ROOT_TYPE_REGISTRY_OFFSET;
        long entry = memory.getLong(from);
        long previousOrdinal = -1;
        while (entry != 0) {
            if (!reach.owned(entry, BlockTypes.TYPE_DESCRIPTOR, from)) {
                return entries; // not an entry, or a cycle: nothing further can be trusted
            }
            long capacity = reach.census().blockBytes(reach.census().indexOf(entry)) - BlockLayout.HEADER_BYTES;
            long ordinal = memory.getLong(entry + ORDINAL_OFFSET);
            long fields = memory.getLong(entry + FIELD_COUNT_OFFSET);
            long length = memory.getLong(entry + LENGTH_OFFSET);
            if (previousOrdinal != -1 && ordinal != previousOrdinal - 1 || ordinal < 1) {
                findings.add("type entry " + entry + " has ordinal " + ordinal + " after " + previousOrdinal, entry);
            }
            previousOrdinal = ordinal;
            if (length < 0 || length > capacity - DESCRIPTOR_OFFSET || fields < 0) {
                findings.add("type entry " + entry + " of " + fields + " fields has a descriptor of " + length
                        + " bytes in a block of " + capacity, entry);
            } else {
                checkDescriptor(memory, entry, length, fields, findings);
                entries.put(entry, fields);
            }
            from = entry + NEXT_OFFSET;
            entry = memory.getLong(from);
        }
        if (previousOrdinal > 1) {
            findings.add("the oldest type entry has ordinal " + previousOrdinal + ", not 1", from);
        }
        return entries;
    }

    private static void checkDescriptor(RegionMemory memory, long entry, long length, long fields, Findings findings) {
        byte[] bytes = memory.slice(entry + DESCRIPTOR_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            findings.add("type entry " + entry + " has a descriptor that is not UTF-8", entry);
            return;
        }
        String[] lines = text.split("\n", -1);
        if (lines.length != fields + 1 || lines[0].isEmpty()) {
            findings.add("type entry " + entry + " counts " + fields + " fields but its descriptor names "
                    + (lines.length - 1) + (lines[0].isEmpty() ? ", and no class" : ""), entry);
        }
    }
}
