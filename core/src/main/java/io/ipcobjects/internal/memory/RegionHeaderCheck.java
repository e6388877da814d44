package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.RegionNotFoundException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a region file's first page says about it, read with plain I/O before anything is mapped:
 * ready, still being made (wait), or not usable (an exception that says why).
 *
 * @param ready      the header is complete and READY
 * @param waitingFor why it is not ready yet, or null when there is no file at all
 */
record RegionHeaderCheck(boolean ready, String waitingFor) {

    static RegionHeaderCheck notFound() {
        return new RegionHeaderCheck(false, null);
    }

    static RegionHeaderCheck waiting(String why) {
        return new RegionHeaderCheck(false, why);
    }

    /** The error for an attacher whose timeout passed while this was the latest check. */
    RuntimeException timeoutError(Path path, Duration timeout) {
        if (waitingFor == null) {
            return new RegionNotFoundException("no region at " + path + " after waiting " + timeout + ": no creator made it");
        }
        return new IncompatibleRegionException("not a usable ipc-objects region at " + path + " after waiting " + timeout
                + ": " + waitingFor);
    }

    /**
     * Judges the header.
     *
     * @param header   the file's first bytes (up to a header page), native order, positioned at 0
     * @param fileSize the file's size now
     * @throws IncompatibleRegionException the file is not a region this build can use
     * @throws RegionClosedException       the region is closing
     */
    static RegionHeaderCheck of(Path path, ByteBuffer header, long fileSize) {
        if (header.remaining() < 8) {
            return waiting("the file has " + fileSize + " bytes, no header yet (still initializing?)");
        }
        long magic = header.getLong((int) MAGIC_OFFSET);
        if (magic == 0) {
            return waiting("the header has no magic yet (still initializing, or not a region)");
        }
        checkIdentity(path, header, fileSize, magic);
        int state = header.getInt((int) STATE_OFFSET);
        return switch (state) {
            case STATE_READY -> new RegionHeaderCheck(true, null);
            case STATE_INITIALIZING, STATE_NONE -> waiting("its state is " + stateName(state) + " (creator still initializing)");
            case STATE_CLOSING -> throw new RegionClosedException("region " + path + " is closing");
            default -> throw new IncompatibleRegionException("region " + path + " has unknown state " + state);
        };
    }

    /**
     * Judges the header for a read-only inspection, which waits for nothing and reports any
     * state: the file must be a complete region of this layout, whatever its state.
     *
     * @param header   the file's first bytes (up to a header page), native order, positioned at 0
     * @param fileSize the file's size now
     * @throws IncompatibleRegionException the file is not a region this build can read, or has no header yet
     */
    static void checkForInspection(Path path, ByteBuffer header, long fileSize) {
        if (header.remaining() < 8) {
            throw new IncompatibleRegionException("not an ipc-objects region: " + path + " has " + fileSize
                    + " bytes, too few for a region header");
        }
        long magic = header.getLong((int) MAGIC_OFFSET);
        if (magic == 0) {
            throw new IncompatibleRegionException("not an ipc-objects region (yet): " + path + " has no magic; a creator"
                    + " may still be initializing it, or it was wiped when its region closed, or it is another file");
        }
        checkIdentity(path, header, fileSize, magic);
    }

    /** Magic, byte order, layout version and size: what makes a file a region this build reads. */
    private static void checkIdentity(Path path, ByteBuffer header, long fileSize, long magic) {
        if (Long.reverseBytes(magic) == MAGIC) {
            throw new IncompatibleRegionException("region " + path + " was written in the other byte order ("
                    + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "big" : "little") + "-endian); this machine is "
                    + ByteOrder.nativeOrder());
        }
        if (magic != MAGIC) {
            throw new IncompatibleRegionException("not an ipc-objects region: " + path + " starts with 0x"
                    + Long.toHexString(Long.reverseBytes(magic)) + " instead of the magic \"IPCOBJS\"");
        }
        if (header.remaining() < HEADER_PAGE_BYTES) {
            throw new IncompatibleRegionException("truncated region: " + path + " has " + fileSize
                    + " bytes, less than its " + HEADER_PAGE_BYTES + "-byte header");
        }
        int byteOrderMark = header.getInt((int) BYTE_ORDER_OFFSET);
        if (byteOrderMark != BYTE_ORDER_MARK) {
            throw new IncompatibleRegionException("region " + path + " has byte-order mark 0x" + Integer.toHexString(byteOrderMark)
                    + (Integer.reverseBytes(byteOrderMark) == BYTE_ORDER_MARK ? " (the other byte order)" : " (garbage)")
                    + ", expected 0x" + Integer.toHexString(BYTE_ORDER_MARK));
        }
        int version = header.getInt((int) LAYOUT_VERSION_OFFSET);
        if (version != LAYOUT_VERSION) {
            throw new IncompatibleRegionException("region " + path + " has layout version " + version
                    + "; this build reads version " + LAYOUT_VERSION);
        }
        long regionSize = header.getLong((int) REGION_SIZE_OFFSET);
        if (regionSize > fileSize) {
            throw new IncompatibleRegionException("truncated region: header of " + path + " says " + regionSize
                    + " bytes, the file has " + fileSize);
        }
        if (regionSize != fileSize || regionSize < MIN_REGION_SIZE) {
            throw new IncompatibleRegionException("region size mismatch: header of " + path + " says " + regionSize
                    + " bytes, the file has " + fileSize);
        }
    }

    /**
     * Whether a file nobody is attached to was made by a creator of this library, so that
     * {@code create} may replace it: it has the magic, or its creator died while formatting it
     * (no magic yet, state INITIALIZING, which a creator writes first).
     */
    static boolean isRegionOrUnfinishedRegion(ByteBuffer header) {
        if (header.remaining() < STATE_OFFSET + Integer.BYTES) {
            return false;
        }
        long magic = header.getLong((int) MAGIC_OFFSET);
        return magic == MAGIC || (magic == 0 && header.getInt((int) STATE_OFFSET) == STATE_INITIALIZING);
    }

    /** The creator's pid recorded in the header, for messages; 0 if the header has none. */
    static long creatorPid(ByteBuffer header) {
        return header.remaining() >= CREATOR_PID_OFFSET + Long.BYTES ? header.getLong((int) CREATOR_PID_OFFSET) : 0;
    }
}
