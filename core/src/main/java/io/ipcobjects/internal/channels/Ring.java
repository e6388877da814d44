package io.ipcobjects.internal.channels;

import static io.ipcobjects.internal.channels.RingLayout.*;

import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.internal.memory.RegionMemory;

/**
 * A bounded many-producer, many-consumer FIFO of fixed-size entries ({@link RingLayout}) that
 * processes use without the region lock. It moves entries between states; what a payload means
 * is its user's business ({@link RingChannel}, {@link SharedTensorRing}).
 *
 * <p>Memory ordering: a put claims by a CAS of the entry's claim word (full fence; a plain store
 * by a sole putter), once the freed word, read volatile, or else the entry's state word says the
 * entry is free, and marks the entry WRITING with a plain store; a take claims by a CAS of the
 * state word. The payload is written or read with plain accesses by the entry's owner alone; the
 * hand-over is a release store of the state word, which the next claimer reads with a volatile
 * load (or sees through the freed word, which a taker moves by CAS after its release store of the
 * entries it passes), so it sees the payload written or freed before it. Head and tail are read
 * volatile and moved by CAS.
 *
 * <p>Everything read from the region is checked before it is used: capacity and stride when the
 * ring is opened, and a state word whose sequence is neither of this lap nor of the last makes
 * the ring {@link CorruptedRegionException corrupt} instead of spinning on it for ever.
 */
final class Ring {
    /** {@link #tryClaimTake}: nothing to take. */
    static final long EMPTY = -1;
    /** {@link #tryClaimTake}: the oldest entry is still being written. */
    static final long PENDING = -2;
    /** {@link #tryClaimPut}: no free entry. */
    static final long FULL_RING = -1;
    /** Set in a position {@link #tryClaimTake} returns for an entry whose writer died: hand nothing out. */
    static final long SKIPPED = 1L << 62;

    private final RegionMemory memory;
    private final long base;
    private final int capacity;
    private final int stride;
    /** {@code capacity - 1} if the capacity is a power of two, else -1: see {@link #entry}. */
    private final long indexMask;
    /** Region offset of claim word 0 ({@link RingLayout#claimsOffset}). */
    private final long claims;
    /**
     * Whether one putter at a time uses this ring, through this object ({@link ProducerSeat}):
     * its puts at the hint then claim with a plain store ({@link #claimByHint}).
     */
    private final boolean solePutter;

    private Ring(RegionMemory memory, long base, int capacity, int stride, boolean solePutter) {
        this.memory = memory;
        this.base = base;
        this.capacity = capacity;
        this.stride = stride;
        this.indexMask = Integer.bitCount(capacity) == 1 ? capacity - 1 : -1;
        this.claims = base + RingLayout.claimsOffset(capacity, stride);
        this.solePutter = solePutter;
    }

    /** Writes an empty ring at {@code base} (a fresh block, under the lock): every entry FREE for its first lap. */
    static void format(RegionMemory memory, long base, int capacity, int stride) {
        memory.fill(base, RingLayout.bytes(capacity, stride), (byte) 0);
        memory.putInt(base + CAPACITY_OFFSET, capacity);
        memory.putInt(base + STRIDE_OFFSET, stride);
        for (int i = 0; i < capacity; i++) {
            memory.putLong(base + ENTRIES_OFFSET + (long) i * stride + STATE_OFFSET, word(i, FREE, 0));
            memory.putLong(base + RingLayout.claimsOffset(capacity, stride) + (long) i * CLAIM_BYTES, claimWord(i - capacity, 0));
        }
    }

    /**
     * Opens the ring at {@code base}, checking its capacity and stride against what the caller
     * expects and against the {@code room} bytes its block has from {@code base}.
     */
    static Ring open(RegionMemory memory, long base, long room, int minStride) {
        return open(memory, base, room, minStride, false);
    }

    /**
     * As {@link #open(RegionMemory, long, long, int)}, for the one putter of a ring when
     * {@code solePutter} (see {@link #claimByHint}): every put through the returned object must
     * come from the one thread that holds the ring's seat, and no other object may put.
     */
    static Ring open(RegionMemory memory, long base, long room, int minStride, boolean solePutter) {
        int capacity = memory.getInt(base + CAPACITY_OFFSET);
        int stride = memory.getInt(base + STRIDE_OFFSET);
        if (capacity < 1 || capacity > MAX_CAPACITY || stride < minStride || stride % 16 != 0
                || RingLayout.bytes(capacity, stride) > room) {
            throw new CorruptedRegionException("ring of capacity " + capacity + " and stride " + stride
                    + " does not fit its " + room + " bytes", base);
        }
        return new Ring(memory, base, capacity, stride, solePutter);
    }

