package io.ipcobjects;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How a region is created or attached. Immutable; start from {@link #defaults()} and change
 * what you need with the {@code with*} methods.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>directory</td><td>{@code /dev/shm}</td><td>where {@code ipcobjects-<name>} lives</td></tr>
 *   <tr><td>permissions</td><td>{@code rw-------}</td><td>file mode of a created region, and the widest mode
 *       a region file may have to be attached</td></tr>
 *   <tr><td>waitStrategy</td><td>{@link WaitStrategy#backoff()}</td><td>how waiters idle</td></tr>
 *   <tr><td>ownerCheckInterval</td><td>100 ms</td><td>how often a lock waiter checks that the owner process lives;
 *       a dead owner's lock is taken over within about this time</td></tr>
 *   <tr><td>lockBurstLimit</td><td>32</td><td>how many times in a row a process may re-take the lock while
 *       another process waits for it, before it must hand over (higher: more throughput under contention;
 *       lower: shorter waits; 0: strict alternation)</td></tr>
 *   <tr><td>closeTimeout</td><td>5 s</td><td>how long a closing creator waits for consumers to detach</td></tr>
 *   <tr><td>replaceStaleRegion</td><td>true</td><td>{@code create} replaces a region file nobody is attached to</td></tr>
 *   <tr><td>allowForeignOwner</td><td>false</td><td>attach to a region file owned by another user</td></tr>
 *   <tr><td>serialization</td><td>off</td><td>{@link #withSerialization}: Java serialization, read through an
 *       {@code ObjectInputFilter}, for values the region cannot store otherwise</td></tr>
 *   <tr><td>classFilter</td><td>classes this process stored</td><td>{@link #withClassFilter},
 *       {@link #withAllowedClasses}: which record, user and enum classes named by the region are read back</td></tr>
 *   <tr><td>spreadLargeBlocks</td><td>false</td><td>{@link #withSpreadLargeBlocks}: this process places blocks of
 *       256 KiB or more by next fit, in turn through the free heap</td></tr>
 * </table>
 */
public final class SharedMemoryOptions {

    private static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    /** The default class filter: no class beyond the ones this process stored itself. */
    private static final Predicate<String> NO_CLASSES = new Predicate<>() {
        @Override
        public boolean test(String name) {
            return false;
        }

        @Override
        public String toString() {
            return "classes this process stored";
        }
    };
    private static final SharedMemoryOptions DEFAULTS = new SharedMemoryOptions(DEFAULT_DIRECTORY,
            PosixFilePermissions.fromString("rw-------"), WaitStrategy.backoff(), Duration.ofMillis(100),
            32, Duration.ofSeconds(5), true, null, false, NO_CLASSES, 0, false);

    private final Path directory;
    private final Set<PosixFilePermission> permissions;
    private final WaitStrategy waitStrategy;
    private final Duration ownerCheckInterval;
    private final int lockBurstLimit;
    private final Duration closeTimeout;
    private final boolean replaceStaleRegion;
    private final ObjectInputFilter serialization;
    private final boolean allowForeignOwner;
    private final Predicate<String> classFilter;
    /** 0: the default for the region's size ({@code UndoLogLayout.defaultLogBytes}). */
    private final long undoLogBytes;
    private final boolean spreadLargeBlocks;

    private SharedMemoryOptions(Path directory, Set<PosixFilePermission> permissions, WaitStrategy waitStrategy,
                                Duration ownerCheckInterval, int lockBurstLimit, Duration closeTimeout,
                                boolean replaceStaleRegion, ObjectInputFilter serialization, boolean allowForeignOwner,
                                Predicate<String> classFilter, long undoLogBytes, boolean spreadLargeBlocks) {
        this.directory = directory;
        this.permissions = Set.copyOf(permissions);
        this.waitStrategy = waitStrategy;
        this.ownerCheckInterval = ownerCheckInterval;
        this.lockBurstLimit = lockBurstLimit;
        this.closeTimeout = closeTimeout;
        this.replaceStaleRegion = replaceStaleRegion;
        this.spreadLargeBlocks = spreadLargeBlocks;
        this.serialization = serialization;
        this.allowForeignOwner = allowForeignOwner;
        this.classFilter = classFilter;
        this.undoLogBytes = undoLogBytes;
    }

    /**
     * The defaults listed in the class comment.
     *
     * @return the default options
     */
    public static SharedMemoryOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The directory region files are created in and attached from, by name.
     *
     * @param directory the directory (default {@code /dev/shm}); a tmpfs keeps the region in memory
     * @return options with that directory, the rest unchanged
     * @throws NullPointerException if {@code directory} is null
     */
    public SharedMemoryOptions withDirectory(Path directory) {
        return new SharedMemoryOptions(Objects.requireNonNull(directory, "directory"), permissions, waitStrategy,
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * File mode of a created region, e.g. {@code PosixFilePermissions.fromString("rw-rw----")};
     * also the widest mode a region file may have for {@code attach} to use it, so a region
     * another user could have written is not trusted without a word. Consumers of a region
     * created with a wider mode pass the same permissions.
     *
     * @param permissions the file's permissions (default {@code rw-------}: the owner only)
     * @return options with those permissions, the rest unchanged
     * @throws NullPointerException if {@code permissions} is null
     */
    public SharedMemoryOptions withPermissions(Set<PosixFilePermission> permissions) {
        return new SharedMemoryOptions(directory, Objects.requireNonNull(permissions, "permissions"), waitStrategy,
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * How waiters for the lock or for a message idle.
     *
     * @param waitStrategy the strategy (default {@link WaitStrategy#BACKOFF})
     * @return options with that strategy, the rest unchanged
     * @throws NullPointerException if {@code waitStrategy} is null
     */
    public SharedMemoryOptions withWaitStrategy(WaitStrategy waitStrategy) {
        return new SharedMemoryOptions(directory, permissions, Objects.requireNonNull(waitStrategy, "waitStrategy"),
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * How often a lock waiter checks that the owner process lives; a dead owner's lock is taken
     * over within about this time.
     *
     * @param interval the interval, positive (default 100 ms)
     * @return options with that interval, the rest unchanged
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     * @throws NullPointerException     if {@code interval} is null
     */
    public SharedMemoryOptions withOwnerCheckInterval(Duration interval) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, positive(interval, "ownerCheckInterval"),
                lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * How many times in a row a process may re-take the lock while another process waits for it,
     * before it must hand over: higher gives more throughput under contention, lower gives
     * shorter waits, 0 strict alternation.
     *
     * @param burstLimit the limit, 0 or more (default 32)
     * @return options with that limit, the rest unchanged
     * @throws IllegalArgumentException if {@code burstLimit} is negative
     */
    public SharedMemoryOptions withLockBurstLimit(int burstLimit) {
        if (burstLimit < 0) {
            throw new IllegalArgumentException("lockBurstLimit must not be negative: " + burstLimit);
        }
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, burstLimit, closeTimeout,
                replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * How long a closing creator waits for consumers to detach before it removes the region anyway.
     *
     * @param timeout the timeout, zero or more (default 5 s)
     * @return options with that timeout, the rest unchanged
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws NullPointerException     if {@code timeout} is null
     */
    public SharedMemoryOptions withCloseTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "closeTimeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must not be negative: " + timeout);
        }
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                timeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * Whether {@code create} replaces a stale region file: one no process is attached to (every
     * attached handle holds a lock on the file that the kernel drops when its process dies). If
     * not, such a file makes {@code create} fail as a live region would.
     *
     * @param replace true to replace stale region files (the default)
     * @return options with that setting, the rest unchanged
     */
    public SharedMemoryOptions withReplaceStaleRegion(boolean replace) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replace, serialization, allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * The size of the shared part of the region's undo log, set at {@code create}: the old
     * contents of what an {@code acquire()} scope changes in existing data are kept in the log
     * until it completes, so that a process killed in the middle of it can be rolled back by
     * the next one (each attached process also has a 256-byte own log, where a short scope's
     * entries stay). An operation that changes more than the log holds keeps the rest in its
     * own process's memory; if that process dies inside it, the region cannot be rolled back
     * and is refused from then on. The default, 0, is 1/16 of the region, at least 16 KiB and
     * at most 64 MiB; the log's pages (and 16 KiB of own logs) come out of the region's size.
     * Ignored by {@code attach}: the creator's choice is in the header.
     *
     * @param bytes the log's size in bytes (at least 16 KiB, at most half the region), or 0
     *              for the default
     * @return options with that log size, the rest unchanged
     * @throws IllegalArgumentException if {@code bytes} is negative or between 0 and 16 KiB
     */
    public SharedMemoryOptions withUndoLogBytes(long bytes) {
        if (bytes < 0 || (bytes > 0 && bytes < 16 * 1024)) {
            throw new IllegalArgumentException("undo log bytes must be 0 (the default) or at least 16384: " + bytes);
        }
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, bytes, spreadLargeBlocks);
    }

    /**
     * The undo log size {@code create} uses; see {@link #withUndoLogBytes}.
     *
     * @return the log's size in bytes, or 0 for the default
     */
    public long undoLogBytes() {
        return undoLogBytes;
    }

    /**
     * Whether this process places the large blocks it allocates (256 KiB or more: large messages,
     * arrays and strings) in turn through the free heap (next fit), instead of where a block was
     * freed last. For large messages to a process on a core that shares no cache with this one:
     * a message is then read long enough after it was written to have left this core's cache,
     * and comes from memory instead of crossing between the two caches line by line (on the
     * AMD host of the README's "How much to keep in flight", 1 MiB messages between cores that
     * share no cache went from about 2 to 5.5-10 GiB/s; a machine that moves lines between
     * cores faster may gain nothing, so measure there first). When the two processes share a
     * core's cache it is slower (the messages no longer stay in it), and next fit leaves the
     * free space in more pieces, so the largest block a region can still give is smaller. Off by
     * default. It concerns this process only; other processes of the region keep their own
     * setting.
     *
     * @param spread true to place large blocks by next fit
     * @return options with that setting, the rest unchanged
     */
    public SharedMemoryOptions withSpreadLargeBlocks(boolean spread) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, classFilter, undoLogBytes, spread);
    }

    /**
     * Whether this process places large blocks by next fit ({@link #withSpreadLargeBlocks}).
     *
     * @return true if it does
     */
    public boolean spreadLargeBlocks() {
        return spreadLargeBlocks;
    }

    /**
     * Whether {@code attach} may use a region file owned by another user. Off by default: a
     * file someone else owns can be changed by them at any time, so using it must be a choice
     * (such as a creator and consumers running as different users of one group, with
     * {@link #withPermissions} giving the group's mode).
     *
     * @param allow true to attach to region files of other owners
     * @return options with that setting, the rest unchanged
     */
    public SharedMemoryOptions withAllowForeignOwner(boolean allow) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replaceStaleRegion, serialization, allow, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * The directory region files are created in and attached from, by name.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * The file mode of a created region.
     *
     * @return the permissions (an unmodifiable set)
     */
    public Set<PosixFilePermission> permissions() {
        return permissions;
    }

    /**
     * How waiters for the lock or for a message idle.
     *
     * @return the wait strategy
     */
    public WaitStrategy waitStrategy() {
        return waitStrategy;
    }

    /**
     * How often a lock waiter checks that the owner process lives.
     *
     * @return the interval
     */
    public Duration ownerCheckInterval() {
        return ownerCheckInterval;
    }

    /**
     * How many times in a row a process may re-take the lock while another waits.
     *
     * @return the burst limit
     */
    public int lockBurstLimit() {
        return lockBurstLimit;
    }

    /**
     * How long a closing creator waits for consumers to detach.
     *
     * @return the timeout
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Whether {@code create} replaces a region file no process is attached to.
     *
     * @return true if stale region files are replaced
     */
    public boolean replaceStaleRegion() {
        return replaceStaleRegion;
    }

    /**
     * Whether {@code attach} may use a region file owned by another user.
     *
     * @return true if region files of other owners are attached to
     */
    public boolean allowForeignOwner() {
        return allowForeignOwner;
    }

    /**
     * Lets values of classes the region cannot store otherwise be stored with Java serialization,
     * and read back only through {@code filter} (an allow-list, such as
     * {@code ObjectInputFilter.Config.createFilter("java.net.URI;java.util.BitSet;!*")}): see the
     * README. Off by default, because deserializing what another process wrote runs code of
     * whatever classes its bytes name. A handle without it refuses to read serialized values.
     *
     * @param filter the filter every serialized value is read through
     * @return options with serialization on, the rest unchanged
     * @throws NullPointerException if {@code filter} is null
     */
    public SharedMemoryOptions withSerialization(ObjectInputFilter filter) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replaceStaleRegion, Objects.requireNonNull(filter, "filter"), allowForeignOwner, classFilter, undoLogBytes, spreadLargeBlocks);
    }

    /**
     * The filter serialized values are read through, or null when serialization is off (the default).
     *
     * @return the filter, or null
     */
    public ObjectInputFilter serialization() {
        return serialization;
    }

    /**
     * Which classes named by the region this handle may load when it reads a record, a user
     * object or an enum constant, beyond the classes this process has stored itself (which are
     * always allowed). A class name in the region was written by another process; loading and
     * rebuilding whatever it names would run code the reader never chose (a static initializer,
     * a constructor, {@code hashCode()}), so by default only classes this process stored are read
     * back (and the JDK's own enums). A name the filter refuses gives an
     * {@link IpcObjectsException} naming the class; nothing is loaded. An allowed class is loaded
     * without being initialized, and an enum value must name an enum class.
     *
     * <p>The filter replaces the one set before (including by {@link #withAllowedClasses}).
     *
     * @param filter accepts the binary names ({@link Class#getName()}) of the classes to allow,
     *               e.g. {@code name -> name.startsWith("com.example.model.")}
     * @return options with that class filter, the rest unchanged
     * @throws NullPointerException if {@code filter} is null
     */
    public SharedMemoryOptions withClassFilter(Predicate<String> filter) {
        return new SharedMemoryOptions(directory, permissions, waitStrategy, ownerCheckInterval, lockBurstLimit,
                closeTimeout, replaceStaleRegion, serialization, allowForeignOwner, Objects.requireNonNull(filter, "filter"),
                undoLogBytes, spreadLargeBlocks);
    }

    /**
     * Allows these classes to be read back when the region names them (see
     * {@link #withClassFilter}), in addition to what the class filter allows already: the usual
     * way for a consumer to read the records and enums another process stores.
     *
     * @param classes the record, user and enum classes to allow
     * @return options whose class filter also accepts these classes, the rest unchanged
     * @throws NullPointerException if {@code classes} or one of them is null
     */
    public SharedMemoryOptions withAllowedClasses(Class<?>... classes) {
        Set<String> names = new HashSet<>();
        for (Class<?> type : classes) {
            names.add(Objects.requireNonNull(type, "class").getName());
        }
        Set<String> allowed = Set.copyOf(names);
        Predicate<String> before = classFilter;
        Predicate<String> filter = new Predicate<>() {
            @Override
            public boolean test(String name) {
                return allowed.contains(name) || before.test(name);
            }

            @Override
            public String toString() {
                return before + " and " + allowed;
            }
        };
        return withClassFilter(filter);
    }

    /**
     * The filter of classes a handle may load when the region names them, beyond the classes this
     * process stored itself; by default it accepts none.
     *
     * @return the class filter
     */
    public Predicate<String> classFilter() {
        return classFilter;
    }

    /**
     * The file of region {@code name} under {@link #directory()}.
     *
     * @param name the region's name: a non-empty file name without {@code '/'}
     * @return {@code <directory>/ipcobjects-<name>}
     * @throws IllegalArgumentException if {@code name} is not a usable file name
     */
    public Path pathFor(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.contains("\0") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("region name must be a non-empty file name without '/': \"" + name + "\"");
        }
        return directory.resolve("ipcobjects-" + name);
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }
}
