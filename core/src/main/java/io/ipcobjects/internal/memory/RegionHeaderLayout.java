package io.ipcobjects.internal.memory;

/**
 * Layout of the region header: the first {@value #HEADER_PAGE_BYTES} bytes of the file. All
 * words are in the byte order of the creating machine, recorded in {@link #BYTE_ORDER_OFFSET}.
 *
 * <p>The diagrams of the {@code *Layout} classes are drawn at true scale: one 8-byte word per
 * line, the ruler numbering the bytes of the word, each box as wide as its field, the field's
 * offset on the left. A box that ends in {@code ...} runs on to the next offset shown; its size
 * in bytes, when fixed, is in parentheses.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |                       magic "IPCOBJS\0"                       |
 *        +-------------------------------+-------------------------------+
 *      8 |        layout version         |        byte-order mark        |
 *        +-------------------------------+-------------------------------+
 *     16 |                          region size                          |
 *        +-------------------------------+-------------------------------+
 *     24 |             state             |          heap start           |
 *        +-------------------------------+-------------------------------+
 *     32 |                          creator pid                          |
 *        +---------------------------------------------------------------+
 *     40 |                creator start time, clock ticks                |
 *        +---------------------------------------------------------------+
 *     48 |                   created at, epoch millis                    |
 *        +-------------------------------+-------------------------------+
 *     56 |      process-table slots      |    damage (0: sound; sticky)  |
 *        +-------------------------------+-------------------------------+
 *     64 |             undo log offset: UndoLogLayout, at the end        |
 *        +---------------------------------------------------------------+
 *     72 |                        undo log bytes                         |
 *        +---------------------------------------------------------------+
 *     80 |                         reserved (48)                         ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *    128 |        lock line (64): LockLayout, MessageQueueLayout         ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *    192 |            reserved (layout version 1: queue root)            |
 *        +---------------------------------------------------------------+
 *    200 |                      name directory root                      |
 *        +---------------------------------------------------------------+
 *    208 |                      type registry root                       |
 *        +---------------------------------------------------------------+
 *    216 |                           user root                           |
 *        +---------------------------------------------------------------+
 *    224 |  pending destruction: slot kind |           reserved            |
 *        +-------------------------------+-------------------------------+
 *    232 |        pending destruction: container offset (0: none)        |
 *        +---------------------------------------------------------------+
 *    240 |                           reserved                            |
 *    248 |                                                               |
 *        +---------------------------------------------------------------+
 *    256 |                lock counters (256): LockLayout                ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *    512 |               allocator (3584): AllocatorLayout               ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *   4096 |           process table (4096): ProcessTableLayout            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *   8192 |      process counters (4096): ProcessCountersLayout           ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *  12288 |                 heap: blocks, see BlockLayout                 ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *    log |        undo log (undo log bytes): UndoLogLayout, to the end   ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Damage: 0 while the region is sound. A process that finds damage it cannot undo (a
 * takeover whose log or heap check fails, a memory fault inside a scope) writes a nonzero
 * {@code DAMAGE_*} code here, and from then on every acquisition in every process refuses the
 * region with {@code CorruptedRegionException}: the damage is sticky until the region is
 * recreated.
 *
 * <p>The lock's line holds the lock word ({@code lock.LockLayout}) and the message queue's root
 * words ({@code messages.MessageQueueLayout}); the lock counters' area holds the takeovers
 * counter ({@code lock.LockLayout}), the rest of it reserved. The roots are offsets of the
 * structures built on the heap, 0 until created: the name directory
 * ({@code names.NameDirectoryLayout}), the type registry's newest entry
 * ({@code structs.TypeRegistryLayout}) and a user root ({@code Access.userRoot}). Reserved bytes
 * are zero (the file is created zero-filled).
 *
 * <p>Pending destruction: a container that no slot refers to any more, whose destruction
 * committed steps of the undo log ({@code codec.DestructionSteps}); a process that takes the
 * lock over from a dead holder finishes destroying it after the rollback. 0 between operations.
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
     * ({@code structs.TypeRegistryLayout}) instead of owning a descriptor blob; strings of at
     * most 8 Latin-1 chars are inline in their slot ({@code codec.SlotKinds.SHORT_STRING}).
     * 4: the undo log and the damage code.
     * 5: the undo log starts with a 256-byte own log per process-table slot ({@link UndoLogLayout}).
     * 6: per-process counters after the process table ({@link ProcessCountersLayout}); the heap starts at 12288.
     * 7: live shared objects: slot kind {@code codec.SlotKinds.OBJECT}, block tag
     * {@code alloc.BlockTypes.SHARED_OBJECT} ({@code structs.ObjectLayout}).
     * 8: channels and tensor rings: slot kinds {@code CHANNEL} and {@code TENSOR_RING}, block tags
     * {@code alloc.BlockTypes.CHANNEL} and {@code TENSOR_RING} ({@code channels.ChannelLayout},
     * {@code channels.TensorRingLayout}); a tensor header's reserved word at 40 becomes its
     * identity ({@code tensor.TensorLayout#IDENTITY_OFFSET}).
     * 9: a ring's freed word on its head's line ({@code channels.RingLayout#FREED_OFFSET}).
     * 10: a channel's producers word and producer seat ({@code channels.ChannelLayout#PRODUCERS_OFFSET}).
     * 11: a ring's claim words past its entries ({@code channels.RingLayout#claimsOffset}).
     */
    public static final int LAYOUT_VERSION = 11;
    /** Written as an int in native order: reads back as this value only on a same-order machine. */
    public static final int BYTE_ORDER_MARK = 0x0102_0304;

    // ---- the fields ----

    public static final long MAGIC_OFFSET = 0;
    public static final long LAYOUT_VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    public static final long BYTE_ORDER_OFFSET = LAYOUT_VERSION_OFFSET + Integer.BYTES;
    public static final long REGION_SIZE_OFFSET = BYTE_ORDER_OFFSET + Integer.BYTES;
    public static final long STATE_OFFSET = REGION_SIZE_OFFSET + Long.BYTES;
    /** The heap's start as an int (always {@link #HEAP_START}). */
    public static final long HEAP_START_FIELD_OFFSET = STATE_OFFSET + Integer.BYTES;
    public static final long CREATOR_PID_OFFSET = HEAP_START_FIELD_OFFSET + Integer.BYTES;
    public static final long CREATOR_START_TICKS_OFFSET = CREATOR_PID_OFFSET + Long.BYTES;
    public static final long CREATED_AT_MILLIS_OFFSET = CREATOR_START_TICKS_OFFSET + Long.BYTES;
    /** The process table's slot count as an int (always {@code ProcessTableLayout.SLOT_COUNT}). */
    public static final long PROCESS_SLOTS_OFFSET = CREATED_AT_MILLIS_OFFSET + Long.BYTES;
    /** 0 while the region is sound, else a {@code DAMAGE_*} code (an int): sticky. */
    public static final long DAMAGE_OFFSET = PROCESS_SLOTS_OFFSET + Integer.BYTES;
    /** Offset of the undo log's area ({@link UndoLogLayout}), a long: the heap ends there. */
    public static final long UNDO_LOG_OFFSET_FIELD = DAMAGE_OFFSET + Integer.BYTES;
    /** Bytes of the undo log's area, a long. */
    public static final long UNDO_LOG_BYTES_FIELD = UNDO_LOG_OFFSET_FIELD + Long.BYTES;
    /** Reserved after the fields, up to the lock's line. */
    public static final long FIELDS_RESERVED_OFFSET = UNDO_LOG_BYTES_FIELD + Long.BYTES;
    public static final long FIELDS_RESERVED_BYTES = 48;

    // ---- the lock's line ----

    /**
     * The lock's cache line: the lock word ({@code lock.LockLayout}), then the message queue's
     * root words ({@code messages.MessageQueueLayout}), so a put or take under the lock moves this
     * one line between cores, not a second one for the queue.
     */
    public static final long LOCK_LINE_OFFSET = FIELDS_RESERVED_OFFSET + FIELDS_RESERVED_BYTES;
    public static final long LOCK_LINE_BYTES = 64;

    // ---- roots: offsets of the structures built on the heap, 0 until created ----

    /** Layout version 1's message queue root; reserved (0) since version 2. */
    public static final long ROOT_RESERVED_OFFSET = LOCK_LINE_OFFSET + LOCK_LINE_BYTES;
    public static final long ROOT_NAME_DIRECTORY_OFFSET = ROOT_RESERVED_OFFSET + Long.BYTES;
    public static final long ROOT_TYPE_REGISTRY_OFFSET = ROOT_NAME_DIRECTORY_OFFSET + Long.BYTES;
    public static final long ROOT_USER_OFFSET = ROOT_TYPE_REGISTRY_OFFSET + Long.BYTES;
    /** The slot kind (an int) of the container being destroyed in committed steps, if any. */
    public static final long PENDING_DESTRUCTION_KIND_OFFSET = ROOT_USER_OFFSET + Long.BYTES;
    /** The header offset (a long) of the container being destroyed in committed steps; 0: none. */
    public static final long PENDING_DESTRUCTION_OFFSET = PENDING_DESTRUCTION_KIND_OFFSET + Long.BYTES;
    /** Reserved after the roots, for roots to come. */
    public static final long ROOTS_SPARE_OFFSET = PENDING_DESTRUCTION_OFFSET + Long.BYTES;
    public static final long ROOTS_SPARE_BYTES = 16;
    /** End of the roots' area. */
    public static final long ROOT_RESERVED_END = ROOTS_SPARE_OFFSET + ROOTS_SPARE_BYTES;

    // ---- areas laid out by other classes ----

    /** Lock counters, off the lock's line (written only on a takeover): see {@code lock.LockLayout}. */
    public static final long LOCK_COUNTERS_OFFSET = ROOT_RESERVED_END;
    public static final long LOCK_COUNTERS_BYTES = 256;

    /** Start of the allocator's state; laid out by {@code alloc.AllocatorLayout}. */
    public static final long ALLOCATOR_OFFSET = LOCK_COUNTERS_OFFSET + LOCK_COUNTERS_BYTES;
    public static final long ALLOCATOR_BYTES = 3584;
    public static final long ALLOCATOR_END = ALLOCATOR_OFFSET + ALLOCATOR_BYTES;

    /** The process table: {@link ProcessTableLayout}. */
    public static final long PROCESS_TABLE_OFFSET = ALLOCATOR_END;

    /** The per-process counters: {@link ProcessCountersLayout}. */
    public static final long PROCESS_COUNTERS_OFFSET = PROCESS_TABLE_OFFSET + ProcessTableLayout.TABLE_BYTES;

    /** Header, process table and counters; the heap starts here. */
    public static final long HEADER_PAGE_BYTES = PROCESS_COUNTERS_OFFSET + ProcessCountersLayout.TABLE_BYTES;
    public static final long HEAP_START = HEADER_PAGE_BYTES;

    /** Smallest heap worth having. */
    public static final long MIN_HEAP_BYTES = 4096;
    /** Smallest region that holds the header, a useful heap and the smallest undo log. */
    public static final long MIN_REGION_SIZE = HEAP_START + MIN_HEAP_BYTES + UndoLogLayout.MIN_LOG_BYTES;

    public static final int STATE_NONE = 0;
    public static final int STATE_INITIALIZING = 1;
    public static final int STATE_READY = 2;
    public static final int STATE_CLOSING = 3;

    /** Damage codes ({@link #DAMAGE_OFFSET}); 0 is sound. */
    public static final int DAMAGE_NONE = 0;
    /** The undo log of a dead owner could not be replayed (entries out of bounds). */
    public static final int DAMAGE_BAD_UNDO_LOG = 1;
    /** After a takeover and its rollback, the heap check still failed. */
    public static final int DAMAGE_HEAP_INCONSISTENT = 2;
    /** A memory access faulted inside a scope: the file shrank under the mapping. */
    public static final int DAMAGE_MEMORY_FAULT = 3;
    /** An operation found a structure it could not make sense of while writing. */
    public static final int DAMAGE_FOUND_WHILE_WRITING = 4;
    /**
     * An operation overflowed the undo log and its old contents were held in its process until
     * its rollback: cleared by that rollback, sticky if the process died first.
     */
    public static final int DAMAGE_ROLLBACK_PENDING = 5;

    public static String damageName(int damage) {
        return switch (damage) {
            case DAMAGE_NONE -> "none";
            case DAMAGE_BAD_UNDO_LOG -> "a dead owner's undo log could not be replayed";
            case DAMAGE_HEAP_INCONSISTENT -> "the heap was inconsistent after a dead owner's work was rolled back";
            case DAMAGE_MEMORY_FAULT -> "a memory access faulted (the region file shrank under its mapping)";
            case DAMAGE_FOUND_WHILE_WRITING -> "an operation found a corrupted structure while changing it";
            case DAMAGE_ROLLBACK_PENDING -> "a process died while undoing an operation too large for the undo log";
            default -> "unknown damage code " + damage;
        };
    }

    public static String stateName(int state) {
        return switch (state) {
            case STATE_NONE -> "NONE";
            case STATE_INITIALIZING -> "INITIALIZING";
            case STATE_READY -> "READY";
            case STATE_CLOSING -> "CLOSING";
            default -> "UNKNOWN(" + state + ")";
        };
    }
}