    int capacity() {
        return capacity;
    }

    /** Region offset of position {@code position}'s payload. */
    long payload(long position) {
        return entry(position) + PAYLOAD_OFFSET;
    }

    int payloadBytes() {
        return stride - (int) PAYLOAD_OFFSET;
    }

    int payloadKind(long position) {
        return memory.getInt(entry(position) + PAYLOAD_KIND_OFFSET);
    }

    int payloadLength(long position) {
        return memory.getInt(entry(position) + PAYLOAD_LENGTH_OFFSET);
    }

    /**
     * By the entry's owner: the payload's kind and length, one plain 8-byte store laid out as
     * the two ints, published by the next release of the state word.
     */
    void describe(long position, int kind, int length) {
        long low = LITTLE_ENDIAN ? kind : length;
        long high = LITTLE_ENDIAN ? length : kind;
        memory.putLongUnlogged(entry(position) + PAYLOAD_KIND_OFFSET, (low & 0xFFFF_FFFFL) | (high << 32));
    }

    /** The region's byte order is the machine's: which half of the kind-and-length word is the kind. */
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /**
     * The address of the entry that serves {@code position}. A ring whose capacity is a power of
     * two takes the index with a mask: a put and a take look an entry up about ten times between
     * them, and the 64-bit division of {@code floorMod} costs tens of cycles each time.
     */
    private long entry(long position) {
        return base + ENTRIES_OFFSET + index(position) * stride;
    }

    /** The address of the claim word of the entry that serves {@code position}. */
    private long claim(long position) {
        return claims + index(position) * CLAIM_BYTES;
    }

    /** Region offset of the claim word of {@code position}'s entry: for tests that stop a put between its claim and its mark. */
    long claimWordOffset(long position) {
        return claim(position);
    }

    private long index(long position) {
        return indexMask >= 0 ? position & indexMask : Math.floorMod(position, capacity);
    }

    /**
     * Entries claimed for a put and not yet freed by a take: a moment's value, from 0 to capacity.
     * The tail may lag behind puts that followed each other ({@link #nextPut}): the entries past
     * it that are claimed (or taken and freed since) are counted too, by reading their state.
     */
    int size() {
        long head = frontOfTakes(headPosition());
        long tail = frontOfClaims(tailPosition());
        return (int) Math.max(0, Math.min(capacity, tail - head));
    }

    /**
     * The first position from {@code head} on whose entry is not taken (claimed by a taker, or
     * taken and freed since, perhaps claimed again a lap on), at most a lap on: the head may lag
     * behind takes that followed each other ({@link #nextTake}).
     */
    private long frontOfTakes(long head) {
        for (long position = head; position - head < capacity; position++) {
            long word = memory.getLongVolatile(entry(position) + STATE_OFFSET);
            int sequence = sequence(word);
            boolean taking = sequence == (int) position && state(word) == READING;
            boolean passed = sequence == (int) (position + capacity);
            if (!taking && !passed) {
                return position;
            }
        }
        return head + capacity;
    }

    /** The head word as it is now: the position of the oldest entry not yet taken, or behind it while a drain's run lags (read by the ring's own checks and by tests). */
    long headPosition() {
        return memory.getLongVolatile(base + HEAD_OFFSET);
    }

    /** The tail word as it is now: the position the next put claims, or behind it while puts that follow each other lag ({@link #nextPut}). */
    long tailPosition() {
        return memory.getLongVolatile(base + TAIL_OFFSET);
    }

    /**
     * The first position from {@code tail} on whose claim word names neither it nor the position
     * a lap on (claimed for it, or claimed, taken, freed and claimed again since), at most a lap on.
     */
    private long frontOfClaims(long tail) {
        for (long position = tail; position - tail < capacity; position++) {
            int ahead = sequence(memory.getLongVolatile(claim(position))) - (int) position;
            if (ahead != 0 && ahead != capacity) {
                return position;
            }
        }
        return tail + capacity;
    }

    /**
     * Whether the last take claimed an entry (not an empty ring): the next one then tries its CAS
     * at once, expecting the entry FULL for its position, instead of reading the word first. When
     * the entry's line was last written by a producer in another process, the read brings it
     * shared and the CAS must then take it exclusive: two cache-line transfers where the CAS
     * alone makes one. After an empty ring the next take reads first, so a taker waiting for a
     * message does not pull the line away from the producer writing it. A per-handle hint, raced
     * benignly by threads.
     */
    private boolean takesFlowing = true;

