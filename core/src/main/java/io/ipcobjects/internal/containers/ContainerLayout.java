package io.ipcobjects.internal.containers;

/**
 * The first words of every live container header (lists: {@link ListLayout}, maps and sets:
 * {@link HashLayout}).
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |           identity: random, non-zero while it lives           |
 *        +---------------------------------------------------------------+
 *      8 |                          references                           |
 *        +---------------------------------------------------------------+
 *     16 |                      modification count                       |
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>identity: random and non-zero while the container lives; a view compares it with the
 *       one it saw first, so a view of a destroyed container fails instead of reading a reused
 *       block.</li>
 *   <li>references: the slots that hold this container, plus the owner of a container made by
 *       {@code Access.share}.</li>
 *   <li>modification count: bumped by every structural change; iterators in any process compare
 *       it to fail fast.</li>
 * </ul>
 */
public final class ContainerLayout {
    private ContainerLayout() {
    }

    public static final long IDENTITY_OFFSET = 0;
    public static final long REFERENCES_OFFSET = IDENTITY_OFFSET + Long.BYTES;
    public static final long MOD_COUNT_OFFSET = REFERENCES_OFFSET + Long.BYTES;
    /** Bytes of the common words; each container's own words follow. */
    public static final long COMMON_BYTES = MOD_COUNT_OFFSET + Long.BYTES;
}
