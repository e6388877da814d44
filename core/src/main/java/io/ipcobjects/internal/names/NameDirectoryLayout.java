package io.ipcobjects.internal.names;

import io.ipcobjects.internal.codec.ValueSlots;

/**
 * Layout of the named-object directory: a hash table with separate chaining, found through the
 * header word {@code RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET}. The table block holds the
 * bucket heads; each name is one entry block holding its value slot and its UTF-8 bytes.
 *
 * <pre>
 * Directory (block tag NAME_DIRECTORY), payload:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  bucket count (8), a power of two                             |  0
 *  +---------------------------------------------------------------+
 *  |  entry count (8): names stored                                |  8
 *  +---------------------------------------------------------------+
 *  |  bucket 0: payload offset of its first entry (8), 0 = empty   | 16
 *  |  bucket 1 ...                                                 | 24
 *  |  ... bucket count words                                       |
 *  +---------------------------------------------------------------+
 *
 * Entry (block tag NAME_ENTRY), payload:
 *  +---------------------------------------------------------------+
 *  |  next entry in the same bucket (8), 0 = last                  |  0
 *  +-------------------------------+-------------------------------+
 *  |  name hash (4)                |  name length, UTF-8 bytes (4) |  8
 *  +-------------------------------+-------------------------------+
 *  |  value slot (16): the object, see values.ValueSlots           | 16
 *  +---------------------------------------------------------------+
 *  |  name, UTF-8 bytes (name length), then padding                | 32
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>An entry lives in bucket {@code hash & (bucket count - 1)}; the hash is
 * {@link NameKey#hash} of the name's UTF-8 bytes, the same in every JVM.
 */
public final class NameDirectoryLayout {
    private NameDirectoryLayout() {
    }

    public static final long BUCKET_COUNT_OFFSET = 0;
    public static final long ENTRY_COUNT_OFFSET = 8;
    public static final long BUCKETS_OFFSET = 16;

    /** Buckets of a new directory; it doubles when entries exceed 3/4 of the buckets. */
    public static final long INITIAL_BUCKETS = 16;
    /** The directory stops growing here (chains get longer instead): 8 MiB of buckets. */
    public static final long MAX_BUCKETS = 1L << 20;

    public static final long NEXT_OFFSET = 0;
    public static final long HASH_OFFSET = 8;
    public static final long NAME_LENGTH_OFFSET = 12;
    public static final long VALUE_SLOT_OFFSET = 16;
    public static final long NAME_OFFSET = VALUE_SLOT_OFFSET + ValueSlots.SLOT_BYTES;

    /** Longest name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 4096;

    /** Payload bytes of a directory with {@code buckets} buckets. */
    public static long directoryBytes(long buckets) {
        return BUCKETS_OFFSET + buckets * 8;
    }

    /** Offset of bucket {@code index}'s head word inside a directory payload. */
    public static long bucketOffset(long index) {
        return BUCKETS_OFFSET + index * 8;
    }

    /** Payload bytes of an entry for a name of {@code nameBytes} UTF-8 bytes. */
    public static long entryBytes(int nameBytes) {
        return NAME_OFFSET + nameBytes;
    }
}