    /**
     * Free entries a putter that found the ring full waits for, by the freed word, before it
     * tries again ({@link #roomToResume}): a quarter of the ring, at most 64 and at least 1.
     */
    static int resumeRoom(int capacity) {
        return Math.max(1, Math.min(64, capacity / 4));
    }

    /** The freed word as it is now: every entry below it is freed for its next lap (a hint; see {@link RingLayout}). */
    long freedPosition() {
        return memory.getLongVolatile(base + FREED_OFFSET);
    }

    /** Where this handle's next put claims: its hint ({@link #nextPut}), or the tail. */
    private long nextPutPosition() {
        long hint = nextPut;
        return hint >= 0 ? hint : tailPosition();
    }

    /**
     * For a putter waiting for room: whether the freed word says at least
     * {@link #resumeRoom} entries are free past this handle's next put. Reads the takers' line
     * only, which they write once per take or drain's run, not the entry the put needs, which
     * the taker is reading. The word may lag behind entries freed out of order, less than a lap
     * (takers walk it on when they free an entry within a lap of it); one more than two laps
     * behind the next put, which no sound ring holds, is no hint: the putter tries the entry,
     * whose state the ring's own checks judge.
     */
    boolean roomToResume() {
        long room = freedPosition() + capacity - nextPutPosition();
        return room < -capacity || room >= resumeRoom(capacity);
    }

    /**
     * For a putter that has waited a while, now and then: walks the freed word past the entries
     * freed beyond it (takers that freed out of order and stopped), reading their state words,
     * and says whether the put should try again: {@link #resumeRoom} entries are free past the
     * next put, or at least one is and the takers freed none since the last look (a taker that
     * takes a message now and then and waits in between, perhaps for this very put). While
     * takers are freeing, fewer free entries do not end the wait: a putter that took each as
     * it was freed would meet the taker at every message.
     */
    boolean roomPastLaggingFreed() {
        long freed = freedPosition();
        long past = freedPast(freed, freed + capacity);
        if (past != freed) {
            advance(base + FREED_OFFSET, past);
        }
        boolean stalled = past == freedAtLastLook;
        freedAtLastLook = past;
        long room = past + capacity - nextPutPosition();
        return room >= resumeRoom(capacity) || (stalled && room > 0);
    }

    /** What {@link #roomPastLaggingFreed} found last: a per-handle note, raced benignly by threads. */
    private long freedAtLastLook = Long.MIN_VALUE;

    /**
     * The first position from {@code from} on, below {@code upTo} and at most a lap on, whose
     * entry is not yet freed for its next lap: its sequence is not {@code position + capacity}
     * or later (claimed or freed again since).
     */
    private long freedPast(long from, long upTo) {
        long position = from;
        while (position - upTo < 0 && position - from < capacity
                && sequence(memory.getLongVolatile(entry(position) + STATE_OFFSET)) - (int) (position + capacity) >= 0) {
            position++;
        }
        return position;
    }

    /**
     * By a taker that has freed every entry from {@code from} up to {@code to}: moves the freed
     * word to {@code to} if it waits at {@code from} (a lone taker frees in order, so it always
     * does), one CAS on the takers' line; if it lags behind {@code from}, less than a lap,
     * walks it past the entries other takers freed out of order, up to {@code to} at most.
     */
    void passFreed(long from, long to) {
        long freed = freedPosition();
        if (freed == from) {
            memory.compareAndSetLong(base + FREED_OFFSET, from, to);
        } else if (freed - from < 0 && from - freed < capacity) {
            long past = freedPast(freed, to);
            if (past != freed) {
                advance(base + FREED_OFFSET, past);
            }
        }
    }

    /**
     * Puts a handle makes between two moves of the tail when its puts follow each other
     * ({@link #nextPut}); a power of two.
     */
    static final int TAIL_MOVE_EVERY = 8;

    /**
     * Rings at least this large let a handle's puts leave the tail behind ({@link #nextPut}): the
     * tail then lags by less than {@link #TAIL_MOVE_EVERY} positions per putting handle, far
     * less than a lap, which is what lets others recognise and pass the entries it lags behind.
     */
    static final int LAGGING_TAIL_MIN_CAPACITY = 2 * TAIL_MOVE_EVERY;

    /**
     * The position after this handle's last claimed put, or -1: every position below it is
     * claimed (the claim came from the tail, or from the position before), so the next put tries
     * that entry's CAS at once, without reading the tail or moving it; the tail is moved once
     * every {@link #TAIL_MOVE_EVERY} such puts, and up to the hint when the hint fails. A
     * per-handle hint, raced benignly by threads: a stale one fails its CAS (its entry is claimed
     * already) and the put takes the tail's way.
     */
    private long nextPut = -1;

