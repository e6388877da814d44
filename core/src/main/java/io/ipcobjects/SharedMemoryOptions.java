package io.ipcobjects;

import java.io.ObjectInputFilter;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

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
 * </table>
 */
public final class SharedMemoryOptions {

    private static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
    private static final SharedMemoryOptions DEFAULTS = new SharedMemoryOptions(DEFAULT_DIRECTORY,
            PosixFilePermissions.fromString("rw-------"), WaitStrategy.backoff(), Duration.ofMillis(100),
            32, Duration.ofSeconds(5), true, null, false);

    private final Path directory;
    private final Set<PosixFilePermission> permissions;
    private final WaitStrategy waitStrategy;
    private final Duration ownerCheckInterval;
    private final int lockBurstLimit;
    private final Duration closeTimeout;
    private final boolean replaceStaleRegion;
    private final ObjectInputFilter serialization;
    private final boolean allowForeignOwner;

    private SharedMemoryOptions(Path directory, Set<PosixFilePermission> permissions, WaitStrategy waitStrategy,
                                Duration ownerCheckInterval, int lockBurstLimit, Duration closeTimeout,
                                boolean replaceStaleRegion, ObjectInputFilter serialization, boolean allowForeignOwner) {
        this.directory = directory;
        this.permissions = Set.copyOf(permissions);
        this.waitStrategy = waitStrategy;
        this.ownerCheckInterval = ownerCheckInterval;
        this.lockBurstLimit = lockBurstLimit;
        this.closeTimeout = closeTimeout;
        this.replaceStaleRegion = replaceStaleRegion;
        this.serialization = serialization;
        this.allowForeignOwner = allowForeignOwner;
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
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner);
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
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner);
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
                ownerCheckInterval, lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner);
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
                lockBurstLimit, closeTimeout, replaceStaleRegion, serialization, allowForeignOwner);
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
                replaceStaleRegion, serialization, allowForeignOwner);
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
                timeout, replaceStaleRegion, serialization, allowForeignOwner);
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
                closeTimeout, replace, serialization, allowForeignOwner);
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
                closeTimeout, replaceStaleRegion, serialization, allow);
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
                closeTimeout, replaceStaleRegion, Objects.requireNonNull(filter, "filter"), allowForeignOwner);
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
