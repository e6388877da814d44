package io.ipcobjects.sync;

import io.ipcobjects.region.RegionHeaderLayout;

/**
 * Layout of the region lock: one cache line at {@link RegionHeaderLayout#LOCK_LINE_OFFSET},
 * shared by nothing else so that lock traffic does not slow other header reads.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        owner token (8): 0 = free, else slot+generation        |  0
 *  +---------------------------------------------------------------+
 *  |     successor token (8): 0 = none, else the next owner        |  8
 *  +---------------------------------------------------------------+
 *  |        takeovers (8): locks taken from dead owners            | 16
 *  +---------------------------------------------------------------+
 *  |                    reserved up to 64 bytes                    | 24
 *  +---------------------------------------------------------------+
 * </pre>
 * Tokens are {@link io.ipcobjects.region.ProcessTableLayout#token process-table tokens}.
 */
public final class LockLayout {
    private LockLayout() {
    }

    public static final long OWNER_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET;
    public static final long SUCCESSOR_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 8;
    public static final long TAKEOVERS_OFFSET = RegionHeaderLayout.LOCK_LINE_OFFSET + 16;
}
