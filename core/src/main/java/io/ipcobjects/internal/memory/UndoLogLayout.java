package io.ipcobjects.internal.memory;

/**
 * Layout of the undo log: the last {@code undo log bytes} of the region (offset and size in the
 * header, {@link RegionHeaderLayout#UNDO_LOG_OFFSET_FIELD}), after the heap. It holds the old
 * contents of every word the lock holder overwrote in its current scope, so that whoever takes
 * the lock over from a dead owner can put them back ({@link UndoLog}).
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |          length: bytes of entries in use, 0 = nothing to undo |
 *        +---------------------------------------------------------------+
 *      8 |                         reserved (56)                         ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
 *     64 |                 entries, one after the other                  ...
 *      ...                                                               |
 *        +---------------------------------------------------------------+
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
 * </pre>
 *
 * The first word is the little-endian view: the kind is the low byte of the entry's first long.
 * The length word is the commit point: an entry counts once the length covers it (written with
 * release after the entry), and the scope commits by setting the length back to 0.
 */
public final class UndoLogLayout {
    private UndoLogLayout() {
    }

    /** Bytes of entries in use, a long: 0 when no scope has uncommitted writes. */
    public static final long LENGTH_OFFSET = 0;
    /** Reserved after the length, to the end of its cache line. */
    public static final long RESERVED_OFFSET = LENGTH_OFFSET + Long.BYTES;
    /** Where the entries start. */
    public static final long ENTRIES_OFFSET = 64;

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

    /** Smallest log: a header line and room for a few hundred word entries. */
    public static final long MIN_LOG_BYTES = 16 * 1024;
    /** Largest log the default picks: writes to existing state beyond this fail the scope cleanly. */
    public static final long MAX_DEFAULT_LOG_BYTES = 64L * 1024 * 1024;

    /** The log size a region of {@code regionBytes} gets: 1/16 of it, within [16 KiB, 64 MiB], in whole pages. */
    public static long defaultLogBytes(long regionBytes) {
        long wanted = Math.clamp(regionBytes / 16, MIN_LOG_BYTES, MAX_DEFAULT_LOG_BYTES);
        return wanted & ~4095L;
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
