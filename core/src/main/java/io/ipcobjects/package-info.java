/**
 * Share Java objects and tensors between JVM processes on one machine through one memory-mapped
 * region (by default a file in {@code /dev/shm}).
 *
 * <h2>Where to start</h2>
 *
 * <p>{@link io.ipcobjects.SharedMemory} is the entry point. One process creates a region with
 * {@link io.ipcobjects.SharedMemory#create(String, long) SharedMemory.create(name, sizeBytes)};
 * others attach to it by name with
 * {@link io.ipcobjects.SharedMemory#attach(String, java.time.Duration) SharedMemory.attach(name, timeout)}.
 * Each process gets its own {@code SharedMemory} handle; closing the creator's handle closes the
 * region for everyone. {@link io.ipcobjects.SharedMemoryOptions} sets the directory, file
 * permissions, how waiters idle and the timeouts.
 *
 * <pre>{@code
 * // producer
 * try (SharedMemory shm = SharedMemory.create("pipeline", 64L << 20)) {
 *     shm.awaitConsumers(1, Duration.ofSeconds(30));
 *     shm.putMessage(Map.of("step", 0L));
 * }
 * // consumer, in another process
 * try (SharedMemory shm = SharedMemory.attach("pipeline", Duration.ofSeconds(30))) {
 *     Map<String, Object> state = shm.takeMessage(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>The region has one lock. {@link io.ipcobjects.Access} is one critical section: it holds the
 * lock from {@link io.ipcobjects.SharedMemory#acquire()} until it is closed, belongs to the
 * thread that acquired it, and offers every operation on the region (messages, names, shared
 * containers, tensors, raw blocks). Do several operations in one {@code Access} when they must
 * be seen together, and keep it short: other processes wait meanwhile. The same operations on
 * {@code SharedMemory} are shortcuts that take the lock for that one call.
 * {@link io.ipcobjects.SharedMemory#withAccess withAccess} and
 * {@link io.ipcobjects.SharedMemory#nextMessage() nextMessage} are the asynchronous forms.
 *
 * <h2>How values travel</h2>
 *
 * <p>A value reaches another process as a message ({@code putMessage} / {@code takeMessage}, a
 * queue, oldest first), under a name ({@code put} / {@code get}), or inside a shared container.
 * What it becomes depends on its type:
 * <ul>
 *   <li><b>Plain values are copied.</b> Null, boxed primitives, strings, {@code java.time} values,
 *       {@code BigInteger}, {@code BigDecimal}, {@code UUID}, enum constants, {@code byte[]},
 *       {@code char[]}, {@code Object[]}, records and classes with a no-argument constructor are
 *       copied into the region and come out as an equal copy (containers inside a record or an
 *       {@code Object[]} still come out as live views); changing the copy changes nothing in
 *       the region.</li>
 *   <li><b>Containers become live views.</b> A {@code List}, {@code Set} or {@code Map} is stored
 *       as a shared object and comes out as a {@link io.ipcobjects.SharedList},
 *       {@link io.ipcobjects.SharedSet} or {@link io.ipcobjects.SharedMap}: every read and write
 *       goes to the region, so a change made by one process is seen by all. Such an object lives
 *       until it is destroyed ({@link io.ipcobjects.Access#destroy}) or let go of by the name or
 *       slot that owns it. {@link io.ipcobjects.FrozenMap} and {@link io.ipcobjects.FrozenSet}
 *       store a read-only snapshot instead, read without the lock.</li>
 *   <li><b>Numeric primitive arrays become tensors.</b> A {@code boolean[]}, {@code short[]},
 *       {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]} is copied once into a
 *       tensor and comes out as a {@link io.ipcobjects.SharedTensor}, a view of the elements in
 *       place (no copy). So are the arrays of a tensor library with a binding on the class path
 *       (ND4J, DJL: see {@link io.ipcobjects.spi}), which come back as that library's type.</li>
 * </ul>
 * A value of any other type is refused with {@link io.ipcobjects.UnsupportedTypeException},
 * unless Java serialization was turned on with
 * {@link io.ipcobjects.SharedMemoryOptions#withSerialization}. A failed store changes nothing.
 *
 * <h2>Failures</h2>
 *
 * <p>Exceptions about a region or a value in it extend {@link io.ipcobjects.IpcObjectsException}
 * (such as {@link io.ipcobjects.OutOfSharedMemoryException} and
 * {@link io.ipcobjects.WaitTimeoutException}). Using something that is gone throws an
 * {@link IllegalStateException}: {@link io.ipcobjects.RegionClosedException} after the region
 * was closed, {@link io.ipcobjects.ObjectDestroyedException} after a shared object was destroyed.
 *
 * <h2>Where to look next</h2>
 *
 * <ul>
 *   <li>{@link io.ipcobjects.SharedMemory}: lifecycle, waiting for consumers, asynchronous access.</li>
 *   <li>{@link io.ipcobjects.Access}: every operation, with what it stores and returns.</li>
 *   <li>{@link io.ipcobjects.SharedTensor}: dtypes, shapes, element access and bulk copies.</li>
 *   <li>{@link io.ipcobjects.spi}: how a tensor library plugs in.</li>
 *   <li>The project's {@code docs/} directory: the full type table, messages and names, tensors,
 *       performance.</li>
 * </ul>
 *
 * <p>This package and {@link io.ipcobjects.spi} are the API: the only packages the module
 * {@code io.ipcobjects.core} exports. The packages under {@code io.ipcobjects.internal} are not
 * API: they are not exported, and on the class path, where they can be reached, they may change
 * in any release without notice.
 */
package io.ipcobjects;
