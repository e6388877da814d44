package io.ipcobjects.internal.memory;

import java.nio.ByteOrder;

/**
 * Layout of the region header: the first {@value #HEADER_PAGE_BYTES} bytes of the file. All
 * words are in the byte order of the creating machine, recorded in {@link #BYTE_ORDER_OFFSET}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic "IPCOBJS\0" (8)                     |  0
 *  +-------------------------------+-------------------------------+
 *  |        layout version         |      byte-order mark          |  8
 *  +-------------------------------+-------------------------------+
 *  |                       region size (8)                         | 16
 *  +-------------------------------+-------------------------------+
 *  |     state (INIT/READY/CLOS)   |  heap start (bytes, 4)        | 24
 *  +-------------------------------+-------------------------------+
 *  |                       creator pid (8)                         | 32
 *  |                creator start time, clock ticks (8)            | 40
 *  |                  created at, epoch millis (8)                 | 48
 *  +-------------------------------+-------------------------------+
 *  |     process table slots       |          reserved             | 56
 *  +-------------------------------+-------------------------------+
 *  |                   reserved up to byte 128                     |
 *  +---------------------------------------------------------------+
 *  |  lock word, then the message queue's root words: one cache    | 128..191
 *  |  line, see LockLayout and MessageQueueLayout                  |
 *  +---------------------------------------------------------------+
 *  |  roots: reserved (8), offsets of the name directory, the      | 192..255
 *  |  type registry's newest entry (TypeRegistryLayout) and a user |
 *  |  root (0 = none yet)                                          |
 *  +---------------------------------------------------------------+
 *  |  lock counters (takeovers), see LockLayout                    | 256..263
 *  +---------------------------------------------------------------+
 *  |  reserved                                                     | 264..511
 *  +---------------------------------------------------------------+
 *  |  allocator state and free-list bins: see AllocatorLayout     | 512..4095
 *  +---------------------------------------------------------------+
 *  |  process table: 64 slots of 64 bytes, see ProcessTableLayout  | 4096..8191
 *  +---------------------------------------------------------------+
 *  |  heap: blocks, see BlockLayout                                | 8192..size
 * </pre>
 *
 * <p>Publication: the creator writes every field, then the magic (release), then the state
 * {@code READY} (release). An attacher reads state and magic with acquire, so it sees a complete
 * header or keeps waiting.
 */
public final class RegionHeaderLayout {
    private RegionHeaderLayout() {
    }

    /** "IPCOBJS" followed by a zero byte, read as a native-order long. */
    public static final long MAGIC = 0x0053_4A42_4F43_5049L;
    /**
     * 2: the message queue's root words moved from a heap block onto the lock's cache line.
     * 3: a struct refers to its class's shared entry in the type registry
     * ({@code objects.TypeRegistryLayout}) instead of owning a descriptor blob; strings of at
     * most 8 Latin-1 chars are inline in their slot ({@code values.SlotKinds.SHORT_STRING}).
     */
    public static final int LAYOUT_VERSION = 3;
    /** Written as an int in native order: reads back as this value only on a same-order machine. */
    public static final int BYTE_ORDER_MARK = 0x0102_0304;

    public static final long MAGIC_OFFSET = 0;
    public static final long LAYOUT_VERSION_OFFSET = 8;
    public static final long BYTE_ORDER_OFFSET = 12;
    public static final long REGION_SIZE_OFFSET = 16;
    public static final long STATE_OFFSET = 24;
    public static final long HEAP_START_FIELD_OFFSET = 28;
    public static final long CREATOR_PID_OFFSET = 32;
    public static final long CREATOR_START_TICKS_OFFSET = 40;
    public static final long CREATED_AT_MILLIS_OFFSET = 48;
    public static final long PROCESS_SLOTS_OFFSET = 56;

    /**
     * The lock's cache line: the lock word ({@code io.ipcobjects.internal.lock.LockLayout}), then the
     * message queue's root words ({@code io.ipcobjects.internal.messages.MessageQueueLayout}), so a put or
     * take under the lock moves this one line between cores, not a second one for the queue.
     */
    public static final long LOCK_LINE_OFFSET = 128;
    public static final long LOCK_LINE_BYTES = 64;

    /** Root offsets of the structures built on the heap; 0 until created (192 is reserved, 0). */
    public static final long ROOT_NAME_DIRECTORY_OFFSET = 200;
    public static final long ROOT_TYPE_REGISTRY_OFFSET = 208;
    public static final long ROOT_USER_OFFSET = 216;
    public static final long ROOT_RESERVED_END = 256;

    /** Lock counters, off the lock's line (written only on a takeover). */
    public static final long LOCK_COUNTERS_OFFSET = 256;

    /** Start of the allocator's state; laid out by {@code io.ipcobjects.internal.alloc.AllocatorLayout}. */
    public static final long ALLOCATOR_OFFSET = 512;
    public static final long ALLOCATOR_END = 4096;

    public static final long PROCESS_TABLE_OFFSET = 4096;

    /** Header plus process table; the heap starts here. */
    public static final long HEADER_PAGE_BYTES = 8192;
    public static final long HEAP_START = HEADER_PAGE_BYTES;

    /** Smallest region that holds the header and a useful heap. */
    public static final long MIN_REGION_SIZE = HEAP_START + 4096;

    public static final int STATE_NONE = 0;
    public static final int STATE_INITIALIZING = 1;
    public static final int STATE_READY = 2;
    public static final int STATE_CLOSING = 3;

    public static String stateName(int state) {
        return switch (state) {
            case STATE_NONE -> "NONE";
            case STATE_INITIALIZING -> "INITIALIZING";
            case STATE_READY -> "READY";
            case STATE_CLOSING -> "CLOSING";
            default -> "UNKNOWN(" + state + ")";
        };
    }

    public static boolean nativeOrderIsLittleEndian() {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    }
}
