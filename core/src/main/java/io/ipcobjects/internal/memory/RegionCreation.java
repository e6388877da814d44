package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.NativeFiles.ENOENT;
import static io.ipcobjects.internal.memory.RegionHeaderLayout.MIN_REGION_SIZE;

import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.RegionDoesNotFitException;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.internal.events.RegionEvents;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Makes a new region file ({@link RegionFile#create}).
 *
 * <p>The new region is built in a temporary file of the same directory ({@code O_EXCL}, random
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
 */
final class RegionCreation {
    private RegionCreation() {
    }

    /** How often a creator looks again when the file at its path changed under it. */
    private static final int PUBLISH_ATTEMPTS = 10;

    /** See {@link RegionFile#create}. */
    static OpenRegion create(Path path, long size, SharedMemoryOptions options) {
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
                RegionFile.deleteQuietly(temporary);
                NativeFiles.close(fd);
            }
        }
    }

    /**
     * Creates the temporary file and takes its presence lock at once, so that from then on the
     * file says whether its builder lives (see {@link #removeAbandonedTemporaries}). Returns -1
     * if another creator's sweep took the new file for abandoned in the moment before the lock
     * was held: try another name.
     */
    private static int createTemporary(Path path, Path temporary, Set<PosixFilePermission> permissions) {
        int mode = RegionFile.modeBits(permissions);
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
            RegionFile.deleteQuietly(temporary);
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
                    RegionFile.deleteQuietly(candidate);
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
                RegionFile.deleteQuietly(temporary);
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
        RegionFile.requireRegularFile(seen, path);
        int fd = NativeFiles.open(path, NativeFiles.O_REGION, 0);
        if (fd < 0) {
            if (-fd == ENOENT) {
                return false;
            }
            throw RegionFile.openFailed(path, -fd);
        }
        try { // closing the descriptor drops both locks taken below
            NativeFiles.FileStatus stale = NativeFiles.status(fd);
            RegionFile.requireRegularFile(stale, path);
            if (!NativeFiles.tryLock(fd, FileLockLayout.REPLACEMENT_BYTE, true)) {
                throw new RegionExistsException("region " + path + " exists and another process is replacing it right now");
            }
            ByteBuffer header = RegionFile.readHeader(fd, stale.size());
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
            RegionEvents.staleRegionReplaced(path, RegionHeaderCheck.creatorPid(header));
            return true;
        } catch (IOException e) {
            throw new IpcObjectsException("cannot replace stale region file " + path + ": " + e, e);
        } finally {
            NativeFiles.close(fd);
        }
    }
}
