package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.benchmarks.BenchRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * A region with one raw block of counters, shared by the lock scenarios. The parent creates it
 * and publishes the block as the user root; the child attaches and finds the block there.
 *
 * <pre>
 *   offset  0  counter        incremented under the lock by both sides
 *   offset  8  last side      side (1 + PARENT or CHILD) of the previous increment, under the lock
 *   offset 16  handoffs       increments made by a different side than the previous one
 *   offset 24  count[PARENT]  increments by the parent, under the lock
 *   offset 32  count[CHILD]   increments by the child, under the lock
 *   offset 64  turn           whose turn it is (alternation): written under the lock with
 *                             release, polled without the lock with acquire; its own cache line
 * </pre>
 *
 * <p>Region options come from the spec: {@code wait=backoff|busySpin|sleeping} (the lock's
 * {@link WaitStrategy}, default: the library's default) and {@code burst=<n>}
 * ({@link SharedMemoryOptions#withLockBurstLimit}, default: the library's default).
 */
final class LockRegion implements AutoCloseable {

    static final int PARENT = 0;
    static final int CHILD = 1;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long COUNTER = 0;
    private static final long LAST_SIDE = 8;
    private static final long HANDOFFS = 16;
    private static final long COUNTS = 24;
    private static final long TURN = 64;
    private static final long BLOCK_BYTES = 128;
    private static final long REGION_BYTES = 1L << 20;

    private final SharedMemory shm;
    private final MemorySegment block;

    private LockRegion(SharedMemory shm, MemorySegment block) {
        this.shm = shm;
        this.block = block;
    }

    static LockRegion create(RunContext run) {
        SharedMemory shm = SharedMemory.create(run.regionName(), REGION_BYTES, options(run));
        try (Access a = shm.acquire()) {
            long offset = a.allocate(BLOCK_BYTES);
            MemorySegment block = a.block(offset);
            block.fill((byte) 0);
            a.setUserRoot(offset);
            return new LockRegion(shm, block);
        } catch (RuntimeException e) {
            BenchRegions.closeAndRemove(shm);
            throw e;
        }
    }

    static LockRegion attach(RunContext run) {
        SharedMemory shm = SharedMemory.attach(run.regionName(), Duration.ofSeconds(30), options(run));
        try (Access a = shm.acquire()) {
            return new LockRegion(shm, a.block(a.userRoot()));
        }
    }

    static SharedMemoryOptions options(RunContext run) {
        SharedMemoryOptions options = SharedMemoryOptions.defaults();
        String wait = run.param("wait", "");
        options = switch (wait) {
            case "" -> options;
            case "backoff" -> options.withWaitStrategy(WaitStrategy.backoff());
            case "busySpin" -> options.withWaitStrategy(WaitStrategy.busySpin());
            case "sleeping" -> options.withWaitStrategy(WaitStrategy.sleeping());
            default -> throw new IllegalArgumentException("wait must be backoff, busySpin or sleeping: " + wait);
        };
        if (run.params().containsKey("burst")) {
            options = options.withLockBurstLimit((int) run.doubleParam("burst", 0));
        }
        return options;
    }

    SharedMemory shm() {
        return shm;
    }

    /** Under the lock: one increment by {@code side}, counting a hand-off when the side changed. */
    void increment(int side) {
        block.set(ValueLayout.JAVA_LONG, COUNTER, block.get(ValueLayout.JAVA_LONG, COUNTER) + 1);
        long countOffset = COUNTS + side * 8L;
        block.set(ValueLayout.JAVA_LONG, countOffset, block.get(ValueLayout.JAVA_LONG, countOffset) + 1);
        if (block.get(ValueLayout.JAVA_LONG, LAST_SIDE) != side + 1) {
            block.set(ValueLayout.JAVA_LONG, LAST_SIDE, side + 1);
            block.set(ValueLayout.JAVA_LONG, HANDOFFS, block.get(ValueLayout.JAVA_LONG, HANDOFFS) + 1);
        }
    }

    /** Under the lock. */
    long counter() {
        return block.get(ValueLayout.JAVA_LONG, COUNTER);
    }

    /** Under the lock. */
    long count(int side) {
        return block.get(ValueLayout.JAVA_LONG, COUNTS + side * 8L);
    }

    /** Under the lock. */
    long handoffs() {
        return block.get(ValueLayout.JAVA_LONG, HANDOFFS);
    }

    /** Without the lock: whose turn it is. */
    long turnAcquire() {
        return (long) LONG.getAcquire(block, TURN);
    }

    /** Under the lock: hands the turn over. */
    void setTurnRelease(long side) {
        LONG.setRelease(block, TURN, side);
    }

    @Override
    public void close() {
        if (shm.isCreator()) {
            BenchRegions.closeAndRemove(shm);
        } else {
            shm.close();
        }
    }
}
