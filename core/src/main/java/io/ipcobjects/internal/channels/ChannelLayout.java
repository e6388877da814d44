package io.ipcobjects.internal.channels;

/**
 * Layout of a channel's block (tag {@code CHANNEL}, payload 64-byte aligned): one line of
 * header, then its {@link RingLayout ring}. A name's value slot of kind {@code CHANNEL} holds the
 * block's payload offset.
 *
 * <pre>
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |        magic 'CHN1'           |         inline bytes          |
 *        +-------------------------------+-------------------------------+
 *      8 |      element type: a VALUE_BLOB of its class name, 0 = Object     |
 *        +-------------------------------+-------------------------------+
 *     16 |  producers: 0 many, 1 one     |           reserved            |
 *        +-------------------------------+-------------------------------+
 *     24 |   producer seat: 0 free, else SEAT_HELD | the holder's claim id  |
 *        +---------------------------------------------------------------+
 *     32 |                 reserved, to the end of the line              ...
 *        +---------------------------------------------------------------+
 *     64 | the ring: RingLayout, entries of stride 16 + inline bytes     ...
 * </pre>
 *
 * <p>A channel of {@link #PRODUCERS_ONE one producer} ({@code Channel.Producers.ONE}) lets
 * one handle put at a time: the handle that holds its seat, which it takes by CAS when its
 * first put finds the seat free or its holder's attachment gone (a process that died or closed
 * the region), and keeps while it is attached ({@link ProducerSeat}). That putter then claims
 * the entries of its puts with plain stores, knowing from the ring's freed word that they are
 * free ({@code Ring#claimAtHint}).
 *
 * <p>An entry's payload kind says what its payload holds: {@link #PAYLOAD_FLAT}, the message in
 * {@link FlatCodec}'s encoding (length bytes); {@link #PAYLOAD_HEAP}, a value slot (16 bytes,
 * {@code codec.SlotLayout}) whose value lives in the heap, written and freed under the region lock;
 * {@link #PAYLOAD_NONE}, nothing (a put that failed). A heap payload's slot is zeroed, without the
 * lock, before the kind says heap, and the take frees it and zeroes it again inside the same lock
 * scope: so a slot that is not zero always holds a value nobody has freed, which is what lets a
 * process that finds a dead writer's or reader's entry free exactly what it must.
 */
public final class ChannelLayout {
    private ChannelLayout() {
    }

    public static final int MAGIC = 0x314E4843; // "CHN1" little-endian
    public static final long MAGIC_OFFSET = 0;
    public static final long INLINE_BYTES_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    public static final long TYPE_NAME_OFFSET = INLINE_BYTES_OFFSET + Integer.BYTES;
    public static final long PRODUCERS_OFFSET = 16;
    public static final long PRODUCER_SEAT_OFFSET = 24;
    public static final long RING_OFFSET = 64;

    public static final int PRODUCERS_MANY = 0;
    public static final int PRODUCERS_ONE = 1;
    /** Set in a held seat word, so that the claim id 0 is not mistaken for a free seat. */
    public static final long SEAT_HELD = 1L << 32;

    public static final int PAYLOAD_NONE = 0;
    public static final int PAYLOAD_FLAT = 1;
    public static final int PAYLOAD_HEAP = 2;

    public static final int MIN_INLINE_BYTES = 16;
    public static final int MAX_INLINE_BYTES = 65_536;

    /** Entries fill whole cache lines, so two entries never share one. */
    public static int stride(int inlineBytes) {
        return RingLayout.stride(inlineBytes, 64);
    }

    public static long bytes(int capacity, int inlineBytes) {
        return RING_OFFSET + RingLayout.bytes(capacity, stride(inlineBytes));
    }
}
