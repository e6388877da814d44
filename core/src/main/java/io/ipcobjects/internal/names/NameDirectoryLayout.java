package io.ipcobjects.internal.names;

import io.ipcobjects.internal.codec.SlotLayout;

/**
 * Layout of the named-object directory: a hash table with separate chaining, found through the
 * header word {@code RegionHeaderLayout.ROOT_NAME_DIRECTORY_OFFSET}. The table block holds the
 * bucket heads; each name is one entry block holding its value slot and its UTF-8 bytes.
 *
 * <pre>
 * Directory (block tag NAME_DIRECTORY), payload:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                 bucket count, a power of two                  |
 *        +---------------------------------------------------------------+
 *      8 |                   entry count: names stored                   |
 *        +---------------------------------------------------------------+
 *     16 |             bucket 0: its first entry, 0 = empty              |
 *        +---------------------------------------------------------------+
 *     24 |                           bucket 1                            |
 *        +---------------------------------------------------------------+
 *     32 |           bucket 2 ... bucket count-1, 8 bytes each           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *
 * Entry (block tag NAME_ENTRY), payload:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |            next entry in the same bucket, 0 = last            |
 *        +-------------------------------+-------------------------------+
 *      8 |           name hash           |          name length          |
 *        +-------------------------------+-------------------------------+
 *     16 |              value slot (SlotLayout): the object              |
 *     24 |                                                               |
 *        +---------------------------------------------------------------+
 *     32 |            name: UTF-8 bytes (name length of them)            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Buckets and next links hold payload offsets of entries. The name length counts UTF-8
 * bytes; the value slot is written by {@code codec.ValueSlots}.
 *
 * <p>An entry lives in bucket {@code hash & (bucket count - 1)}; the hash is
 * {@link NameKey#hash} of the name's UTF-8 bytes, the same in every JVM.
 */
public final class NameDirectoryLayout {
    private NameDirectoryLayout() {
    }

    public static final long BUCKET_COUNT_OFFSET = 0;
    public static final long ENTRY_COUNT_OFFSET = BUCKET_COUNT_OFFSET + Long.BYTES;
    /** Bucket heads, a long each. */
    public static final long BUCKETS_OFFSET = ENTRY_COUNT_OFFSET + Long.BYTES;

    /** Buckets of a new directory; it doubles when entries exceed 3/4 of the buckets. */
    public static final long INITIAL_BUCKETS = 16;
    /** The directory stops growing here (chains get longer instead): 8 MiB of buckets. */
    public static final long MAX_BUCKETS = 1L << 20;

    // ---- an entry ----

    public static final long NEXT_OFFSET = 0;
    public static final long HASH_OFFSET = NEXT_OFFSET + Long.BYTES;
    public static final long NAME_LENGTH_OFFSET = HASH_OFFSET + Integer.BYTES;
    public static final long VALUE_SLOT_OFFSET = NAME_LENGTH_OFFSET + Integer.BYTES;
    public static final long NAME_OFFSET = VALUE_SLOT_OFFSET + SlotLayout.SLOT_BYTES;

    /** Longest name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 4096;

    /** Payload bytes of a directory with {@code buckets} buckets. */
    public static long directoryBytes(long buckets) {
        return BUCKETS_OFFSET + buckets * Long.BYTES;
    }

    /** Offset of bucket {@code index}'s head word inside a directory payload. */
    public static long bucketOffset(long index) {
        return BUCKETS_OFFSET + index * Long.BYTES;
    }

    /** Payload bytes of an entry for a name of {@code nameBytes} UTF-8 bytes. */
    public static long entryBytes(int nameBytes) {
        return NAME_OFFSET + nameBytes;
    }
}
