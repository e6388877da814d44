package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.IpcObjectsException;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.RegionNotFoundException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Creates, opens, checks and removes region files, and maps them.
 *
 * <p>Mapping: the whole file is mapped read-write as one {@link MemorySegment} in an
 * {@link Arena#ofAuto() automatic arena}. The mapping therefore lives exactly as long as some
 * segment over it is reachable: a tensor view handed to ND4J or DJL keeps working after its
 * {@code SharedMemory} is closed, and no code path can unmap memory that another thread still
 * reads (the hazard Lucene's {@code MMapDirectory} documents). Closing a handle flips a flag that
 * every core view checks, so use after close throws instead of reading stale data.
 */
public final class RegionFile {
    private RegionFile() {
    }

    /** A freshly created, zero-filled, mapped file: the caller formats the header. */
    public static MemorySegment create(Path path, long size, Set<PosixFilePermission> permissions, boolean replaceStale) {
        if (size < MIN_REGION_SIZE) {
            throw new IllegalArgumentException("region size " + size + " is below the minimum of " + MIN_REGION_SIZE + " bytes");
        }
        if (Files.exists(path)) {
            removeStale(path, replaceStale);
        }
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(permissions));
        } catch (FileAlreadyExistsException e) {
            throw new RegionExistsException("a region file already exists at " + path);
        } catch (IOException e) {
            throw new IpcObjectsException("cannot create region file " + path + ": " + e, e);
        }
        try {
            Files.setPosixFilePermissions(path, permissions); // the umask may have narrowed them
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.setLength(size); // sparse: pages are allocated on first touch
                return file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
            }
        } catch (IOException | RuntimeException e) {
            unlink(path);
            throw new IpcObjectsException("cannot size or map region file " + path + " to " + size + " bytes: " + e, e);
        }
    }

    /**
     * Waits until {@code path} holds a READY region, checks its header and maps it.
     *
     * @throws RegionNotFoundException      no file appeared before the timeout
     * @throws IncompatibleRegionException  the file is not a usable region (the message says why)
     * @throws RegionClosedException        the region is closing
     */
    public static MemorySegment open(Path path, Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        long pauseNanos = 100_000;
        while (true) {
            HeaderCheck check = checkHeader(path);
            if (check.ready()) {
                MemorySegment segment = map(path, check.fileSize);
                // Re-read through the mapping with acquire: the creator published READY last.
                RegionMemory memory = new RegionMemory(segment);
                int state = memory.getIntAcquire(STATE_OFFSET);
                if (state == STATE_READY && memory.getLongAcquire(MAGIC_OFFSET) == MAGIC) {
                    return segment;
                }
                continue;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw check.timeoutError(path, timeout);
            }
            LockSupport.parkNanos(pauseNanos);
            pauseNanos = Math.min(pauseNanos * 2, 10_000_000);
        }
    }

    /** Removes the file; quiet if it is already gone. */
    public static void unlink(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Nothing useful to do: the file stays until someone removes it; attachers see a non-READY header.
        }
    }

    private static void removeStale(Path path, boolean replaceStale) {
        ByteBuffer header = readHeader(path);
        if (header != null && header.getLong((int) MAGIC_OFFSET) == MAGIC) {
            long pid = header.getLong((int) CREATOR_PID_OFFSET);
            long start = header.getLong((int) CREATOR_START_TICKS_OFFSET);
            if (new ProcessIdentity(pid, start).isAlive()) {
                throw new RegionExistsException("region " + path + " exists and its creator (pid " + pid + ") is alive");
            }
            if (!replaceStale) {
                throw new RegionExistsException("region " + path + " exists; its creator (pid " + pid
                        + ") is dead, but replacing stale regions is switched off");
            }
            unlink(path);
            return;
        }
        throw new RegionExistsException("a file that is not a live region exists at " + path
                + " (remove it, or pick another name)");
    }

    /** The first header page in native order, or null if the file is missing or shorter. */
    private static ByteBuffer readHeader(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) HEADER_PAGE_BYTES).order(ByteOrder.nativeOrder());
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full or end of file
            }
            return buffer.hasRemaining() ? null : buffer.flip();
        } catch (IOException e) {
            return null;
        }
    }

    private static MemorySegment map(Path path, long size) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size, Arena.ofAuto());
        } catch (NoSuchFileException e) {
            throw new RegionClosedException("region " + path + " was removed while attaching");
        } catch (IOException e) {
            throw new IpcObjectsException("cannot map region file " + path + ": " + e, e);
        }
    }

    /** What the file at a path says about itself, read with plain I/O. */
    private record HeaderCheck(boolean ready, long fileSize, String waitingFor) {

        RuntimeException timeoutError(Path path, Duration timeout) {
            if (waitingFor == null) {
                return new RegionNotFoundException("no region at " + path + " after waiting " + timeout
                        + ": no creator made it");
            }
            return new IncompatibleRegionException("not a usable ipc-objects region at " + path + " after waiting "
                    + timeout + ": " + waitingFor);
        }
    }

    private static HeaderCheck checkHeader(Path path) {
        long fileSize;
        try {
            fileSize = Files.size(path);
        } catch (NoSuchFileException e) {
            return new HeaderCheck(false, 0, null);
        } catch (IOException e) {
            throw new IpcObjectsException("cannot read region file " + path + ": " + e, e);
        }
        ByteBuffer header;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            header = ByteBuffer.allocate((int) Math.min(fileSize, HEADER_PAGE_BYTES)).order(ByteOrder.nativeOrder());
            while (header.hasRemaining() && channel.read(header) >= 0) {
                // read the first page, or what there is of it
            }
            header.flip();
        } catch (NoSuchFileException e) {
            return new HeaderCheck(false, 0, null);
        } catch (IOException e) {
            throw new IpcObjectsException("cannot read region file " + path + ": " + e, e);
        }
        if (header.remaining() < 8) {
            return waiting(fileSize, "the file has " + fileSize + " bytes, no header yet (still initializing?)");
        }
        long magic = header.getLong((int) MAGIC_OFFSET);
        if (magic == 0) {
            return waiting(fileSize, "the header has no magic yet (still initializing, or not a region)");
        }
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
        int state = header.getInt((int) STATE_OFFSET);
        return switch (state) {
            case STATE_READY -> new HeaderCheck(true, fileSize, null);
            case STATE_INITIALIZING, STATE_NONE -> waiting(fileSize, "its state is " + stateName(state) + " (creator still initializing)");
            case STATE_CLOSING -> throw new RegionClosedException("region " + path + " is closing");
            default -> throw new IncompatibleRegionException("region " + path + " has unknown state " + state);
        };
    }

    private static HeaderCheck waiting(long fileSize, String why) {
        return new HeaderCheck(false, fileSize, why);
    }
}