    /**
     * Claims the entry at this handle's hint ({@link #nextPut}) for a put by {@code owner}, and
     * nothing more: its position, or -1 if there is no hint or its CAS failed (the hint is then
     * dropped and the put claims from the tail, {@link #tryClaimPut}). The caller writes the
     * payload and commits at once, then calls {@link #passedHint}.
     *
     * <p>Why at once: a taker waiting for this entry reads its state word again and again. The
     * put's mark of the entry takes the entry's line from the taker's cache, and the taker's next
     * read asks for it back a moment later. Stores that come before that request reach the line while it is
     * still this core's; those that come after it must take the line back once more, and the
     * taker, which read WRITING, must fetch it again: two more cache-line transfers for the
     * message. So nothing but the payload's own stores should stand between claim and commit.
     */
    long claimAtHint(int owner) {
        long hint = nextPut;
        return hint >= 0 && claimByHint(hint, owner) ? hint : -1;
    }

    /**
     * Claims the entry at {@code hint} ({@link #claimPosition}); if it cannot, drops the hint and
     * moves the tail up to it (every position below is claimed).
     *
     * <p>A sole putter claims with plain stores instead, when the freed word says the entry is
     * free for {@code hint}: every position below the hint is this putter's, so an entry freed
     * for it stays free until this putter claims it, and no other putter writes its claim word.
     */
    private boolean claimByHint(long hint, int owner) {
        if (solePutter && hint - freedBound(hint) < capacity) {
            memory.putLongUnlogged(claim(hint), claimWord(hint, owner));
            memory.putLongUnlogged(entry(hint) + STATE_OFFSET, RingLayout.word(hint, WRITING, owner));
            return true;
        }
        if (claimPosition(hint, owner) == CLAIMED) {
            return true;
        }
        nextPut = -1;
        advance(base + TAIL_OFFSET, hint);
        return false;
    }

    /** {@link #claimPosition}: the put owns the position. */
    private static final int CLAIMED = 0;
    /** {@link #claimPosition}: another put claimed the position, or one a lap on. */
    private static final int TAKEN = 1;
    /** {@link #claimPosition}: the entry still holds the last lap's message. */
    private static final int NO_ROOM = 2;
    /** {@link #claimPosition}: the claim word or the entry is of no lap near the position: retry, or the ring is corrupt. */
    private static final int STALE = 3;

    /**
     * Claims {@code position} for a put by {@code owner}: a CAS of its claim word from the last
     * lap's claim to this one, then a plain store of WRITING in the entry. The claim word lies
     * in the putters' lines, which no taker writes (or reads, but to count and to repair): while
     * one process puts, its CAS finds the line in its own cache, and the entry's line, which the
     * taker waiting for it reads again and again, is only stored to. A store need not own the
     * line before the next instruction runs, where a CAS on the entry would wait for it to cross
     * from the taker's core: in a round trip the putter's stores go out while it waits for the
     * reply. The entry must be free for the position before the claim: the freed word says so
     * without reading the entry (read again only when the bound it gave last runs out), or else
     * the entry's own state word.
     */
    private int claimPosition(long position, int owner) {
        if (position - freedBoundForClaim(position) >= capacity) {
            long word = memory.getLongVolatile(entry(position) + STATE_OFFSET);
            int sequence = sequence(word);
            if (sequence == (int) (position - capacity)) {
                return NO_ROOM;
            }
            if (sequence != (int) position) {
                return sequence == (int) (position + capacity) ? TAKEN : STALE;
            }
            if (state(word) != FREE) {
                return TAKEN;
            }
        }
        // Expect this putter's own claim of the last lap, the likely word while one process
        // puts: no read of the line before the CAS. Another's claim a lap ago is claimed over.
        long at = claim(position);
        long mine = claimWord(position - capacity, owner);
        long last = memory.compareAndExchangeLong(at, mine, claimWord(position, owner));
        if (last != mine) {
            int behind = (int) position - sequence(last);
            if (behind != capacity) {
                return behind == 0 || behind == -capacity ? TAKEN : STALE;
            }
            if (!memory.compareAndSetLong(at, last, claimWord(position, owner))) {
                return TAKEN;
            }
        }
        memory.putLongUnlogged(entry(position) + STATE_OFFSET, RingLayout.word(position, WRITING, owner));
        return CLAIMED;
    }

    /**
     * For a putter about to put at {@code hint}: the freed word as last read, read again if it no
     * longer covers the hint (see {@link #claimPosition}); a word past the hint, which no sound
     * ring holds, is no bound.
     */
    private long freedBound(long hint) {
        long bound = freedSeen;
        if (hint - bound >= capacity) {
            long freed = freedPosition();
            if (freed - hint <= 0) {
                freedSeen = bound = freed;
            }
        }
        return bound;
    }

