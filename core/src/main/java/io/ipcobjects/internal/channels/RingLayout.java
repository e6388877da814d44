package io.ipcobjects.internal.channels;

/**
 * Layout of a lock-free ring ({@link Ring}): a bounded FIFO of fixed-size entries inside a heap
 * block, which any number of producers and consumers in any processes use without the region
 * lock. Channels ({@link ChannelLayout}) and tensor rings ({@link TensorRingLayout}) embed one or
 * two. Offsets are from the ring's base, which is 64-byte aligned.
 *
 * <pre>
 * Ring header (192 bytes: the takers' words and the putters' each own a cache line):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |           capacity            |         entry stride          |
 *        +-------------------------------+-------------------------------+
 *      8 |                 reserved, to the end of the line              ...
 *        +---------------------------------------------------------------+
 *     64 |        head: position of the oldest entry not yet taken       |
 *        +---------------------------------------------------------------+
 *     72 |     freed: every entry below it is freed, a hint for putters  |
 *        +---------------------------------------------------------------+
 *     80 |                 reserved, to the end of the line              ...
 *        +---------------------------------------------------------------+
 *    128 |        tail: position the next put claims, or behind it       |
 *        +---------------------------------------------------------------+
 *    136 |                 reserved, to the end of the line              ...
 *        +---------------------------------------------------------------+
 *    192 | entry 0, entry 1, ... entry capacity-1, each entry stride bytes ...
 *        +---------------------------------------------------------------+
 *      C | claim word 0, claim word 1, ... claim word capacity-1, 8 bytes each ...
 *        +---------------------------------------------------------------+
 *   (C = claimsOffset: 192 + capacity x stride, up to a whole line; the claims end on a whole line)
 *
 * Claim word of entry i (8 bytes; eight to a cache line):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 | last claimed position (low 32)|  0  |      owner claim id     |
 *        +-------------------------------+-------------------------------+
 *
 * Entry (stride bytes, a multiple of 16):
 *            0       1       2       3       4       5       6       7
 *        +-------+-------+-------+-------+-------+-------+-------+-------+
 *      0 |      sequence (low 32 bits)   |state|      owner claim id     |
 *        +-------------------------------+-------------------------------+
 *      8 |          payload kind         |        payload length         |
 *        +-------------------------------+-------------------------------+
 *     16 |          payload: stride - 16 bytes, the ring's user's        ...
 *        +---------------------------------------------------------------+
 * </pre>
 *
 * <p>An entry's claim word names the last position whose put claimed the entry ({@code i -
 * capacity} in a fresh ring) and the process that claimed it. Only putters write it, so while one
 * process puts, its claims stay in its own cache; takers read it only to count and to repair.
 *
 * <p>The state word is written with CAS by takers; its 4-bit state is one of
 * {@link #FREE} (sequence = the position that may claim it), {@link #WRITING},
 * {@link #FULL}, {@link #READING} and {@link #SKIP} (all with sequence = the position that
 * claimed it). Entry {@code p % capacity} serves position {@code p}; a lap later the same entry
 * serves {@code p + capacity}. The owner claim id (28 bits: process-table slot and the low bits of
 * its generation, {@code memory.ProcessTable#claimId}) names the process writing or reading the
 * entry, so a waiter can tell a slow owner from a dead one.
 *
 * <p>Transitions, each one CAS or one release store by the entry's owner:
 * <ul>
 *   <li>put: claim word {@code (p - capacity, any) -> (p, me)} (CAS, once the entry is known
 *       FREE(p): from the freed word, or else from the state word); then the entry
 *       {@code FREE(p) -> WRITING(p, me)} (a plain store: the claim makes the putter its only
 *       writer), payload written, {@code -> FULL(p)} (release). The putter of a channel of one
 *       producer writes its claim word with a plain store too;</li>
 *   <li>take: {@code FULL(p) -> READING(p, me)} (CAS), payload read, payload kind and length
 *       zeroed, {@code -> FREE(p + capacity)} (release): a FREE entry's kind and length are
 *       always 0, so a put writes none before its payload;</li>
 *   <li>a dead writer: {@code WRITING(p, dead) -> SKIP(p)}, or {@code FREE(p) -> SKIP(p)} when the
 *       claim word says a dead process claimed p (it died before marking the entry) (CAS, by a
 *       waiting consumer, about once a millisecond); a taker claims a SKIP as it claims FULL and
 *       frees it without handing anything out;</li>
 *   <li>a dead reader: {@code READING(p, dead) -> READING(p, me)} (CAS, by a waiting producer),
 *       which then cleans the payload and frees the entry as the reader would have.</li>
 * </ul>
 * Head and tail only grow, by CAS from the value read to one more, by the claimer or by anyone who
 * finds the entry at that position already claimed (helping), so a claimer that dies between its
 * claim and its move of the position stalls nobody. A taker draining a run of entries claims each
 * next one by the same CAS, expecting {@code FULL(p + 1)}, without reading the head, and moves
 * the head once past the run (at most a lap long); until it does, others help the head on as
 * above, and also past an entry whose sequence is the head's plus the capacity in any state
 * (taken, freed and claimed again a lap on behind the lagging head).
 *
 * <p>A handle whose puts follow each other leaves the tail behind, in rings of at least
 * {@code Ring.LAGGING_TAIL_MIN_CAPACITY} entries: its next put claims {@code FREE(last + 1)}
 * directly, and it moves the tail only once every {@code Ring.TAIL_MOVE_EVERY} puts (or up to
 * its hint when the hint's CAS fails). So the tail may sit fewer than {@code TAIL_MOVE_EVERY}
 * positions per putting handle behind the claims; another putter that reads it finds those
 * positions claimed (by their claim words) and helps the tail on as above, and {@code size}
 * counts the claimed positions past it. One CAS per put instead of two.
 *
 * <p>Takes do the same: in rings of at least {@code Ring.LAGGING_TAIL_MIN_CAPACITY} entries a
 * handle whose takes follow each other claims {@code FULL(last + 1)} directly and moves the head
 * only once every {@code Ring.HEAD_MOVE_EVERY} takes (or up to its hint when the hint's CAS
 * fails, and to the end of a drain's run). Takers that read the head help it past the entries
 * it lags behind, as above; {@code size} and the repairs of dead writers start from the first
 * entry past it that is not taken. A putter waiting for room watches the head, and so now and
 * then also reads the entries it may lag behind, in case the taker stopped there. The head's
 * line, which that putter reads, is written once per {@code HEAD_MOVE_EVERY} takes instead of
 * at each.
 *
 * <p>The freed word says every entry below it has been freed for its next lap (or later). A
 * put trusts it, and reads the entry's state word only when the bound it read last runs out: so
 * a freed word damaged to say an entry free while its message waits makes a put overwrite that
 * message, up to a lap. A taker that frees the entry the word names moves it on, by CAS, at each take and once per drain's run; a taker
 * that finds it lagging behind entries freed out of order by other takers walks it past them.
 * A putter that finds the ring full waits, reading this line only, until the word says
 * {@code Ring#resumeRoom} entries are free, and only then tries the entry again: a putter that
 * tried as soon as one entry was free would claim each entry as its taker frees it, and the two
 * would move in lockstep, one cache-line round trip per message. A word that does not move
 * (takers that stopped, or that freed out of order and left) is walked on by the waiting putter
 * now and then, reading the entries past it.
 *
 * <p>A take whose last take succeeded tries its CAS at once, expecting {@code FULL(head)},
 * instead of reading the word first: a read of a line another core wrote last brings it shared,
 * and the CAS then has to take it exclusive, two transfers where the CAS alone makes one.
 */
