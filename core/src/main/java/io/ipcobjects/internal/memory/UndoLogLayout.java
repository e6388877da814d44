package io.ipcobjects.internal.memory;

/**
 * Layout of the undo log: the last {@code undo log bytes} of the region (offset and size in the
 * header, {@link RegionHeaderLayout#UNDO_LOG_OFFSET_FIELD}), after the heap. It holds the old
 * contents of every word the lock holder overwrote in its open scope, so that whoever takes the
 * lock over from a dead owner can put them back ({@link UndoLog}).
 *
 * <p>The area starts with one small <em>own log</em> per process-table slot, then one shared
 * part. A scope logs into the own log of its handle's slot first: the length word (the commit
 * point) and the first entries of a short scope then stay in cache lines no other process
 * writes, so handing the lock between processes moves no log line. Entries that do not fit
 * go on in the shared part, which only the lock holder writes; its extent is given by the
 * holder's length word.
 *
 * <pre>
 * The area:
 *        0 +---------------------------------------------------------------+
 *          | own log of slot 0 (256 bytes)                                 |
 *      256 +---------------------------------------------------------------+
 *          | own log of slot 1                                             |
 *          ...                                                             ...
 *    16128 +---------------------------------------------------------------+
 *          | own log of slot 63                                            |
 *    16384 +---------------------------------------------------------------+
 *          | shared part: entries past the own log's, to the area's end    ...
 *          ...                                                             |
 *          +---------------------------------------------------------------+
 *
 * An own log (256 bytes):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |  length: bytes of entries in use, own and shared; 0 = nothing |
 *        +---------------------------------------------------------------+
 *      8 |                 entries, one after the other (248)            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *
 * Entry positions run from 0 to the length: [0, 248) in the own log, from 248 on in the shared
 * part (position p at shared offset p - 248). An entry never straddles the two: when the next
 * one does not fit the own log's rest, a skip entry (its first word only) ends the own log.
 *
 * Word entry (a byte, an int or a long was overwritten):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |            target offset (56 bits)            |     kind      |
 *        +-----------------------------------------------+---------------+
 *      8 |                old value (low bytes for int/byte)             |
 *        +---------------------------------------------------------------+
 *
 * Range entry (bytes overwritten by a fill or a copy):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |            target offset (56 bits)            | KIND_RANGE    |
 *        +-----------------------------------------------+---------------+
 *      8 |                        length in bytes                        |
 *        +---------------------------------------------------------------+
 *     16 |               old bytes, padded to a multiple of 8            ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *
 * Skip entry: one word, target 0 and KIND_SKIP: the next entry is at position 248.
 * </pre>
 *
 * The first word is the little-endian view: the kind is the low byte of the entry's first long.
 * The length word is the commit point: an entry counts once the length covers it (written with
 * release after the entry), and a scope commits by setting the length back to 0. At most one
 * own log holds entries at a time: only the lock holder writes one, it commits before it
 * releases, and a taker replays a dead holder's entries (and clears its length) before it
 * writes any of its own.
 */
public final class UndoLogLayout {
    private UndoLogLayout() {
    }

    /** Bytes of one slot's own log: its length word and its first entries. */
    public static final long OWN_LOG_BYTES = 256;
    /** All the own logs, one per process-table slot; the shared part starts here. */
    public static final long OWN_LOGS_BYTES = ProcessTableLayout.SLOT_COUNT * OWN_LOG_BYTES;
    /** In an own log: bytes of entries in use (own and shared), a long; 0 when nothing is to be undone. */
    public static final long LENGTH_OFFSET = 0;
    /** In an own log: where its entries start. */
    public static final long OWN_ENTRIES_OFFSET = LENGTH_OFFSET + Long.BYTES;
    /** Entry bytes an own log holds; positions from here on are in the shared part. */
    public static final long OWN_ENTRY_BYTES = OWN_LOG_BYTES - OWN_ENTRIES_OFFSET;
    /** Where the shared part starts in the area. */
    public static final long SHARED_ENTRIES_OFFSET = OWN_LOGS_BYTES;

    /** An entry's first word: target offset and kind. */
    public static final long ENTRY_TARGET_OFFSET = 0;
    /** A word entry's old value, or a range entry's length. */
    public static final long ENTRY_VALUE_OFFSET = ENTRY_TARGET_OFFSET + Long.BYTES;
    /** A range entry's old bytes. */
    public static final long ENTRY_BYTES_OFFSET = ENTRY_VALUE_OFFSET + Long.BYTES;
    /** Bytes of a word entry. */
    public static final long WORD_ENTRY_BYTES = ENTRY_BYTES_OFFSET;

    public static final int KIND_BYTE = 1;
    public static final int KIND_INT = 4;
    public static final int KIND_LONG = 8;
    public static final int KIND_RANGE = 0x20;
    /** The rest of the own log is unused: the next entry is at position {@link #OWN_ENTRY_BYTES}. */
    public static final int KIND_SKIP = 0x40;

    /** Bytes of the smallest shared part. */
    public static final long MIN_SHARED_BYTES = 16 * 1024;
    /** Smallest log: the own logs and a shared part with room for about a thousand word entries. */
    public static final long MIN_LOG_BYTES = OWN_LOGS_BYTES + MIN_SHARED_BYTES;
    /** Largest shared part the default picks: writes to existing state beyond this spill (see {@link UndoLog}). */
    public static final long MAX_DEFAULT_SHARED_BYTES = 64L * 1024 * 1024;

    /**
     * The log size a region of {@code regionBytes} gets: the own logs, and a shared part of 1/16
     * of the region within [16 KiB, 64 MiB], in whole pages.
     */
    public static long defaultLogBytes(long regionBytes) {
        long shared = Math.clamp(regionBytes / 16, MIN_SHARED_BYTES, MAX_DEFAULT_SHARED_BYTES) & ~4095L;
        return OWN_LOGS_BYTES + shared;
    }

    /** The own log of process-table slot {@code slot}, from the area's start. */
    public static long ownLogOffset(int slot) {
        return slot * OWN_LOG_BYTES;
    }

    public static long entryHead(long target, int kind) {
        return (target << 8) | kind;
    }

    public static long entryTarget(long head) {
        return head >>> 8;
    }

    public static int entryKind(long head) {
        return (int) (head & 0xFF);
    }

    /** Bytes a range entry of {@code length} bytes takes. */
    public static long rangeEntryBytes(long length) {
        return ENTRY_BYTES_OFFSET + ((length + 7) & ~7L);
    }
}
