package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.NativeFiles.ELOOP;
import static io.ipcobjects.internal.memory.NativeFiles.ENOENT;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.RegionDoesNotFitException;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.RegionNotFoundException;
import io.ipcobjects.SharedMemoryOptions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates and opens region files safely, and maps them: the result is an {@link OpenRegion},
 * one handle's own descriptor and mapping.
 *
 * <h2>Opening</h2>
 * A file is opened {@code O_RDWR|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC} and judged by {@code fstat} of
 * that descriptor, so what is checked is what is used: a regular file (a FIFO, directory, socket,
 * device or symbolic link is refused at once, never waited on or followed), owned by this user
 * (unless {@link SharedMemoryOptions#allowForeignOwner()}), with a mode no wider than
 * {@link SharedMemoryOptions#permissions()}. The region is mapped from that same descriptor.
 *
 * <h2>Creating</h2>
 * See {@link RegionCreation}: the region is built under a temporary name, with its pages
 * reserved, and then given its name atomically, replacing only a stale file.
 *
 * <h2>Mapping</h2>
 * The whole file is mapped read-write as one {@link MemorySegment} in an automatic arena, so the
 * mapping lives exactly as long as some segment over it is reachable: a tensor view handed to
 * ND4J or DJL keeps working after its {@code SharedMemory} is closed, and no code path can unmap
 * memory that another thread still reads (the hazard Lucene's {@code MMapDirectory} documents).
 * Closing a handle flips a flag that every core view checks, so use after close throws.
 */
public final class RegionFile {
    private RegionFile() {
    }

    /**
     * Creates a zero-filled region file of {@code size} bytes at {@code path}, with its pages
     * reserved, mapped and its presence lock held; the caller formats the header.
     *
     * @throws RegionExistsException       a live region, or a file that may not be replaced, is at the path
     * @throws IncompatibleRegionException the path names a directory, FIFO, socket, device or symbolic link
     * @throws RegionDoesNotFitException   the directory's file system has no room for {@code size} bytes
     */
    public static OpenRegion create(Path path, long size, SharedMemoryOptions options) {
        return RegionCreation.create(path, size, options);
    }

    /**
     * Waits until {@code path} holds a READY region, checks the file and its header, takes the
     * presence lock and maps it.
     *
     * @throws RegionNotFoundException      no file appeared before the timeout
     * @throws IncompatibleRegionException  the file is not a usable region (the message says why)
     * @throws RegionClosedException        the region is closing
     */
    public static OpenRegion open(Path path, Duration timeout, SharedMemoryOptions options) {
        NativeFiles.requireSupported();
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        long pauseNanos = 100_000;
        while (true) {
            Attempt attempt = tryOpen(path, options);
            if (attempt.region != null) {
                return attempt.region;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw attempt.check.timeoutError(path, timeout);
            }
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
        }
    }

    // ---- opening ----

    /** An open region, or why there is none yet. */
    private record Attempt(OpenRegion region, RegionHeaderCheck check) {
        static Attempt waiting(RegionHeaderCheck check) {
            return new Attempt(null, check);
        }
    }

    private static Attempt tryOpen(Path path, SharedMemoryOptions options) {
        NativeFiles.FileStatus seen = NativeFiles.statusOfPath(path);
        if (seen == null) {
            return Attempt.waiting(RegionHeaderCheck.notFound());
        }
        requireRegularFile(seen, path); // before opening: a FIFO or device is never even opened
        int fd = NativeFiles.open(path, NativeFiles.O_REGION, 0);
        if (fd < 0) {
            if (-fd == ENOENT) {
                return Attempt.waiting(RegionHeaderCheck.notFound());
            }
            throw openFailed(path, -fd);
        }
        boolean kept = false;
        try {
            NativeFiles.FileStatus file = NativeFiles.status(fd);
            requireRegularFile(file, path);
            requireTrusted(file, path, options);
            RegionHeaderCheck check = RegionHeaderCheck.of(path, readHeader(fd, file.size()), file.size());
            if (!check.ready()) {
                return Attempt.waiting(check);
            }
            if (!NativeFiles.tryLock(fd, FileLockLayout.PRESENCE_BYTE, false)) {
                return Attempt.waiting(RegionHeaderCheck.waiting("a creator is replacing the file"));
            }
            if (!file.sameFileAs(NativeFiles.statusOfPath(path))) {
                return Attempt.waiting(RegionHeaderCheck.waiting("the file was replaced while attaching"));
            }
            MemorySegment segment = NativeFiles.map(fd, file.size());
            if (NativeFiles.status(fd).size() < file.size()) {
                throw new IncompatibleRegionException("truncated region: " + path + " shrank below its "
                        + file.size() + " bytes while attaching");
            }
            // Re-read through the mapping with acquire: the creator published READY last.
            RegionMemory memory = new RegionMemory(segment);
            if (memory.getIntAcquire(STATE_OFFSET) != STATE_READY || memory.getLongAcquire(MAGIC_OFFSET) != MAGIC) {
                return Attempt.waiting(RegionHeaderCheck.waiting("the header changed while attaching"));
            }
            kept = true;
            return new Attempt(new OpenRegion(path, fd, file, segment), null);
        } finally {
            if (!kept) {
                NativeFiles.close(fd);
            }
        }
    }

    /** Owned by this user and no wider than the options' mode: nobody else could have written it. */
    private static void requireTrusted(NativeFiles.FileStatus file, Path path, SharedMemoryOptions options) {
        int self = NativeFiles.effectiveUid();
        if (file.uid() != self && !options.allowForeignOwner()) {
            throw new IncompatibleRegionException("region file " + path + " is owned by uid " + Integer.toUnsignedString(file.uid())
                    + ", not by this process's user (uid " + Integer.toUnsignedString(self) + "); attach with "
                    + "SharedMemoryOptions.withAllowForeignOwner(true) if that user is trusted");
        }
        int allowed = modeBits(options.permissions());
        int extra = file.permissionBits() & ~allowed;
        if (extra != 0) {
            throw new IncompatibleRegionException("region file " + path + " has mode 0" + Integer.toOctalString(file.permissionBits())
                    + ", wider than this handle allows (0" + Integer.toOctalString(allowed) + ", "
                    + PosixFilePermissions.toString(options.permissions()) + "): others may have written it. Attach with "
                    + "SharedMemoryOptions.withPermissions(...) naming that mode if they are trusted");
        }
    }

    // ---- shared with RegionCreation ----

    /** The file's first bytes (up to a header page), native order. */
    static ByteBuffer readHeader(int fd, long fileSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, Math.min(fileSize, HEADER_PAGE_BYTES)));
            long read = NativeFiles.read(fd, buffer, 0);
            return ByteBuffer.wrap(buffer.asSlice(0, read).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
        }
    }

    /** Refuses, at once, anything but a regular file: it is never opened, waited on or followed. */
    static void requireRegularFile(NativeFiles.FileStatus file, Path path) {
        if (!file.isRegularFile()) {
            throw new IncompatibleRegionException("not a region file: " + path + " is " + file.typeName()
                    + (file.typeName().equals("a symbolic link") ? " (region files are never followed through links)" : ""));
        }
    }

    /** The error for an {@code open} that failed with {@code errno} (other than ENOENT, which means wait). */
    static RuntimeException openFailed(Path path, int errno) {
        return switch (errno) {
            case ELOOP -> new IncompatibleRegionException("not a region file: " + path
                    + " is a symbolic link (region files are never followed through links)");
            case NativeFiles.EISDIR -> new IncompatibleRegionException("not a region file: " + path + " is a directory");
            case NativeFiles.ENXIO -> new IncompatibleRegionException("not a region file: " + path
                    + " is a socket or a device without a driver");
            default -> new IpcObjectsException("cannot open region file " + path + ": " + NativeFiles.describe(errno));
        };
    }

    /** The mode bits ({@code 0600} and the like) of a permission set. */
    static int modeBits(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission permission : permissions) {
            mode |= switch (permission) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Nothing useful to do: the file stays until someone removes it.
        }
    }
}
