package io.ipcobjects.internal.memory;

/**
 * Which bytes of the region file carry open-file-description locks ({@link NativeFiles}), and
 * who holds them. A lock on a byte is the kernel's record that an open file description (one
 * handle's descriptor) holds it; it says nothing about the byte's content and never stops a
 * read or write through the mapping. The kernel drops a handle's locks when its descriptor is
 * closed or its process dies, however it dies, in whatever pid namespace it runs: that is what
 * makes them the judge of liveness.
 *
 * <pre>
 *   file byte                            lock                 held by
 *   +----------------------------------+--------------------+-------------------------------------+
 *   | 0 (first byte of the magic)      | presence, shared   | every attached handle, for its life |
 *   +----------------------------------+--------------------+-------------------------------------+
 *   | 1                                | replacement, excl. | a creator replacing this stale file |
 *   |                                  |                    | at its path, while it does          |
 *   +----------------------------------+--------------------+-------------------------------------+
 *   | slotOffset(i) (first byte of     | slot i, exclusive  | the handle in process-table slot i, |
 *   | slot i's word, ProcessTable-     |                    | for its life; briefly, whoever      |
 *   | Layout)                          |                    | reclaims slot i of a dead handle    |
 *   +----------------------------------+--------------------+-------------------------------------+
 * </pre>
 *
 * <p>So "is anybody attached?" is "can I take an exclusive lock on the presence byte", and "is
 * the handle in slot i alive?" is "does another description hold slot i's byte".
 */
public final class FileLockLayout {
    private FileLockLayout() {
    }

    /** Shared by every attached handle; an exclusive lock on it succeeds only on a file nobody uses. */
    public static final long PRESENCE_BYTE = 0;
    /** Exclusive, held by a creator while it replaces the stale file; serializes racing creators. */
    public static final long REPLACEMENT_BYTE = 1;

    /** The byte whose exclusive lock marks slot {@code slot} as held by a live handle. */
    public static long slotLockByte(int slot) {
        return ProcessTableLayout.slotOffset(slot) + ProcessTableLayout.SLOT_WORD_OFFSET;
    }
}