public final class RingLayout {
    private RingLayout() {
    }

    public static final long CAPACITY_OFFSET = 0;
    public static final long STRIDE_OFFSET = CAPACITY_OFFSET + Integer.BYTES;
    public static final long HEAD_OFFSET = 64;
    public static final long FREED_OFFSET = HEAD_OFFSET + Long.BYTES;
    public static final long TAIL_OFFSET = 128;
    public static final long ENTRIES_OFFSET = 192;

    /** One claim word per entry, eight to a cache line. */
    public static final int CLAIM_BYTES = Long.BYTES;

    public static final long STATE_OFFSET = 0;
    public static final long PAYLOAD_KIND_OFFSET = Long.BYTES;
    public static final long PAYLOAD_LENGTH_OFFSET = PAYLOAD_KIND_OFFSET + Integer.BYTES;
    public static final long PAYLOAD_OFFSET = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;

    public static final int FREE = 0;
    public static final int WRITING = 1;
    public static final int FULL = 2;
    public static final int READING = 3;
    public static final int SKIP = 4;

    /** Largest ring: positions are compared by their low 32 bits, which needs capacity well below 2^31. */
    public static final int MAX_CAPACITY = 1 << 20;
    public static final int OWNER_BITS = 28;
    public static final int OWNER_MASK = (1 << OWNER_BITS) - 1;

    public static long word(long position, int state, int owner) {
        return ((long) (int) position << 32) | ((long) state << OWNER_BITS) | (owner & OWNER_MASK);
    }

    public static int sequence(long word) {
        return (int) (word >>> 32);
    }

    public static int state(long word) {
        return (int) (word >>> OWNER_BITS) & 0xF;
    }

    public static int owner(long word) {
        return (int) word & OWNER_MASK;
    }

    /** Offset of the claim words: past the entries, at the next cache line. */
    public static long claimsOffset(int capacity, int stride) {
        return lineUp(ENTRIES_OFFSET + (long) capacity * stride);
    }

    /** Bytes of a ring of {@code capacity} entries of {@code stride} bytes, with its claim words. */
    public static long bytes(int capacity, int stride) {
        return claimsOffset(capacity, stride) + lineUp((long) capacity * CLAIM_BYTES);
    }

    /** A claim word's value: the last position whose put claimed its entry, and who claimed it. */
    public static long claimWord(long position, int owner) {
        return word(position, 0, owner);
    }

    private static long lineUp(long bytes) {
        return (bytes + 63) / 64 * 64;
    }

    /** The stride of entries with {@code payloadBytes} of payload, rounded up to {@code unit} (16 or 64). */
    public static int stride(int payloadBytes, int unit) {
        long raw = PAYLOAD_OFFSET + payloadBytes;
        return (int) ((raw + unit - 1) / unit * unit);
    }
}
