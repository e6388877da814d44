package io.ipcobjects.internal.verify;

import static io.ipcobjects.internal.names.NameDirectoryLayout.*;

import io.ipcobjects.internal.alloc.BlockLayout;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.names.NameDirectory;

import java.lang.foreign.ValueLayout;

/**
 * The name directory ({@code names.NameDirectoryLayout}): its block, bucket count, every chain
 * (entries reached once, in the bucket their hash picks, the hash that of their name, the name's
 * length within its block), the entry count against the entries found, and each entry's value.
 */
final class NameDirectoryCheck {
    private NameDirectoryCheck() {
    }

    static void walk(RegionMemory memory, Reach reach, ValueWalk values) {
        Findings findings = reach.findings();
        long directory = memory.getLong(RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET);
        if (directory == 0
                || !reach.owned(directory, BlockTypes.NAME_DIRECTORY, RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET)) {
            return;
        }
        long capacity = reach.census().blockBytes(reach.census().indexOf(directory)) - BlockLayout.HEADER_BYTES;
        long buckets = memory.getLong(directory + BUCKET_COUNT_OFFSET);
        long count = memory.getLong(directory + ENTRY_COUNT_OFFSET);
        if (buckets < INITIAL_BUCKETS || buckets > MAX_BUCKETS || Long.bitCount(buckets) != 1
                || directoryBytes(buckets) > capacity) {
            findings.add("name directory has " + buckets + " buckets in a block of " + capacity + " bytes", directory);
            return;
        }
        long found = 0;
        for (long index = 0; index < buckets; index++) {
            long from = directory + bucketOffset(index);
            for (long entry = memory.getLong(from); entry != 0; entry = memory.getLong(from)) {
                if (!reach.owned(entry, BlockTypes.NAME_ENTRY, from)) {
                    break; // a bad link, or a chain that comes back: the rest of it cannot be followed
                }
                found++;
                long entryCapacity = reach.census().blockBytes(reach.census().indexOf(entry)) - BlockLayout.HEADER_BYTES;
                entry(memory, entry, entryCapacity, buckets, index, findings);
                values.slot(entry + VALUE_SLOT_OFFSET, entry, 0);
                from = entry + NEXT_OFFSET;
            }
        }
        if (found != count) {
            findings.add("name directory counts " + count + " entries but holds " + found, directory + ENTRY_COUNT_OFFSET);
        }
    }

    private static void entry(RegionMemory memory, long entry, long capacity, long buckets, long index, Findings findings) {
        int length = memory.getInt(entry + NAME_LENGTH_OFFSET);
        if (length < 1 || length > MAX_NAME_BYTES || entryBytes(length) > capacity) {
            findings.add("name entry " + entry + " has a name of " + length + " bytes", entry + NAME_LENGTH_OFFSET);
            return;
        }
        int hash = memory.getInt(entry + HASH_OFFSET);
        byte[] name = memory.slice(entry + NAME_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
        if (hash != NameDirectory.hashOf(name)) {
            findings.add("name entry " + entry + " keeps a hash that is not its name's", entry + HASH_OFFSET);
        } else if ((hash & (buckets - 1)) != index) {
            findings.add("name entry " + entry + " sits in bucket " + index + ", not the one its hash picks", entry);
        }
    }
}
