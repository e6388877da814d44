package io.ipcobjects.internal.memory;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.RegionNotFoundException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A region file opened for reading only, for an inspector: a descriptor opened
 * {@code O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC} and a {@code PROT_READ} mapping of the whole
 * file as a read-only segment. It takes no process-table slot and no lock of any kind, not even
 * the presence lock, and never writes a byte: any write through {@link #memory()} throws.
 *
 * <p>Liveness is read from the kernel the way {@link ProcessTable#isLive} reads it, with
 * {@code F_OFD_GETLK} ({@link NativeFiles#lockedElsewhere}): a test that reports whether another
 * open file description holds a lock on a byte, without taking it, so the holder is not
 * disturbed. This descriptor holds no locks, so "elsewhere" is "anybody".
 *
 * <p>Nothing here is ordered against the region's writers: an inspection reads while the lock's
 * owner may be changing what it reads, and must validate everything it follows.
 */
public final class ReadOnlyRegion implements AutoCloseable {

    private final Path path;
    private final int fd;
    private final MemorySegment segment;
    /** Guarded by {@code this}. */
    private boolean closed;

    private ReadOnlyRegion(Path path, int fd, MemorySegment segment) {
        this.path = path;
        this.fd = fd;
        this.segment = segment;
    }

    /**
     * Opens and maps the region at {@code path} for reading, in whatever state it is (ready,
     * closing, damaged). Waits for nothing.
     *
     * @throws RegionNotFoundException     there is no file at {@code path}
     * @throws IncompatibleRegionException the file is not a region this build can read (the message says why)
     * @throws IpcObjectsException         the file cannot be opened (permissions, say)
     */
    public static ReadOnlyRegion open(Path path) {
        NativeFiles.requireSupported();
        NativeFiles.FileStatus seen = NativeFiles.statusOfPath(path);
        if (seen == null) {
            throw new RegionNotFoundException("no region file at " + path);
        }
        RegionFile.requireRegularFile(seen, path); // a FIFO or device is never opened
        int fd = NativeFiles.open(path, NativeFiles.O_INSPECT, 0);
        if (fd < 0) {
            if (-fd == NativeFiles.ENOENT) {
                throw new RegionNotFoundException("no region file at " + path + " (it was removed while opening)");
            }
            throw RegionFile.openFailed(path, -fd);
        }
        boolean kept = false;
        try {
            NativeFiles.FileStatus file = NativeFiles.status(fd);
            RegionFile.requireRegularFile(file, path);
            RegionHeaderCheck.checkForInspection(path, RegionFile.readHeader(fd, file.size()), file.size());
            MemorySegment segment = NativeFiles.mapReadOnly(fd, file.size());
            if (NativeFiles.status(fd).size() < file.size()) {
                throw new IncompatibleRegionException("truncated region: " + path + " shrank below its " + file.size()
                        + " bytes while it was opened");
            }
            kept = true;
            return new ReadOnlyRegion(path, fd, segment);
        } finally {
            if (!kept) {
                NativeFiles.close(fd);
            }
        }
    }

    /**
     * Whether {@code path} is a regular file (not followed through a link) that starts with the
     * region magic in this machine's byte order: what a listing of a directory shows, judged from
     * the first 8 bytes read with plain I/O, nothing mapped or locked. False for anything that
     * cannot be read.
     */
    public static boolean hasRegionMagic(Path path) {
        NativeFiles.requireSupported();
        NativeFiles.FileStatus seen = NativeFiles.statusOfPath(path);
        if (seen == null || !seen.isRegularFile() || seen.size() < Long.BYTES) {
            return false;
        }
        int fd = NativeFiles.open(path, NativeFiles.O_INSPECT, 0);
        if (fd < 0) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            if (!NativeFiles.status(fd).isRegularFile()) {
                return false;
            }
            MemorySegment buffer = arena.allocate(Long.BYTES);
            return NativeFiles.read(fd, buffer, RegionHeaderLayout.MAGIC_OFFSET) == Long.BYTES
                    && buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) == RegionHeaderLayout.MAGIC;
        } finally {
            NativeFiles.close(fd);
        }
    }

    public Path path() {
        return path;
    }

    /** The whole region, read-only: a write throws {@link IllegalArgumentException} ("a read-only segment"). */
    public RegionMemory memory() {
        return new RegionMemory(segment);
    }

    /** The size the file has now: less than the mapping means somebody shrank it. */
    public synchronized long currentFileSize() {
        return NativeFiles.status(descriptor()).size();
    }

    /** Whether some handle holds slot {@code slot}'s byte lock: the slot's process is alive. */
    public synchronized boolean slotLocked(int slot) {
        return NativeFiles.lockedElsewhere(descriptor(), FileLockLayout.slotLockByte(slot));
    }

    /** Whether some handle holds the presence lock: somebody is attached. */
    public synchronized boolean presenceLocked() {
        return NativeFiles.lockedElsewhere(descriptor(), FileLockLayout.PRESENCE_BYTE);
    }

    /** Closes the descriptor (it holds no locks); the mapping stays while reachable. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            NativeFiles.close(fd);
        }
    }

    private int descriptor() {
        if (closed) {
            throw new RegionClosedException("region file " + path + " is closed by this inspection");
        }
        return fd;
    }
}
