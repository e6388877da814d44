package io.ipcobjects.internal.memory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.ipcobjects.IpcObjectsException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The few Linux calls region files need that Java does not offer, made through FFM: opening
 * with {@code O_NOFOLLOW}, {@code statx}, {@code fchmod}, {@code posix_fallocate}, {@code pread},
 * {@code mmap}, and open-file-description locks ({@code fcntl F_OFD_*}). Every other class
 * calls these named methods, never a raw handle.
 *
 * <p>Why OFD locks: a POSIX record lock ({@code F_SETLK}, which is also what
 * {@code FileChannel.lock} takes) belongs to the process, and is dropped when the process closes
 * <em>any</em> descriptor of the file, such as that of a second handle to the same region. An
 * OFD lock belongs to the open file description, so each handle's locks live exactly as long as
 * the handle's own descriptor, the kernel drops them when the process dies however it dies, and
 * two handles in one process conflict as two processes would. The kernel's verdict does not
 * depend on pid namespaces, unlike anything read from {@code /proc}.
 *
 * <p>Linux on x86-64 and aarch64 only: the constants below are those two ABIs' (they agree on
 * everything but {@code O_NOFOLLOW}). {@link #requireSupported()} says so clearly elsewhere.
 * Values are resolved on first use, so merely loading this class never fails.
 */
final class NativeFiles {
    private NativeFiles() {
    }

    // ---- open(2) flags ----

    static final int O_RDONLY = 0;
    static final int O_RDWR = 02;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    /** aarch64 numbers it differently from x86-64. */
    static final int O_NOFOLLOW = System.getProperty("os.arch", "").equals("aarch64") ? 0100000 : 0400000;
    /** The flags every region file is opened with: no final symbolic link, no blocking open, not inherited. */
    static final int O_REGION = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    /** The flags a read-only inspection opens a region file with: as {@link #O_REGION}, but for reading only. */
    static final int O_INSPECT = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

    // ---- errno values (the same on x86-64 and aarch64) ----

    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int EISDIR = 21;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ELOOP = 40;
    static final int EDQUOT = 122;

    // ---- file types (st_mode & S_IFMT) ----

    static final int S_IFMT = 0170000;
    static final int S_IFREG = 0100000;
    static final int S_IFDIR = 0040000;
    static final int S_IFLNK = 0120000;
    static final int S_IFIFO = 0010000;
    static final int S_IFSOCK = 0140000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;

    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;

    private static final int PROT_READ = 1;
    private static final int PROT_WRITE = 2;
    private static final int MAP_SHARED = 1;

    /** {@code struct flock} of both 64-bit ABIs (32 bytes); {@code l_pid} must be 0 for OFD locks. */
    static final StructLayout FLOCK = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_type"),
            JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("l_start"),
            JAVA_LONG.withName("l_len"),
            JAVA_INT.withName("l_pid"),
            MemoryLayout.paddingLayout(4));
    private static final VarHandle L_TYPE = field(FLOCK, "l_type");
    private static final VarHandle L_WHENCE = field(FLOCK, "l_whence");
    private static final VarHandle L_START = field(FLOCK, "l_start");
    private static final VarHandle L_LEN = field(FLOCK, "l_len");

    /** {@code struct statx} ({@code linux/stat.h}), the same on every architecture (256 bytes). */
    static final StructLayout STATX = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2),
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            MemoryLayout.paddingLayout(64), // four struct statx_timestamp
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            MemoryLayout.paddingLayout(112)); // mount id, alignments, spare
    private static final VarHandle STX_UID = field(STATX, "stx_uid");
    private static final VarHandle STX_MODE = field(STATX, "stx_mode");
    private static final VarHandle STX_INO = field(STATX, "stx_ino");
    private static final VarHandle STX_SIZE = field(STATX, "stx_size");
    private static final VarHandle STX_DEV_MAJOR = field(STATX, "stx_dev_major");
    private static final VarHandle STX_DEV_MINOR = field(STATX, "stx_dev_minor");

    /** What {@code statx} says of a file: enough to judge it and to tell it from another. */
    record FileStatus(int mode, int uid, long size, long deviceMajor, long deviceMinor, long inode) {

        boolean isRegularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        /** Permission bits, with set-id and sticky bits ({@code 07777}). */
        int permissionBits() {
            return mode & 07777;
        }

        /** Same device and inode: the same file, whatever names it has now. */
        boolean sameFileAs(FileStatus other) {
            return other != null && inode == other.inode && deviceMajor == other.deviceMajor
                    && deviceMinor == other.deviceMinor;
        }

        /** What kind of file this is, in words for an error message. */
        String typeName() {
            return switch (mode & S_IFMT) {
                case S_IFREG -> "a regular file";
                case S_IFDIR -> "a directory";
                case S_IFLNK -> "a symbolic link";
                case S_IFIFO -> "a FIFO (named pipe)";
                case S_IFSOCK -> "a socket";
                case S_IFCHR -> "a character device";
                case S_IFBLK -> "a block device";
                default -> "a file of unknown type 0" + Integer.toOctalString(mode & S_IFMT);
            };
        }
    }

    /** Fails clearly where these calls do not exist: anything but Linux on x86-64 or aarch64. */
    static void requireSupported() {
        String why = Calls.UNSUPPORTED;
        if (why != null) {
            throw new IpcObjectsException("ipc-objects needs Linux on x86-64 or aarch64 (open-file-description locks "
                    + "and the glibc calls of region files); " + why);
        }
    }

    /** {@code open(path, flags, mode)}: the descriptor, or minus the errno. */
    static int open(Path path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            int fd = (int) Calls.OPEN.invokeExact(errno, arena.allocateFrom(path.toString()), flags, mode);
            return fd >= 0 ? fd : -errno(errno);
        } catch (Throwable t) {
            throw unexpected("open", t);
        }
    }

    /** {@code close(fd)}; a failure is ignored (the descriptor is released on every Linux close). */
    static void close(int fd) {
        try {
            int ignored = (int) Calls.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    /** {@code statx} of an open descriptor (what {@code fstat} tells, in one layout for all ABIs). */
    static FileStatus status(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            MemorySegment buffer = arena.allocate(STATX);
            int rc = (int) Calls.STATX.invokeExact(errno, fd, arena.allocateFrom(""), AT_EMPTY_PATH, STATX_BASIC_STATS,
                    buffer);
            if (rc != 0) {
                throw failed("fstat of descriptor " + fd, errno(errno));
            }
            return statusOf(buffer);
        } catch (Throwable t) {
            throw unexpected("statx", t);
        }
    }

    /** {@code statx} of a path, not following a final symbolic link; null if nothing is there. */
    static FileStatus statusOfPath(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            MemorySegment buffer = arena.allocate(STATX);
            int rc = (int) Calls.STATX.invokeExact(errno, AT_FDCWD, arena.allocateFrom(path.toString()),
                    AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer);
            if (rc != 0) {
                int error = errno(errno);
                if (error == ENOENT) {
                    return null;
                }
                throw failed("stat of " + path, error);
            }
            return statusOf(buffer);
        } catch (Throwable t) {
            throw unexpected("statx", t);
        }
    }

    /** {@code fchmod}: sets the mode exactly, whatever the umask took away at creation. */
    static void changeMode(int fd, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            if ((int) Calls.FCHMOD.invokeExact(errno, fd, mode) != 0) {
                throw failed("chmod of a new region file", errno(errno));
            }
        } catch (Throwable t) {
            throw unexpected("fchmod", t);
        }
    }

    /**
     * {@code posix_fallocate(fd, 0, size)}: reserves the file's blocks now, so a full file system
     * shows here and not as a SIGBUS on first touch. Returns 0 or the error number (this call
     * returns it; it does not set errno). Interrupted calls are repeated: blocks already reserved
     * are not reserved twice.
     */
    static int reserve(int fd, long size) {
        try {
            int error;
            do {
                error = (int) Calls.POSIX_FALLOCATE.invokeExact(fd, 0L, size);
            } while (error == EINTR);
            return error;
        } catch (Throwable t) {
            throw unexpected("posix_fallocate", t);
        }
    }

    /** Reads up to {@code buffer.byteSize()} bytes from {@code offset}; fewer only at the end of the file. */
    static long read(int fd, MemorySegment buffer, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            long done = 0;
            while (done < buffer.byteSize()) {
                long n = (long) Calls.PREAD.invokeExact(errno, fd, buffer.asSlice(done), buffer.byteSize() - done,
                        offset + done);
                if (n == 0) {
                    break;
                }
                if (n < 0) {
                    int error = errno(errno);
                    if (error == EINTR) {
                        continue;
                    }
                    throw failed("read of a region file", error);
                }
                done += n;
            }
            return done;
        } catch (Throwable t) {
            throw unexpected("pread", t);
        }
    }

    /**
     * Maps {@code size} bytes of the file shared and read-write. The segment lives in an
     * automatic arena whose cleanup unmaps it: the mapping stays valid while any segment over it
     * is reachable, and no code path can unmap memory another thread still reads. It does not
     * depend on the descriptor staying open.
     */
    static MemorySegment map(int fd, long size) {
        return mapWith(fd, size, PROT_READ | PROT_WRITE);
    }

    /**
     * Maps {@code size} bytes of the file shared and read-only ({@code PROT_READ}, which a
     * descriptor opened for reading allows), as a {@linkplain MemorySegment#isReadOnly read-only}
     * segment: a write through it throws in Java instead of faulting, and the kernel would refuse
     * it anyway. Lifetime as {@link #map}.
     */
    static MemorySegment mapReadOnly(int fd, long size) {
        return mapWith(fd, size, PROT_READ).asReadOnly();
    }

    private static MemorySegment mapWith(int fd, long size, int protection) {
        MemorySegment address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            address = (MemorySegment) Calls.MMAP.invokeExact(errno, MemorySegment.NULL, size, protection, MAP_SHARED, fd,
                    0L);
            if (address.address() == -1L) {
                throw failed("mmap of " + size + " bytes", errno(errno));
            }
        } catch (Throwable t) {
            throw unexpected("mmap", t);
        }
        long start = address.address();
        return address.reinterpret(size, Arena.ofAuto(), unreachable -> unmap(start, size));
    }

    private static void unmap(long address, long size) {
        try {
            int ignored = (int) Calls.MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
        } catch (Throwable t) {
            // A cleaner has nobody to tell; the address space stays reserved.
        }
    }

    /**
     * Takes an OFD lock on one byte without waiting: exclusive (write) or shared (read). False if
     * another open file description holds a conflicting lock. Locks of the same descriptor never
     * conflict with each other: a second call only converts the lock.
     */
    static boolean tryLock(int fd, long offset, boolean exclusive) {
        return setLock(fd, offset, exclusive ? F_WRLCK : F_RDLCK);
    }

    /** Releases this descriptor's OFD lock on one byte (if it holds none, nothing happens). */
    static void unlock(int fd, long offset) {
        setLock(fd, offset, F_UNLCK);
    }

    /**
     * Whether another open file description holds a lock on that byte that an exclusive lock
     * would conflict with ({@code F_OFD_GETLK}). This descriptor's own locks never count.
     */
    static boolean lockedElsewhere(int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            MemorySegment lock = flock(arena, offset, F_WRLCK);
            if ((int) Calls.FCNTL.invokeExact(errno, fd, F_OFD_GETLK, lock) != 0) {
                throw failed("F_OFD_GETLK on byte " + offset, errno(errno));
            }
            return (short) L_TYPE.get(lock, 0L) != F_UNLCK;
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
    }

    private static boolean setLock(int fd, long offset, short type) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Calls.CAPTURE);
            MemorySegment lock = flock(arena, offset, type);
            while (true) {
                if ((int) Calls.FCNTL.invokeExact(errno, fd, F_OFD_SETLK, lock) == 0) {
                    return true;
                }
                int error = errno(errno);
                if (error == EAGAIN || error == EACCES) {
                    return false;
                }
                if (error != EINTR) {
                    throw failed("F_OFD_SETLK on byte " + offset, error);
                }
            }
        } catch (Throwable t) {
            throw unexpected("fcntl", t);
        }
    }

    /** The effective user id of this process: region files must be owned by it. */
    static int effectiveUid() {
        try {
            return (int) Calls.GETEUID.invokeExact();
        } catch (Throwable t) {
            throw unexpected("geteuid", t);
        }
    }

    /** The C library's text for an error number, with its symbolic value, for messages. */
    static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) Calls.STRERROR.invokeExact(errno);
            return text.reinterpret(Integer.MAX_VALUE).getString(0) + " (errno " + errno + ")";
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static MemorySegment flock(Arena arena, long offset, short type) {
        MemorySegment lock = arena.allocate(FLOCK); // zeroed: l_pid is 0, as OFD locks require
        L_TYPE.set(lock, 0L, type);
        L_WHENCE.set(lock, 0L, SEEK_SET);
        L_START.set(lock, 0L, offset);
        L_LEN.set(lock, 0L, 1L);
        return lock;
    }

    private static FileStatus statusOf(MemorySegment buffer) {
        return new FileStatus(
                Short.toUnsignedInt((short) STX_MODE.get(buffer, 0L)),
                (int) STX_UID.get(buffer, 0L),
                (long) STX_SIZE.get(buffer, 0L),
                Integer.toUnsignedLong((int) STX_DEV_MAJOR.get(buffer, 0L)),
                Integer.toUnsignedLong((int) STX_DEV_MINOR.get(buffer, 0L)),
                (long) STX_INO.get(buffer, 0L));
    }

    private static int errno(MemorySegment captured) {
        return (int) Calls.ERRNO.get(captured, 0L);
    }

    private static IpcObjectsException failed(String what, int errno) {
        return new IpcObjectsException(what + " failed: " + describe(errno));
    }

    /** Rethrows what a call threw as is, unless it is checked (which a downcall never throws). */
    private static RuntimeException unexpected(String call, Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IpcObjectsException("native call " + call + " failed: " + t, t);
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /** The downcall handles, linked on first use; {@link #UNSUPPORTED} says why they could not be. */
    private static final class Calls {
        static final String UNSUPPORTED;
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle OPEN;
        static final MethodHandle CLOSE;
        static final MethodHandle STATX;
        static final MethodHandle FCHMOD;
        static final MethodHandle POSIX_FALLOCATE;
        static final MethodHandle PREAD;
        static final MethodHandle MMAP;
        static final MethodHandle MUNMAP;
        static final MethodHandle FCNTL;
        static final MethodHandle GETEUID;
        static final MethodHandle STRERROR;

        static {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
            String why = null;
            if (!os.startsWith("Linux")) {
                why = "this is " + os + " (" + arch + ")";
            } else if (!x86 && !arch.equals("aarch64")) {
                why = "this is Linux on " + arch;
            }
            MethodHandle open = null, close = null, statx = null, fchmod = null, fallocate = null, pread = null;
            MethodHandle mmap = null, munmap = null, fcntl = null, geteuid = null, strerror = null;
            if (why == null) {
                try {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    open = link(linker, libc, "open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                            errno, Linker.Option.firstVariadicArg(2));
                    close = link(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    statx = link(linker, libc, "statx",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), errno);
                    fchmod = link(linker, libc, "fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
                    fallocate = link(linker, libc, "posix_fallocate",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
                    pread = link(linker, libc, "pread",
                            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG), errno);
                    mmap = link(linker, libc, "mmap",
                            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                            errno);
                    munmap = link(linker, libc, "munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
                    fcntl = link(linker, libc, "fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                            errno, Linker.Option.firstVariadicArg(2));
                    geteuid = link(linker, libc, "geteuid", FunctionDescriptor.of(JAVA_INT));
                    strerror = link(linker, libc, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
                } catch (RuntimeException e) {
                    why = e.getMessage();
                }
            }
            UNSUPPORTED = why;
            OPEN = open;
            CLOSE = close;
            STATX = statx;
            FCHMOD = fchmod;
            POSIX_FALLOCATE = fallocate;
            PREAD = pread;
            MMAP = mmap;
            MUNMAP = munmap;
            FCNTL = fcntl;
            GETEUID = geteuid;
            STRERROR = strerror;
        }

        private static MethodHandle link(Linker linker, SymbolLookup libc, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
            MemorySegment symbol = libc.find(name)
                    .orElseThrow(() -> new IllegalStateException("the C library has no " + name + " (glibc 2.28 or newer needed)"));
            return linker.downcallHandle(symbol, descriptor, options);
        }
    }
}
