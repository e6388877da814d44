package io.ipcobjects.internal.channels;

/**
 * Layout of a tensor ring's block (tag {@code TENSOR_RING}, payload 64-byte aligned): a header
 * line, the specs, one line per slot, and a {@link RingLayout ring} of published slot indices.
 * Each slot's tensors are ordinary tensor blocks ({@code tensor.TensorLayout}), allocated with
 * the ring and never freed.
 *
 * <pre>
 * Header, from 0:
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |         magic 'TRG1'          |          slot count           |
 *        +-------------------------------+-------------------------------+
 *      8 |          spec count           |           reserved            |
 *        +-------------------------------+-------------------------------+
 *     16 |                 reserved, to the end of the line              ...
 *        +---------------------------------------------------------------+
 *     64 | spec 0, spec 1, ... (SPEC_BYTES each)                         ...
 *
 * Spec (72 bytes):
 *        +-------------------------------+-------------------------------+
 *      0 |          dtype code           |             rank              |
 *        +-------------------------------+-------------------------------+
 *      8 | extent 0, extent 1, ... (MAX_RANK longs)                      ...
 *        +---------------------------------------------------------------+
 *
 * Then the slot table, one line per slot (SLOT_BYTES), from slotTable(specs):
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |     holder: state(4) | ring sequence(32) | owner claim id(28)  |
 *        +---------------------------------------------------------------+
 *      8 |                  tag the producer published                   |
 *        +---------------------------------------------------------------+
 *     16 | tensor block of spec 0, of spec 1, ... (MAX_PARTS longs)      ...
 *        +---------------------------------------------------------------+
 *
 * Then the published ring, from publishedRing(specs, slots): RingLayout with entries of
 * 32 bytes whose payload's first int is a slot index.
 * </pre>
 *
 * <p>The holder word is the truth about a slot, moved only by CAS: {@link #HELD_FREE} (any
 * producer may claim it), {@link #HELD_CLAIMED} by an owner (a producer fills it),
 * {@link #HELD_PUBLISHED} at a ring sequence (its index is in the published ring at that
 * position), {@link #HELD_TAKEN} by an owner (a consumer reads it). A slot whose holder is
 * claimed or taken by a dead owner is freed by whoever sweeps; a published-ring entry that a
 * dead process held is freed too, and the slot it named, if still published at that position,
 * with it.
 */
public final class TensorRingLayout {
    private TensorRingLayout() {
    }

    public static final int MAGIC = 0x31475254; // "TRG1" little-endian
    public static final long MAGIC_OFFSET = 0;
    public static final long SLOT_COUNT_OFFSET = 4;
    public static final long SPEC_COUNT_OFFSET = 8;
    public static final long SPECS_OFFSET = 64;

    public static final int MAX_SLOTS = 4096;
    public static final int MAX_PARTS = 6;
    public static final int MAX_RANK = 8;

    public static final long SPEC_DTYPE_OFFSET = 0;
    public static final long SPEC_RANK_OFFSET = 4;
    public static final long SPEC_EXTENTS_OFFSET = 8;
    public static final long SPEC_BYTES = SPEC_EXTENTS_OFFSET + (long) MAX_RANK * Long.BYTES;

    public static final long HOLDER_OFFSET = 0;
    public static final long TAG_OFFSET = 8;
    public static final long TENSORS_OFFSET = 16;
    public static final long SLOT_BYTES = 64;

    /** Published-ring entries: the state word, kind and length, a 16-byte payload holding the index. */
    public static final int PUBLISHED_STRIDE = RingLayout.stride(16, 16);

    public static final int HELD_FREE = 0;
    public static final int HELD_CLAIMED = 1;
    public static final int HELD_PUBLISHED = 2;
    public static final int HELD_TAKEN = 3;

    public static long holder(int state, long sequence, int owner) {
        return ((long) state << 60) | ((sequence & 0xFFFF_FFFFL) << 28) | (owner & RingLayout.OWNER_MASK);
    }

    public static int heldState(long holder) {
        return (int) (holder >>> 60);
    }

    public static int heldOwner(long holder) {
        return (int) holder & RingLayout.OWNER_MASK;
    }

    public static long slotTable(int specs) {
        long end = SPECS_OFFSET + specs * SPEC_BYTES;
        return (end + 63) / 64 * 64;
    }

    public static long publishedRing(int specs, int slots) {
        return slotTable(specs) + slots * SLOT_BYTES;
    }

    public static long bytes(int specs, int slots) {
        return publishedRing(specs, slots) + RingLayout.bytes(slots, PUBLISHED_STRIDE);
    }
}
