package io.ipcobjects.internal.containers;

/**
 * The first words of every live container header (lists: {@link ListLayout}, maps and sets:
 * {@link HashLayout}).
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |  identity (8): random, non-zero while the container lives;    |  0
 *  |  a view compares it with the one it saw first, so a view of a |
 *  |  destroyed container fails instead of reading a reused block  |
 *  +---------------------------------------------------------------+
 *  |  references (8): slots that hold this container, plus the     |  8
 *  |  owner of a container made by Access.share                    |
 *  +---------------------------------------------------------------+
 *  |  modification count (8): bumped by every structural change;   | 16
 *  |  iterators in any process compare it to fail fast            |
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class ContainerLayout {
    private ContainerLayout() {
    }

    public static final long IDENTITY_OFFSET = 0;
    public static final long REFERENCES_OFFSET = 8;
    public static final long MOD_COUNT_OFFSET = 16;
    public static final long COMMON_BYTES = 24;
}
