package io.ipcobjects.internal.codec;

/**
 * A family of value kinds that a layer above the codec stores: containers, structs, tensors.
 * The codec knows its own kinds (inline values, blobs, tuples, serialized values) and asks the
 * families registered in its {@link ValueKinds} table for everything else, so it never names
 * them. Each family owns the {@link SlotKinds} numbers it lists in {@link #kinds()}.
 *
 * <p>All methods run under the region lock. {@code depth} (of stores and releases) is the
 * nesting level, bounded by {@link ValueSlots#MAX_DEPTH}; reads are bounded by a
 * {@link DecodeBudget}. {@link #decodeForRemoval} runs inside an operation of the handle's budget.
 */
public interface ValueKind {

    /** The slot kinds this family owns. */
    int[] kinds();

    /**
     * Stores {@code value} if this family takes it and describes it in {@code out}; returns false,
     * with nothing done, otherwise. On failure frees what it allocated.
     *
     * @param frozen store lists, sets and maps as immutable values (keys): families that store
     *               live state decline
     */
    boolean encode(RegionContext context, Object value, SlotValue out, int depth, boolean frozen);

    /**
     * The Java value of a slot of one of {@link #kinds()}, read within {@code budget}: a family
     * that reads nested slots passes it on ({@link ValueSlots#decode(RegionContext, int, int, long, DecodeBudget)})
     * and charges its own blocks to it.
     */
    Object decode(RegionContext context, int kind, int aux, long bits, DecodeBudget budget);

    /** Frees what a slot of one of {@link #kinds()} owns (or drops its reference). */
    void release(RegionContext context, int kind, int aux, long bits, int depth);

    /**
     * The value handed back by a removing operation ({@code remove}, {@code set}, {@code put})
     * just before the slot is released: by default the same as {@link #decode}.
     */
    default Object decodeForRemoval(RegionContext context, int kind, int aux, long bits) {
        return decode(context, kind, aux, bits, context.budget());
    }

    /**
     * Destroys, at {@code depth}, a value of {@code kind} at {@code offset} whose destruction a
     * deeper one left to this depth ({@link DeferredDestroys}). Only kinds that defer override it.
     */
    default void destroyDeferred(RegionContext context, int kind, long offset, int depth) {
        throw new IllegalStateException("slot kind " + kind + " defers no destruction");
    }
}
