package io.ipcobjects;

import java.nio.file.Path;

/**
 * {@code create} could not reserve the region's size in its directory's file system (usually
 * the {@code /dev/shm} tmpfs, which containers keep small: 64 MiB in Docker unless
 * {@code --shm-size} says otherwise). Every page of a region is reserved when it is created, so
 * this shows at once, never later as a crash on first touch. Nothing is left behind: no file is
 * created.
 *
 * <p>The message says what to do: give the file system more room (Docker {@code --shm-size},
 * Kubernetes an {@code emptyDir} volume with {@code medium: Memory} and a larger
 * {@code sizeLimit}), make the region smaller, or create it in another directory
 * ({@link SharedMemoryOptions#withDirectory}).
 */
public class RegionDoesNotFitException extends IpcObjectsException {
    /** The region's size, in bytes. */
    private final long requiredBytes;
    /** Bytes the directory's file system had free for this user, or -1 if unknown. */
    private final long usableBytes;
    /** Where the region was to be created. */
    private final transient Path directory;

    /**
     * An exception for a region that did not fit; the message states the numbers and the remedies.
     *
     * @param path          the region file that was to be created
     * @param requiredBytes the region's size, in bytes
     * @param usableBytes   bytes free for this user in the file system of {@code path}'s
     *                      directory, or -1 if unknown
     * @param reason        what the file system said (such as "No space left on device")
     */
    public RegionDoesNotFitException(Path path, long requiredBytes, long usableBytes, String reason) {
        super("region " + path + " needs " + requiredBytes + " bytes" + mebibytes(requiredBytes) + ", but the file system of "
                + path.getParent() + " has " + (usableBytes < 0 ? "an unknown number of" : usableBytes + "")
                + " bytes free" + mebibytes(usableBytes) + " (" + reason + "). Give it more room (Docker: --shm-size; "
                + "Kubernetes: an emptyDir volume with medium: Memory and a larger sizeLimit), make the region smaller, "
                + "or create it in another directory (SharedMemoryOptions.withDirectory)");
        this.requiredBytes = requiredBytes;
        this.usableBytes = usableBytes;
        this.directory = path.getParent();
    }

    /**
     * The size of the region that did not fit.
     *
     * @return the region's size, in bytes
     */
    public long requiredBytes() {
        return requiredBytes;
    }

    /**
     * The free space of the directory's file system when the region did not fit.
     *
     * @return bytes usable by this process, or -1 if unknown
     */
    public long usableBytes() {
        return usableBytes;
    }

    /**
     * The directory the region was to be created in.
     *
     * @return the directory, or null after deserialization
     */
    public Path directory() {
        return directory;
    }

    private static String mebibytes(long bytes) {
        return bytes >= 0 ? " (" + (bytes >> 20) + " MiB)" : "";
    }
}
