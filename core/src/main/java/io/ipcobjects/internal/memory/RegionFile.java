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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

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
 * The new region is built in a temporary file of the same directory ({@code O_EXCL}, random
 * name, its presence lock ({@link FileLockLayout}) taken at once): sized with
 * {@code posix_fallocate}, so a file system without room fails now with
 * {@link RegionDoesNotFitException} and not later with SIGBUS, and mapped. Only then does it get
 * its name, atomically:
 * <ul>
 *   <li>no file at the path: {@code link} to it, which fails if one appeared meanwhile, so of
 *       two racing creators exactly one wins;</li>
 *   <li>a file at the path: it is replaced only if it is stale, i.e. a region (or one whose
 *       creator died formatting it) that nobody is attached to. The creator takes the stale
 *       file's replacement byte exclusively (a second replacer fails there), then its presence
 *       byte exclusively (fails if anybody is attached, in whatever pid namespace; holding it
 *       keeps attachers out), checks that the path still names that file (same device and
 *       inode), and {@code rename}s the new file over it.</li>
 * </ul>
 * Whatever fails on the way, the temporary file is removed: nothing is left behind. A creator
 * killed while building (the OOM killer may strike during {@code posix_fallocate}) leaves its
 * temporary file with no presence lock; the next {@code create} of that path removes it.
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

    /** How often a creator looks again when the file at its path changed under it. */
    private static final int PUBLISH_ATTEMPTS = 10;

    /**
     * Creates a zero-filled region file of {@code size} bytes at {@code path}, with its pages
     * reserved, mapped and its presence lock held; the caller formats the header.
     *
     * @throws RegionExistsException       a live region, or a file that may not be replaced, is at the path
     * @throws IncompatibleRegionException the path names a directory, FIFO, socket, device or symbolic link
     * @throws RegionDoesNotFitException   the directory's file system has no room for {@code size} bytes
     */
    public static OpenRegion create(Path path, long size, SharedMemoryOptions options) {
        if (size < MIN_REGION_SIZE) {
            throw new IllegalArgumentException("region size " + size + " is below the minimum of " + MIN_REGION_SIZE + " bytes");
        }
        NativeFiles.requireSupported();
        Path absolute = path.toAbsolutePath();
        removeAbandonedTemporaries(absolute);
        Path temporary;
        int fd;
        do {
            temporary = absolute.resolveSibling(temporaryPrefix(absolute)
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
            fd = createTemporary(absolute, temporary, options.permissions());
        } while (fd < 0);
        boolean published = false;
        try {
            reserve(fd, absolute, temporary, size);
            MemorySegment segment = NativeFiles.map(fd, size);
            NativeFiles.FileStatus file = NativeFiles.status(fd);
            publish(temporary, absolute, options);
            published = true;
            return new OpenRegion(path, fd, file, segment);
        } finally {
            if (!published) {
                deleteQuietly(temporary);
                NativeFiles.close(fd);
            }
        }
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

    /** The file's first bytes (up to a header page), native order. */
    private static ByteBuffer readHeader(int fd, long fileSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, Math.min(fileSize, HEADER_PAGE_BYTES)));
            long read = NativeFiles.read(fd, buffer, 0);
            return ByteBuffer.wrap(buffer.asSlice(0, read).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
        }
    }

    private static void requireRegularFile(NativeFiles.FileStatus file, Path path) {
        if (!file.isRegularFile()) {
            throw new IncompatibleRegionException("not a region file: " + path + " is " + file.typeName()
                    + (file.typeName().equals("a symbolic link") ? " (region files are never followed through links)" : ""));
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

    private static RuntimeException openFailed(Path path, int errno) {
        return switch (errno) {
            case ELOOP -> new IncompatibleRegionException("not a region file: " + path
                    + " is a symbolic link (region files are never followed through links)");
            case NativeFiles.EISDIR -> new IncompatibleRegionException("not a region file: " + path + " is a directory");
            case NativeFiles.ENXIO -> new IncompatibleRegionException("not a region file: " + path
                    + " is a socket or a device without a driver");
            default -> new IpcObjectsException("cannot open region file " + path + ": " + NativeFiles.describe(errno));
        };
    }

    // ---- creating ----

    /**
     * Creates the temporary file and takes its presence lock at once, so that from then on the
     * file says whether its builder lives (see {@link #removeAbandonedTemporaries}). Returns -1
     * if another creator's sweep took the new file for abandoned in the moment before the lock
     * was held: try another name.
     */
    private static int createTemporary(Path path, Path temporary, Set<PosixFilePermission> permissions) {
        int mode = modeBits(permissions);
        int fd = NativeFiles.open(temporary, NativeFiles.O_REGION | NativeFiles.O_CREAT | NativeFiles.O_EXCL, mode);
        if (fd < 0) {
            throw new IpcObjectsException("cannot create region file " + path + " (as " + temporary.getFileName()
                    + " first): " + NativeFiles.describe(-fd));
        }
        // A sweeper deletes only while it holds the exclusive lock, so once the shared lock is held
        // and the name still names this file, nobody can remove it any more. Before that, a sweep
        // may have locked, removed and let go of it; the name then names nothing, or another file.
        if (!NativeFiles.tryLock(fd, FileLockLayout.PRESENCE_BYTE, false)
                || !NativeFiles.status(fd).sameFileAs(NativeFiles.statusOfPath(temporary))) {
            NativeFiles.close(fd);
            return -1;
        }
        try {
            NativeFiles.changeMode(fd, mode); // the umask may have narrowed it
            return fd;
        } catch (RuntimeException e) {
            deleteQuietly(temporary);
            NativeFiles.close(fd);
            throw e;
        }
    }

    /** {@code .<file name>.new-}: temporary files of one region path start with it, and nothing else does. */
    private static String temporaryPrefix(Path path) {
        return "." + path.getFileName() + ".new-";
    }

    /**
     * Removes the temporary files of this region path that a creator killed while building them
     * left behind (its pages stay reserved until someone does): those whose presence lock nobody
     * holds. A live builder holds it from the moment its file exists.
     */
    private static void removeAbandonedTemporaries(Path path) {
        String prefix = temporaryPrefix(path);
        List<Path> candidates;
        try (Stream<Path> files = Files.list(path.getParent())) {
            candidates = files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            return; // not listable: creating will report the directory's problem
        }
        for (Path candidate : candidates) {
            int fd = NativeFiles.open(candidate, NativeFiles.O_REGION, 0);
            if (fd < 0) {
                continue;
            }
            try {
                NativeFiles.FileStatus file = NativeFiles.status(fd);
                if (file.isRegularFile() && NativeFiles.tryLock(fd, FileLockLayout.PRESENCE_BYTE, true)
                        && file.sameFileAs(NativeFiles.statusOfPath(candidate))) {
                    deleteQuietly(candidate);
                }
            } finally {
                NativeFiles.close(fd);
            }
        }
    }

    /** Reserves every block now: a full file system fails here, clearly, instead of SIGBUS on first touch. */
    private static void reserve(int fd, Path path, Path temporary, long size) {
        int error = NativeFiles.reserve(fd, size);
        if (error == 0) {
            return;
        }
        if (error == NativeFiles.ENOSPC || error == NativeFiles.EDQUOT || error == NativeFiles.EFBIG) {
            long usable;
            try {
                usable = Files.getFileStore(temporary).getUsableSpace();
            } catch (IOException e) {
                usable = -1;
            }
            throw new RegionDoesNotFitException(path, size, usable, NativeFiles.describe(error));
        }
        throw new IpcObjectsException("cannot reserve " + size + " bytes for region file " + path + ": "
                + NativeFiles.describe(error));
    }

    /** Gives the finished temporary file the region's name: see "Creating" in the class comment. */
    private static void publish(Path temporary, Path path, SharedMemoryOptions options) {
        for (int attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
            try {
                Files.createLink(path, temporary); // atomic: fails if any file appeared at the path
                deleteQuietly(temporary);
                return;
            } catch (FileAlreadyExistsException e) {
                // judge what is there
            } catch (IOException | UnsupportedOperationException e) {
                throw new IpcObjectsException("cannot create region file " + path + ": " + e, e);
            }
            if (replaceStale(temporary, path, options)) {
                return;
            }
        }
        throw new RegionExistsException("the file at " + path + " kept changing while this process tried to create "
                + "a region there; other processes are creating and removing it");
    }

    /**
     * Replaces the file at {@code path} by {@code temporary} if it is a stale region. False if the
     * path changed meanwhile (look again); an exception if the file may not be replaced.
     */
    private static boolean replaceStale(Path temporary, Path path, SharedMemoryOptions options) {
        NativeFiles.FileStatus seen = NativeFiles.statusOfPath(path);
        if (seen == null) {
            return false;
        }
        requireRegularFile(seen, path);
        int fd = NativeFiles.open(path, NativeFiles.O_REGION, 0);
        if (fd < 0) {
            if (-fd == ENOENT) {
                return false;
            }
            throw openFailed(path, -fd);
        }
        try { // closing the descriptor drops both locks taken below
            NativeFiles.FileStatus stale = NativeFiles.status(fd);
            requireRegularFile(stale, path);
            if (!NativeFiles.tryLock(fd, FileLockLayout.REPLACEMENT_BYTE, true)) {
                throw new RegionExistsException("region " + path + " exists and another process is replacing it right now");
            }
            ByteBuffer header = readHeader(fd, stale.size());
            if (!NativeFiles.tryLock(fd, FileLockLayout.PRESENCE_BYTE, true)) {
                long pid = RegionHeaderCheck.creatorPid(header);
                throw new RegionExistsException("region " + path + " exists and is alive: processes are attached to it"
                        + (pid > 0 ? " (created by pid " + pid + ", as its own pid namespace numbers it)" : ""));
            }
            if (!RegionHeaderCheck.isRegionOrUnfinishedRegion(header)) {
                throw new RegionExistsException("a file that is not a live region exists at " + path
                        + " (remove it, or pick another name)");
            }
            if (!options.replaceStaleRegion()) {
                throw new RegionExistsException("region " + path + " exists; nobody is attached to it (its processes are "
                        + "gone), but replacing stale regions is switched off");
            }
            if (!stale.sameFileAs(NativeFiles.statusOfPath(path))) {
                return false; // another creator replaced it first: judge the new file
            }
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE); // rename(2): the name moves in one step
            return true;
        } catch (IOException e) {
            throw new IpcObjectsException("cannot replace stale region file " + path + ": " + e, e);
        } finally {
            NativeFiles.close(fd);
        }
    }

    private static int modeBits(Set<PosixFilePermission> permissions) {
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

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Nothing useful to do: the file stays until someone removes it.
        }
    }
}
