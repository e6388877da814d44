package io.ipcobjects.internal.codec;

import java.util.Arrays;

/**
 * The work a deep destruction leaves to a shallower one, so that destroying a nest of containers
 * takes a bounded stack however deep the nest is. A nest can be deeper than any store allows:
 * it is built one level at a time through the API ({@code inner.add(new ArrayList<>())}, then
 * the same on the new inner list), each store shallow. Past a depth, a container whose last
 * reference goes is not destroyed at once but listed here ({@link #deferDestroy}), and a
 * container destroyed that deep does not free its block at once either ({@link #deferFree}):
 * its header, with identity 0, stays in place so that a cycle back to it is still recognised
 * as "being destroyed" ({@code containers.Containers}). The nearest shallower destruction then
 * destroys the listed containers in a loop and frees the listed blocks last.
 *
 * <p>One per handle, used under the lock only; {@link #clear()} after a rollback, which puts
 * back the memory the entries describe.
 */
public final class DeferredDestroys {

    /**
     * Depth past which destructions are deferred. It bounds the recursion of a destruction
     * through containers; the values a container holds nest at most {@link ValueSlots#MAX_DEPTH}
     * levels more, which {@link ValueSlots#MAX_RELEASE_DEPTH} allows for.
     */
    public static final int FROM_DEPTH = 64;

    /** Pairs (slot kind, offset) of the waiting destructions. */
    private long[] destroys = new long[32];
    private int destroyCount;
    /** Blocks to free once no destruction waits. */
    private long[] frees = new long[32];
    private int freeCount;

    /** The container of slot kind {@code kind} at {@code offset} lost its last reference: destroy it later. */
    public void deferDestroy(int kind, long offset) {
        if (destroyCount + 2 > destroys.length) {
            destroys = Arrays.copyOf(destroys, destroys.length * 2);
        }
        destroys[destroyCount++] = kind;
        destroys[destroyCount++] = offset;
    }

    /** The block at {@code offset} (its contents already released) is to be freed once the waiting destructions are done. */
    public void deferFree(long offset) {
        if (freeCount == frees.length) {
            frees = Arrays.copyOf(frees, frees.length * 2);
        }
        frees[freeCount++] = offset;
    }

    /** Whether anything waits: a destruction or a block to free. */
    public boolean pending() {
        return destroyCount > 0 || freeCount > 0;
    }

    /**
     * Does what waits, from a destruction at {@code depth} (at most {@link #FROM_DEPTH}): the
     * waiting destructions one after the other, at {@code depth + 1} (each may list more), then
     * the waiting blocks. If one throws (a corrupted region), the rest is forgotten.
     */
    public void drain(RegionContext context, int depth) {
        try {
            while (destroyCount > 0) {
                // Newest first; each destruction may list more behind it.
                long offset = destroys[--destroyCount];
                int kind = (int) destroys[--destroyCount];
                context.kinds().owner(kind, offset).destroyDeferred(context, kind, offset, depth + 1);
            }
            while (freeCount > 0) {
                context.allocator().free(frees[--freeCount]);
            }
        } catch (RuntimeException | Error e) {
            clear();
            throw e;
        }
    }

    /** Forgets everything waiting (after a rollback, or an operation that failed half-way). */
    public void clear() {
        destroyCount = 0;
        freeCount = 0;
    }
}
