package io.ipcobjects.internal.memory;

import io.ipcobjects.RegionClosedException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One handle's hold on a region file: its own descriptor (its own open file description, so its
 * own set of locks, see {@link FileLockLayout}) and the mapping made from it. The handle keeps
 * it for its whole life and {@linkplain #close() closes} it last: closing the descriptor is what
 * tells every other process that this handle is gone.
 *
 * <p>While open it holds the shared presence lock, and, once {@link ProcessTable#attach} has
 * claimed a slot, that slot's lock. The mapping does not depend on the descriptor: it stays valid
 * after {@link #close()} for as long as a segment over it is reachable (tensor views outlive their
 * handle).
 *
 * <p>Thread safety: the descriptor is used under this object's monitor and never after
 * {@link #close()}, so a descriptor number the process reuses for another file is never locked
 * by mistake. The monitor also keeps two threads of one handle from taking the same slot byte
 * through the one description at once (locks of one description never conflict with each other).
 */
public final class OpenRegion {

    private final Path path;
    private final int fd;
    /** Device and inode at open: the file this handle is attached to, whatever the path names later. */
    private final NativeFiles.FileStatus file;
    private final MemorySegment segment;
    /** Guarded by {@code this}. */
    private boolean closed;

    OpenRegion(Path path, int fd, NativeFiles.FileStatus file, MemorySegment segment) {
        this.path = path;
        this.fd = fd;
        this.file = file;
        this.segment = segment;
    }

    /** The whole mapped region. */
    public MemorySegment segment() {
        return segment;
    }

    public Path path() {
        return path;
    }

    /**
     * The size the file has now ({@code fstat} of this handle's descriptor). Less than
     * {@code segment().byteSize()} means somebody shrank the file: touching the mapping beyond
     * its end would raise SIGBUS.
     *
     * @throws RegionClosedException this handle's file is closed
     */
    public synchronized long currentFileSize() {
        return NativeFiles.status(descriptor()).size();
    }

    /**
     * Whether the file still covers the whole mapping: for the lock's takeover, which must not
     * read a heap a dead owner may have left in a shrunk file.
     *
     * @throws RegionClosedException this handle's file is closed
     */
    public boolean fileIntact() {
        return currentFileSize() >= segment.byteSize();
    }

    /**
     * Removes the region's path, but only if it still names this handle's file: a file that
     * replaced ours (after someone removed ours by hand) is left alone. Call it while this handle
     * is still open: its presence lock keeps any other creator from replacing the file between
     * the check and the unlink.
     */
    public synchronized void removeFileIfStillNamed() {
        if (closed || !file.sameFileAs(NativeFiles.statusOfPath(path))) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // The file stays; with nobody attached it is stale, and the next creator replaces it.
        }
    }

    /** Closes the descriptor, dropping every lock of this handle; the mapping stays. Idempotent. */
    public synchronized void close() {
        if (!closed) {
            closed = true;
            NativeFiles.close(fd);
        }
    }

    // ---- slot locks, for ProcessTable ----

    /** Takes slot {@code slot}'s byte lock without waiting; false if another handle holds it. */
    synchronized boolean tryLockSlot(int slot) {
        return NativeFiles.tryLock(descriptor(), FileLockLayout.slotLockByte(slot), true);
    }

    synchronized void unlockSlot(int slot) {
        if (!closed) {
            NativeFiles.unlock(fd, FileLockLayout.slotLockByte(slot));
        }
    }

    /** Whether another handle (in this process or any other) holds slot {@code slot}'s byte lock. */
    synchronized boolean slotLockedElsewhere(int slot) {
        return NativeFiles.lockedElsewhere(descriptor(), FileLockLayout.slotLockByte(slot));
    }

    private int descriptor() {
        if (closed) {
            throw new RegionClosedException("region file " + path + " is closed by this handle");
        }
        return fd;
    }
}