    /**
     * {@link #freedBound} for {@link #claimPosition}, which reads the entry when the bound does
     * not cover it: after a read of the freed word that did not cover a position, the next puts
     * within {@link #resumeRoom} of it read their entries only. While the ring stays nearly full,
     * the takers move the word by a few entries at a time, and a put that read both the word and
     * its entry would wait for two lines from the takers' core where the entry alone is one.
     */
    private long freedBoundForClaim(long position) {
        long bound = freedSeen;
        if (position - bound < capacity || position - freedMissedAt < resumeRoom(capacity)) {
            return bound;
        }
        bound = freedBound(position);
        if (position - bound >= capacity) {
            freedMissedAt = position;
        }
        return bound;
    }

    /** The position whose put last read the freed word and found it did not cover it ({@link #freedBoundForClaim}); a per-handle hint. */
    private long freedMissedAt = Long.MIN_VALUE / 2;

    /** The freed word as this handle's puts last read it ({@link #freedBound}); far behind until then. A per-handle hint, raced benignly by threads. */
    private long freedSeen = Long.MIN_VALUE / 2;

    /** After a claim at the hint: the next position becomes the hint, and the tail moves once every {@link #TAIL_MOVE_EVERY} such claims. */
    void passedHint(long hint) {
        nextPut = hint + 1;
        if (((hint + 1) & (TAIL_MOVE_EVERY - 1)) == 0) {
            advance(base + TAIL_OFFSET, hint + 1);
        }
    }

    /** Claims the entry at the tail for a put by {@code owner}: its position, or {@link #FULL_RING}. */
    long tryClaimPut(int owner) {
        long hint = nextPut;
        if (hint >= 0 && claimByHint(hint, owner)) {
            passedHint(hint);
            return hint;
        }
        for (int spins = 0; ; spins++) {
            long tail = memory.getLongVolatile(base + TAIL_OFFSET);
            switch (claimPosition(tail, owner)) {
                case CLAIMED -> {
                    claimedPut(tail);
                    return tail;
                }
                case TAKEN -> memory.compareAndSetLong(base + TAIL_OFFSET, tail, tail + 1); // claimed; help the tail on
                case NO_ROOM -> {
                    if (memory.getLongVolatile(base + TAIL_OFFSET) == tail) {
                        return FULL_RING; // last lap's entry is not freed yet
                    }
                }
                default -> checkStaleClaim(tail, spins);
            }
        }
    }

    /**
     * The put claimed {@code tail} from the tail: a large ring leaves the tail there and keeps
     * the next position as the hint ({@link #nextPut}); a small one moves the tail on at once.
     */
    private void claimedPut(long tail) {
        if (capacity >= LAGGING_TAIL_MIN_CAPACITY) {
            nextPut = tail + 1;
        }
        movePastClaim(base + TAIL_OFFSET, tail, TAIL_MOVE_EVERY);
    }

    /**
     * Moves the position word at {@code offset} past {@code claimed}, just claimed from it: at
     * once in a small ring, and only once every {@code every} claims in a ring whose positions
     * may lag behind its claims (the claimer keeps a hint instead).
     */
    private void movePastClaim(long offset, long claimed, int every) {
        if (capacity < LAGGING_TAIL_MIN_CAPACITY || ((claimed + 1) & (every - 1)) == 0) {
            memory.compareAndSetLong(offset, claimed, claimed + 1);
        }
    }

    /** A put that failed: takers skip the entry (its payload says what, if anything, to free). */
    void abandon(long position) {
        memory.putLongReleaseUnlogged(entry(position) + STATE_OFFSET, word(position, SKIP, 0));
    }

    /** The payload is written: hands the entry to consumers. */
    void commit(long position) {
        memory.putLongReleaseUnlogged(entry(position) + STATE_OFFSET, word(position, FULL, 0));
    }

    /**
     * Takes a handle makes between two moves of the head when its takes follow each other
     * ({@link #nextTake}); a power of two.
     */
    static final int HEAD_MOVE_EVERY = 8;

    /**
     * The position after this handle's last claimed take, or -1: every position below it is
     * taken (the claim came from the head, or from the position before, or ended a drain's
     * run), so the next take tries that entry's CAS at once, expecting it FULL, without reading
     * the head or moving it; the head is moved once every {@link #HEAD_MOVE_EVERY} such takes,
     * and up to the hint when the hint fails. In rings of at least
     * {@link #LAGGING_TAIL_MIN_CAPACITY} entries only, as for puts. A per-handle hint, raced
     * benignly by threads: a stale one fails its CAS and the take goes the head's way.
     */
    private long nextTake = -1;

    /**
     * The take claimed {@code head} from the head: a large ring leaves the head there and keeps
     * the next position as the hint ({@link #nextTake}); a small one moves the head on at once.
     * A putter waiting for room watches the head, so it is written once every
     * {@link #HEAD_MOVE_EVERY} takes instead of at each: its line goes to the putter's core and
     * back that much less often.
     */
    private void claimedTake(long head) {
        if (capacity >= LAGGING_TAIL_MIN_CAPACITY) {
            nextTake = head + 1;
        }
        movePastClaim(base + HEAD_OFFSET, head, HEAD_MOVE_EVERY);
    }

    /**
     * Claims the oldest entry for a take by {@code owner}: its position (with {@link #SKIPPED} set
     * if its writer died: free it and take again), {@link #EMPTY} or {@link #PENDING}.
     */
    long tryClaimTake(int owner) {
        long hint = nextTake;
        if (hint >= 0) {
            long entry = entry(hint);
            long full = RingLayout.word(hint, FULL, 0);
            long reading = RingLayout.word(hint, READING, owner);
            // The flag is read once: another thread of this handle may change it meanwhile, and
            // a CAS that succeeded must count as the claim it is.
            boolean flowing = takesFlowing;
            long word = flowing
                    ? memory.compareAndExchangeLong(entry + STATE_OFFSET, full, reading)
                    : memory.getLongVolatile(entry + STATE_OFFSET);
            if (word == full && (flowing || memory.compareAndSetLong(entry + STATE_OFFSET, full, reading))) {
                takesFlowing = true;
                nextTake = hint + 1;
                if (((hint + 1) & (HEAD_MOVE_EVERY - 1)) == 0) {
                    advance(base + HEAD_OFFSET, hint + 1);
                }
                return hint;
            }
            // Every position below the hint is taken: an entry not yet put there, or still
            // being read a lap ago, or being written, answers for the whole ring, and the hint
            // stays for the next take. Anything else (another taker's claim, a skipped entry)
            // goes the head's way.
            int sequence = sequence(word);
            int state = state(word);
            if ((sequence == (int) hint && state == FREE) || sequence == (int) (hint - capacity)) {
                takesFlowing = false;
                return EMPTY;
            }
            if (sequence == (int) hint && state == WRITING) {
                takesFlowing = false;
                return PENDING;
            }
            nextTake = -1;
            advance(base + HEAD_OFFSET, hint);
        }
        for (int spins = 0; ; spins++) {
            long head = memory.getLongVolatile(base + HEAD_OFFSET);
            long entry = entry(head);
            long word;
            if (takesFlowing) {
                long full = RingLayout.word(head, FULL, 0);
                word = memory.compareAndExchangeLong(entry + STATE_OFFSET, full, RingLayout.word(head, READING, owner));
                if (word == full) {
                    claimedTake(head);
                    return head;
                }
            } else {
                word = memory.getLongVolatile(entry + STATE_OFFSET);
            }
            int sequence = sequence(word);
            int state = state(word);
            if (sequence == (int) head) {
                switch (state) {
                    case FULL, SKIP -> {
                        if (memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(head, READING, owner))) {
                            takesFlowing = true;
                            if (state == SKIP) {
                                memory.compareAndSetLong(base + HEAD_OFFSET, head, head + 1);
                                return head | SKIPPED;
                            }
                            claimedTake(head);
                            return head;
                        }
                    }
                    case READING -> memory.compareAndSetLong(base + HEAD_OFFSET, head, head + 1);
                    case WRITING -> {
                        if (memory.getLongVolatile(base + HEAD_OFFSET) == head) {
                            takesFlowing = false;
                            return PENDING;
                        }
                    }
                    case FREE -> {
                        if (memory.getLongVolatile(base + HEAD_OFFSET) == head) {
                            takesFlowing = false;
                            return EMPTY;
                        }
                    }
                    default -> throw corrupt(entry, word);
                }
            } else if (sequence == (int) (head + capacity)) {
                // Taken and freed, and perhaps claimed again a lap on: the head lags (behind a
                // drain's run, which moves it once at its end); help it on.
                memory.compareAndSetLong(base + HEAD_OFFSET, head, head + 1);
            } else if (sequence == (int) (head - capacity)) {
                if (memory.getLongVolatile(base + HEAD_OFFSET) == head) {
                    takesFlowing = false;
                    return EMPTY; // last lap's taker is still reading: nothing newer was put
                }
            } else {
                checkStale(head, BASE_HEAD, spins);
            }
        }
    }

    /**
     * For a taker that holds the entry at {@code position - 1}: claims the entry at
     * {@code position} if it is FULL, without reading the head or moving it (the taker moves it
     * once, past its whole run, with {@link #advanceHead}); its position, or -1 if that entry is
     * anything else (empty, being written, skipped, claimed by another taker).
     */
    long tryClaimNext(long position, int owner) {
        long full = RingLayout.word(position, FULL, 0);
        long entry = entry(position);
        return memory.compareAndExchangeLong(entry + STATE_OFFSET, full, RingLayout.word(position, READING, owner)) == full
                ? position : -1;
    }

    /**
     * Moves the head to {@code to} after a run of entries below it claimed with
     * {@link #tryClaimNext}, unless it is there already (other takers help it on past entries
     * they find claimed, one CAS each; this is one CAS for the run).
     */
    void advanceHead(long to) {
        advance(base + HEAD_OFFSET, to);
        if (capacity >= LAGGING_TAIL_MIN_CAPACITY) {
            nextTake = to; // every position below is taken: the next take may try it at once
        }
    }

    /**
     * For a putter that holds the entry at {@code position - 1}: claims the entry at
     * {@code position} if it is FREE for that position, without reading the tail or moving it
     * (the putter moves it once, past its whole run, with {@link #advanceTail}); its position,
     * or -1 if that entry is anything else (last lap's, not yet taken; claimed by another putter).
     * The run must stay shorter than a lap: the tail then lags behind claimed entries only, and
     * putters that meet one help it on ({@link #tryClaimPut}).
     */
    long tryClaimNextPut(long position, int owner) {
        return claimPosition(position, owner) == CLAIMED ? position : -1;
    }

    /**
     * Moves the tail to {@code to} after a run of puts claimed with {@link #tryClaimNextPut},
     * unless it is there already; every position below is claimed, so the next put may try
     * {@code to} at once ({@link #nextPut}). A sole putter must keep that hint exact: it claims
     * the hint's entry with a plain store.
     */
    void advanceTail(long to) {
        advance(base + TAIL_OFFSET, to);
        if (capacity >= LAGGING_TAIL_MIN_CAPACITY) {
            nextPut = to;
        }
    }

    /** Moves the position word at {@code offset} forward to {@code to} (never back). */
    private void advance(long offset, long to) {
        while (true) {
            long at = memory.getLongVolatile(offset);
            if (at - to >= 0 || memory.compareAndSetLong(offset, at, to)) {
                return;
            }
        }
    }

    /**
     * The entry is read (or skipped): frees it for the put one lap later, its payload's kind and
     * length set back to 0 (none) first, so a put always finds them so: a put then marks nothing
     * before it writes its bytes, and a writer that dies while writing them leaves an entry whose
     * kind says none. The release store of the state word publishes the reset with the entry.
     * Then passes the freed word past it ({@link #passFreed}).
     */
    void release(long position) {
        release(position, true);
    }

    /**
     * As {@link #release(long)}; with {@code passFreed} false the freed word stays, for a drain
     * that passes it once past its whole run.
     */
    void release(long position, boolean passFreed) {
        long at = position & ~SKIPPED;
        long entry = entry(at);
        memory.putLongUnlogged(entry + PAYLOAD_KIND_OFFSET, 0L);
        memory.putLongReleaseUnlogged(entry + STATE_OFFSET, word(at + capacity, FREE, 0));
        if (passFreed) {
            passFreed(at, at + 1);
        }
    }

    /**
     * If the oldest entry not yet taken (at the head, or past the takes it lags behind) is being
     * written by a process that has died, or was claimed by one that died before it marked the
     * entry WRITING, marks it SKIP so takers pass it; returns whether it did.
     */
    boolean skipDeadWriter(Owners owners) {
        long head = frontOfTakes(memory.getLongVolatile(base + HEAD_OFFSET));
        long entry = entry(head);
        long word = memory.getLongVolatile(entry + STATE_OFFSET);
        return sequence(word) == (int) head && deadWriter(head, word, owners)
                && memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(head, SKIP, 0));
    }

    /**
     * Whether the entry whose state word is {@code word} (of {@code position}) is held for a put
     * by a process that has died: WRITING by it, or still FREE while its claim word says a dead
     * process claimed the position (it died between the claim and its store of WRITING).
     */
    private boolean deadWriter(long position, long word, Owners owners) {
        int state = state(word);
        if (state == WRITING) {
            return !owners.isLive(owner(word));
        }
        if (state != FREE) {
            return false;
        }
        long claimWord = memory.getLongVolatile(claim(position));
        return sequence(claimWord) == (int) position && !owners.isLive(owner(claimWord));
    }

    /**
     * If the oldest entry not yet taken is one takers skip (a put that failed, or a dead writer's, marked
     * SKIP), claims it for {@code owner} and moves the head past it, as a take would: its
     * position (the caller frees what its payload holds and releases it), else -1. For a ring
     * whose producers wait for its last place and may have no taker running meanwhile.
     */
    long claimSkippedAtHead(int owner) {
        long head = frontOfTakes(memory.getLongVolatile(base + HEAD_OFFSET));
        long entry = entry(head);
        long word = memory.getLongVolatile(entry + STATE_OFFSET);
        if (sequence(word) != (int) head || state(word) != SKIP
                || !memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(head, READING, owner))) {
            return -1;
        }
        advance(base + HEAD_OFFSET, head + 1);
        return head;
    }

    /**
     * If the entry the next put needs is being read by a process that has died, claims it for
     * {@code owner} and returns its position (the caller cleans the payload and releases it);
     * else -1.
     */
    long claimFromDeadReader(Owners owners, int owner) {
        long tail = memory.getLongVolatile(base + TAIL_OFFSET);
        long position = tail - capacity;
        long entry = entry(position);
        long word = memory.getLongVolatile(entry + STATE_OFFSET);
        if (sequence(word) != (int) position || state(word) != READING || owner(word) == owner
                || owners.isLive(owner(word))) {
            return -1;
        }
        return memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(position, READING, owner)) ? position : -1;
    }

    /**
     * For sweeps of rings whose users track more than FIFO order: every entry a dead process
     * holds. A dead writer's is marked SKIP; a dead reader's is claimed for {@code owner} and
     * passed, by position, to {@code deadReaderEntry}, which must release it. Returns how many
     * entries it changed.
     */
    int sweepDead(Owners owners, int owner, java.util.function.LongConsumer deadReaderEntry) {
        int changed = 0;
        for (int i = 0; i < capacity; i++) {
            long entry = base + ENTRIES_OFFSET + (long) i * stride;
            long word = memory.getLongVolatile(entry + STATE_OFFSET);
            int state = state(word);
            long head = memory.getLongVolatile(base + HEAD_OFFSET);
            long position = head + (sequence(word) - (int) head);
            if (state == WRITING || state == FREE) {
                if (owner(word) == owner || !deadWriter(position, word, owners)) {
                    continue;
                }
            } else if (state != READING || owner(word) == owner || owners.isLive(owner(word))) {
                continue;
            }
            if (state != READING) {
                if (memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(position, SKIP, 0))) {
                    changed++;
                }
            } else if (memory.compareAndSetLong(entry + STATE_OFFSET, word, RingLayout.word(position, READING, owner))) {
                deadReaderEntry.accept(position);
                changed++;
            }
        }
        return changed;
    }

    private static final long BASE_HEAD = HEAD_OFFSET;
    private static final long BASE_TAIL = TAIL_OFFSET;

    /**
     * A state word of neither this lap nor the last: another thread moved the position since it
     * was read (retry), unless the position stayed put while the word stayed wrong, which only
     * a corrupted ring does.
     */
    private void checkStale(long position, long positionOffset, int spins) {
        if (spins < 1_000_000 || memory.getLongVolatile(base + positionOffset) != position) {
            Thread.onSpinWait();
            return;
        }
        long entry = entry(position);
        throw corrupt(entry, memory.getLongVolatile(entry + STATE_OFFSET));
    }

    /**
     * As {@link #checkStale}, for a put whose claim word or entry at the tail fits no lap near
     * it ({@link #claimPosition}): names the claim word when it is the one out of place.
     */
    private void checkStaleClaim(long tail, int spins) {
        if (spins < 1_000_000 || memory.getLongVolatile(base + TAIL_OFFSET) != tail) {
            Thread.onSpinWait();
            return;
        }
        long claimWord = memory.getLongVolatile(claim(tail));
        int behind = (int) tail - sequence(claimWord);
        if (behind != capacity && behind != 0 && behind != -capacity) {
            throw new CorruptedRegionException("ring claim word names position " + sequence(claimWord)
                    + ", which no claim of this ring's tail " + (int) tail + " explains", claim(tail));
        }
        long entry = entry(tail);
        throw corrupt(entry, memory.getLongVolatile(entry + STATE_OFFSET));
    }

    private CorruptedRegionException corrupt(long entry, long word) {
        return new CorruptedRegionException("ring entry holds state " + state(word) + " of sequence " + sequence(word)
                + ", which no position of this ring explains", entry);
    }
}
