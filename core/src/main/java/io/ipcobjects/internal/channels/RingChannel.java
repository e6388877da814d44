package io.ipcobjects.internal.channels;

import static io.ipcobjects.internal.channels.ChannelLayout.*;

import io.ipcobjects.Channel;
import io.ipcobjects.RegionClosedException;
import io.ipcobjects.SharedList;
import io.ipcobjects.SharedMap;
import io.ipcobjects.SharedSet;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.codec.SlotLayout;
import io.ipcobjects.internal.codec.SlotValue;
import io.ipcobjects.internal.codec.ValueSlots;
import io.ipcobjects.internal.messages.HandOver;
import io.ipcobjects.internal.messages.Ownership;
import io.ipcobjects.internal.memory.RegionMemory;
import io.ipcobjects.internal.codec.BlobLayout;
import io.ipcobjects.internal.codec.Blobs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A named channel ({@link ChannelLayout}): a {@link Ring} whose entries carry a message inline
 * ({@link FlatCodec}) or a value slot whose value lives in the heap.
 *
 * <p>Put: claim the tail entry (lock-free), encode the message straight into the entry; if it
 * does not fit or is not flat, zero the entry's slot, say so, and store the value in the heap
 * under the lock (one scope), then commit. Take: claim the head entry, decode it; a heap entry
 * is decoded and handed over ({@code messages.HandOver}: copies freed, shared objects passed to
 * the taker) under the lock; then free the entry. The lock is taken only for heap entries, and
 * only for the store or the hand-over, never while waiting.
 *
 * <p>Dead owners: a waiting taker that finds the oldest entry still being written checks, once a
 * millisecond, whether its writer lives, and marks it skipped if not; a waiting putter that
 * finds the entry it needs still being read does the same for its reader, and then frees what
 * the dead reader had not (see {@link ChannelLayout} for why the slot tells exactly what).
 */
final class RingChannel<T> implements Channel<T> {
    private final String name;
    private final Class<T> type;
    private final long block;
    private final Ring ring;
    /** Who may put, for a channel of one producer; null for many. */
    private final ProducerSeat seat;
    private final RegionContext context;
    private final RegionMemory memory;
    private final MemorySegment segment;
    private final Owners owners;
    private final Channels channels;
    private final int inlineBytes;

    RingChannel(String name, Class<T> type, long block, Ring ring, ProducerSeat seat, RegionContext context, Owners owners,
            Channels channels) {
        this.name = name;
        this.type = type;
        this.block = block;
        this.ring = ring;
        this.seat = seat;
        this.context = context;
        this.memory = context.memory();
        this.segment = memory.segment();
        this.owners = owners;
        this.channels = channels;
        this.inlineBytes = ring.payloadBytes();
    }

    long block() {
        return block;
    }

    /** A view of the same channel for another element type, sharing this one's ring and seat. */
    <U> RingChannel<U> as(Class<U> otherType) {
        return new RingChannel<>(name, otherType, block, ring, seat, context, owners, channels);
    }

    /** The ring, for tests that stop a process between the steps of a put or take. */
    Ring ring() {
        return ring;
    }

    /** Who this handle is to the ring, for the same tests. */
    Owners owners() {
        return owners;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Class<T> type() {
        return type;
    }

    @Override
    public int capacity() {
        return ring.capacity();
    }

    @Override
    public int inlineBytes() {
        return inlineBytes;
    }

    @Override
    public Producers producers() {
        return seat == null ? Producers.MANY : Producers.ONE;
    }

    @Override
    public int size() {
        ensureOpen();
        return ring.size();
    }

    // ---- puts ----

    @Override
    public boolean offer(T message) {
        checkMessage(message);
        enterAsProducer();
        if (putShortAtHint(message)) {
            return true;
        }
        long position = claimForPut();
        if (position < 0) {
            return false;
        }
        write(position, message);
        return true;
    }

    @Override
    public boolean offer(T message, Duration timeout) {
        checkMessage(message);
        enterAsProducer();
        long deadline = Waiter.deadline(timeout);
        if (putShortAtHint(message)) {
            return true;
        }
        long position = claimForPut(deadline);
        if (position < 0) {
            return false;
        }
        write(position, message);
        return true;
    }

    @Override
    public void put(T message) {
        checkMessage(message);
        enterAsProducer();
        if (!putShortAtHint(message)) {
            write(claimForPut(Long.MAX_VALUE), message);
        }
    }

    /**
     * Puts a message of a short form ({@link FlatCodec#hasShortForm}: a {@code Long}, a short
     * {@code byte[]}) through this handle's hint, its bytes written right after the claim and
     * committed at once ({@link Ring#claimAtHint} says why); false if there is no hint or its
     * claim failed, and the put goes the tail's way.
     */
    private boolean putShortAtHint(Object message) {
        if (!FlatCodec.hasShortForm(message, inlineBytes)) {
            return false;
        }
        ensureOpen();
        long position = ring.claimAtHint(owners.ownId());
        if (position < 0) {
            return false;
        }
        ring.describe(position, PAYLOAD_FLAT, FlatCodec.encode(segment, ring.payload(position), inlineBytes, message));
        ring.commit(position);
        ring.passedHint(position);
        context.counters().messagePut();
        return true;
    }

    @Override
    public T putAndRead(T message) {
        checkMessage(message);
        enterAsProducer();
        long position = claimForPut(Long.MAX_VALUE);
        // Decode before the commit: once committed, a taker may free the entry at any moment.
        Object view = write(position, message, true);
        return type.cast(view);
    }

    /**
     * Puts runs of consecutive entries: after a claim (as {@link #put}), each next message
     * claims the next entry with one CAS, expecting it FREE, and the tail moves once per run.
     * A run ends at a full ring, at another putter's entry, or short of a lap.
     */
    @Override
    public int putAll(Collection<? extends T> messages) {
        Objects.requireNonNull(messages, "messages");
        enterAsProducer();
        int put = 0;
        long position = -1; // the entry last claimed in the current run
        int run = 0;
        try {
            for (T message : messages) {
                checkMessage(message);
                long next = position >= 0 && run < ring.capacity() - 1 ? ring.tryClaimNextPut(position + 1, owners.ownId()) : -1;
                if (next < 0) {
                    if (position >= 0) {
                        ring.advanceTail(position + 1);
                    }
                    next = claimForPut(Long.MAX_VALUE);
                    // A claim through the handle's hint (Ring#nextPut) leaves the tail behind the
                    // handle's earlier puts; the run is bounded from the tail, so the tail must be
                    // past its first entry, or a run could claim entries a lap past the tail.
                    ring.advanceTail(next + 1);
                    run = 0;
                }
                position = next;
                run++;
                write(position, message);
                put++;
            }
        } finally {
            if (position >= 0) {
                ring.advanceTail(position + 1);
            }
        }
        return put;
    }

    /** As {@link #put}, for a {@code long}: its short form written with no box ({@link FlatCodec#encodeLong}). */
    @Override
    public void putLong(long value) {
        checkLongs("putLong");
        enterAsProducer();
        if (!putLongAtHint(value)) {
            writeLong(claimForPut(Long.MAX_VALUE), value);
        }
    }

    @Override
    public boolean offerLong(long value) {
        checkLongs("offerLong");
        enterAsProducer();
        if (putLongAtHint(value)) {
            return true;
        }
        long position = claimForPut();
        if (position < 0) {
            return false;
        }
        writeLong(position, value);
        return true;
    }

    /** As {@link #putShortAtHint}, for a {@code long}. */
    private boolean putLongAtHint(long value) {
        ensureOpen();
        long position = ring.claimAtHint(owners.ownId());
        if (position < 0) {
            return false;
        }
        writeLong(position, value);
        ring.passedHint(position);
        return true;
    }

    /**
     * Writes a {@code long} into the claimed entry and commits it. Its short form always fits
     * (entries hold at least {@link ChannelLayout#MIN_INLINE_BYTES}) and its stores cannot fail,
     * so there is nothing to abandon.
     */
    private void writeLong(long position, long value) {
        ring.describe(position, PAYLOAD_FLAT, FlatCodec.encodeLong(segment, ring.payload(position), value));
        ring.commit(position);
        context.counters().messagePut();
    }

    private void checkLongs(String method) {
        if (type != Long.class) {
            throw new IllegalStateException(method + " is for a channel of Long: " + this + " carries " + type.getName());
        }
    }

    /** For a channel of one producer: lets this thread put, or throws ({@link ProducerSeat}). */
    private void enterAsProducer() {
        if (seat != null && !seat.heldByThisThread()) {
            ensureOpen();
            seat.take();
        }
    }

    private void checkMessage(T message) {
        Objects.requireNonNull(message, "a channel message cannot be null");
        if (!type.isInstance(message)) {
            throw new UnexpectedTypeException("a message for channel " + name, type, message.getClass());
        }
    }

    /** A claimed tail entry, or -1 if the channel is full now (after freeing a dead reader's entry, if any). */
    private long claimForPut() {
        ensureOpen();
        long position = ring.tryClaimPut(owners.ownId());
        if (position == Ring.FULL_RING && repairForPut()) {
            position = ring.tryClaimPut(owners.ownId());
        }
        return position;
    }

    /**
     * Waiting for room watches the freed word ({@link Ring#roomToResume}), not the entry the put
     * needs, and tries again only once a batch of entries is free ({@link Ring#resumeRoom}): that
     * entry is the one a taker is reading, and a putter that read it in a loop, or claimed each
     * entry as soon as its taker freed it, would take its cache line away from the taker at every
     * message, and the two would move in lockstep, one cache-line round trip per message. Takers
     * move the freed word at each take and once per drain's run; once the wait has spun its
     * first {@code Waiter} phase, every 64 rounds it also walks the word past entries freed
     * beyond it ({@link Ring#roomPastLaggingFreed}), in case takers freed out of order, and ends
     * the wait for fewer free entries than a batch once the takers have stopped freeing; so does
     * the deadline. Not before: a drain frees a run of up to a few hundred entries and moves the
     * word at the run's end, some microseconds on, and a walk during the run reads the state
     * word of every entry the taker has just freed, taking each line from its core (in a profile
     * of a {@code Long} stream such walks took 7% of the samples of both processes, and the
     * taker's walks that they caused 3%), and then moves
     * the word ahead of the run's start, so the taker's own move of it turns into a walk as well.
     */
    private long claimForPut(long deadline) {
        ensureOpen();
        Waiter waiter = null;
        while (true) {
            long position = ring.tryClaimPut(owners.ownId());
            if (position != Ring.FULL_RING) {
                return position;
            }
            if (waiter == null) {
                waiter = channels.newWaiter(deadline);
                context.counters().publishMessages(); // a waiting process shows what it has done
            }
            do {
                if (waiter.livenessCheckDue()) {
                    // Once a millisecond, try the entry itself: the head may lag behind a drain
                    // whose taker died before moving it, with the entries already free.
                    repairForPut();
                    break;
                }
                if (!waiter.idle() && deadline != Long.MAX_VALUE) {
                    // The wait for a batch of room is over; a single free entry still counts.
                    return ring.tryClaimPut(owners.ownId());
                }
                ensureOpen();
            } while (!ring.roomToResume() && !(!waiter.spinning() && waiter.everySixtyFourthRound() && ring.roomPastLaggingFreed()));
        }
    }

    /** Frees the entry a dead reader holds where the next put needs it, or skips a dead writer's oldest entry. */
    private boolean repairForPut() {
        boolean repaired = ring.skipDeadWriter(owners);
        long position = ring.claimFromDeadReader(owners, owners.ownId());
        if (position >= 0) {
            cleanAndRelease(position);
            repaired = true;
        }
        return repaired;
    }

    private void write(long position, T message) {
        write(position, message, false);
    }

    /** Fills the claimed entry and commits it; on failure the entry is committed empty (skipped by takers). */
    private Object write(long position, Object message, boolean read) {
        long payload = startPayload(position);
        Object view = null;
        try {
            int length = message instanceof byte[] bytes && bytes.length >= LARGE_COPY_BYTES
                    ? -1 : encodeInline(payload, message);
            if (length < 0 && !read && message instanceof byte[] bytes && bytes.length >= LARGE_COPY_BYTES) {
                writeLargeBytes(position, payload, bytes);
            } else if (length >= 0) {
                ring.describe(position, PAYLOAD_FLAT, length);
                if (read) {
                    view = FlatCodec.decode(segment, payload, length, context.classes());
                }
            } else {
                view = writeToHeap(position, payload, message, read);
            }
        } catch (RuntimeException | Error e) {
            ring.describe(position, PAYLOAD_NONE, 0);
            ring.abandon(position);
            throw e;
        }
        ring.commit(position);
        context.counters().messagePut();
        return view;
    }

    /**
     * Where the claimed entry's payload goes. Its kind says none already: whoever freed the
     * entry a lap ago set it so ({@link Ring#release}), so a writer that dies while encoding
     * inline bytes over a slot that held a heap value last lap leaves nothing that whoever skips
     * its entry reads as a value to free, and a put writes no mark of its own before its bytes.
     */
    long startPayload(long position) {
        return ring.payload(position);
    }

    /** Encodes {@code message} inline at {@code payload}: its length, or -1 if it does not fit the entry (nothing is written then). */
    int encodeInline(long payload, Object message) {
        return FlatCodec.encode(segment, payload, inlineBytes, message);
    }

    /**
     * A {@code byte[]} at least this long is copied in and out of the region without the lock:
     * the lock is held only to allocate its blob (and to free it), so a producer's copy and a
     * consumer's copy of large messages run at the same time instead of one after the other.
     */
    static final int LARGE_COPY_BYTES = 64 * 1024;

    /**
     * Stores a large {@code byte[]}: allocates its blob and points the entry's slot at it in one
     * lock hold, then copies the bytes in without the lock. Nobody else can reach the blob
     * before the commit: the entry is this process's until then, and if it dies first, whoever
     * skips the entry frees the blob through the slot.
     */
    private void writeLargeBytes(long position, long slot, byte[] bytes) {
        segment.asSlice(slot, SlotLayout.SLOT_BYTES).fill((byte) 0);
        ring.describe(position, PAYLOAD_HEAP, (int) SlotLayout.SLOT_BYTES);
        long blob = context.scope().callLong(() -> {
            long allocated = Blobs.allocate(context, bytes.length);
            new SlotValue().set(SlotKinds.BYTES, 0, allocated).writeTo(memory, slot);
            return allocated;
        });
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, blob + BlobLayout.DATA_OFFSET, bytes.length);
    }

    /** Stores {@code message} in the heap for the claimed entry at {@code position} (package-private for crash tests). */
    Object writeToHeap(long position, long slot, Object message, boolean read) {
        // Zero the slot before the kind says heap: a slot that is not zero always holds a live value.
        segment.asSlice(slot, SlotLayout.SLOT_BYTES).fill((byte) 0);
        ring.describe(position, PAYLOAD_HEAP, (int) SlotLayout.SLOT_BYTES);
        // Plain collections travel as copies; a shared container travels by reference.
        boolean frozen = !(message instanceof SharedList<?> || message instanceof SharedMap<?, ?> || message instanceof SharedSet<?>);
        return context.scope().call(() -> {
            SlotValue encoded = ValueSlots.encode(context, message, new SlotValue(), 0, frozen);
            encoded.writeTo(memory, slot);
            Ownership.passedOn(context, message);
            return read ? ValueSlots.read(context, slot) : null;
        });
    }

    // ---- takes ----

    @Override
    public T poll() {
        long position = claimForTake();
        return position < 0 ? null : read(position);
    }

    /**
     * A large {@code byte[]} is shown to {@code reader} in place: its blob is checked under the
     * lock, read without it (the entry is this process's until it is released, so nobody frees
     * the blob meanwhile) through a slice that a confined arena closes when {@code reader}
     * returns, then freed under the lock, as {@link #readLargeBytes} does with its copy. Other
     * messages are read as {@link #poll} reads them. {@link #takeBytes} waits as {@link #take} does.
     */
    @Override
    public boolean pollBytes(Consumer<? super MemorySegment> reader) {
        checkBytesReader(reader, "pollBytes");
        long position = claimForTake();
        if (position < 0) {
            return false;
        }
        readBytes(position, reader);
        return true;
    }

    @Override
    public void takeBytes(Consumer<? super MemorySegment> reader, Duration timeout) {
        checkBytesReader(reader, "takeBytes");
        Objects.requireNonNull(timeout, "timeout");
        readBytes(claimBefore(Waiter.deadline(timeout), timeout), reader);
    }

    private void checkBytesReader(Consumer<? super MemorySegment> reader, String method) {
        Objects.requireNonNull(reader, "reader");
        if (type != byte[].class) {
            throw new IllegalStateException(method + " reads a channel of byte[]: " + this + " carries " + type.getName());
        }
    }

    /** Shows the claimed entry's bytes to {@code reader}, frees the entry and what it holds. */
    private void readBytes(long position, Consumer<? super MemorySegment> reader) {
        readBytes(position, reader, true);
    }

    /**
     * {@link #readBytes(long, Consumer)}; if {@code alone}, counts the message as taken and
     * passes the ring's freed word past it, as {@link #read(long, boolean)} does.
     *
     * <p>A short {@code byte[]} is shown where it lies in the entry, through a read-only slice:
     * no array, no arena. The entry is this process's until its release, which comes after
     * {@code reader} returns; a slice kept past that reads whatever later messages write there.
     */
    private void readBytes(long position, Consumer<? super MemorySegment> reader, boolean alone) {
        long payload = ring.payload(position);
        int kind = ring.payloadKind(position);
        int length = ring.payloadLength(position);
        // A length that does not fit the entry goes on to read, which refuses it and frees the entry.
        int shortBytes = kind == PAYLOAD_FLAT && length >= 0 && length <= inlineBytes
                ? FlatCodec.shortBytesCount(segment, payload, length) : -1;
        if (shortBytes >= 0) {
            try {
                reader.accept(segment.asSlice(payload + FlatCodec.SHORT_BYTES_OFFSET, shortBytes).asReadOnly());
            } finally {
                ring.release(position, alone);
                if (alone) {
                    context.counters().messageTaken();
                }
            }
            return;
        }
        if (kind != PAYLOAD_HEAP || !isLargeBytes(payload)) {
            byte[] bytes = (byte[]) read(position, alone);
            reader.accept(MemorySegment.ofArray(bytes).asReadOnly());
            return;
        }
        try {
            long[] blobAndLength = checkedLargeBytes(payload);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment view = segment.asSlice(blobAndLength[0] + BlobLayout.DATA_OFFSET, blobAndLength[1])
                        .reinterpret(arena, null).asReadOnly();
                reader.accept(view);
            } finally {
                context.scope().run(() -> ValueSlots.destroy(context, payload));
            }
        } finally {
            ring.release(position, alone);
            if (alone) {
                context.counters().messageTaken();
            }
        }
    }

    /** Claims the oldest message's entry without waiting: its position, or -1 if there is none to take now. */
    private long claimForTake() {
        ensureOpen();
        while (true) {
            long position = ring.tryClaimTake(owners.ownId());
            if (position == Ring.EMPTY || position == Ring.PENDING) {
                // Empty may also be an entry claimed by a process that died before writing it.
                if (channels.livenessCheckDue(this) && ring.skipDeadWriter(owners)) {
                    continue;
                }
                return -1;
            }
            if ((position & Ring.SKIPPED) != 0) {
                cleanAndRelease(position & ~Ring.SKIPPED);
                continue;
            }
            return position;
        }
    }

    @Override
    public T take() {
        return takeBefore(Long.MAX_VALUE, null);
    }

    @Override
    public T take(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return takeBefore(Waiter.deadline(timeout), timeout);
    }

    private T takeBefore(long deadline, Duration timeout) {
        return read(claimBefore(deadline, timeout));
    }

    /** Claims the oldest message's entry, waiting until {@code deadline} for one to come. */
    private long claimBefore(long deadline, Duration timeout) {
        ensureOpen();
        Waiter waiter = null;
        while (true) {
            long position = ring.tryClaimTake(owners.ownId());
            if (position >= 0) {
                if ((position & Ring.SKIPPED) != 0) {
                    cleanAndRelease(position & ~Ring.SKIPPED);
                    continue;
                }
                return position;
            }
            if (waiter == null) {
                waiter = channels.newWaiter(deadline);
                context.counters().publishMessages(); // a waiting process shows what it has done
            }
            if (waiter.livenessCheckDue() && ring.skipDeadWriter(owners)) {
                continue;
            }
            if (!waiter.idle()) {
                throw new WaitTimeoutException("no message in channel " + name + " within " + timeout);
            }
            ensureOpen();
        }
    }

    /**
     * Takes runs of consecutive messages: after the first claim (as {@link #poll}), each next
     * entry is claimed by one CAS expecting it FULL, and the head is moved once past the run
     * instead of once per message, as is the freed word ({@link Ring#passFreed}). The messages
     * are counted once, at the end: one atomic add for the drain instead of one per message.
     */
    @Override
    public int drainTo(Collection<? super T> sink, int max) {
        Objects.requireNonNull(sink, "sink");
        return drain(max, position -> sink.add(read(position, false)));
    }

    /** As {@link #drainTo}, each message shown to {@code reader} as {@link #pollBytes} shows it. */
    @Override
    public int drainBytes(Consumer<? super MemorySegment> reader, int max) {
        checkBytesReader(reader, "drainBytes");
        return drain(max, position -> readBytes(position, reader, false));
    }

    @Override
    public boolean pollLong(LongConsumer reader) {
        Objects.requireNonNull(reader, "reader");
        checkLongs("pollLong");
        long position = claimForTake();
        if (position < 0) {
            return false;
        }
        reader.accept(readLong(position, true));
        return true;
    }

    @Override
    public long takeLong(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        checkLongs("takeLong");
        return readLong(claimBefore(Waiter.deadline(timeout), timeout), true);
    }

    /** As {@link #drainTo}, each number given to {@code reader} unboxed. */
    @Override
    public int drainLongs(LongConsumer reader, int max) {
        Objects.requireNonNull(reader, "reader");
        checkLongs("drainLongs");
        return drain(max, position -> reader.accept(readLong(position, false)));
    }

    /**
     * The number in the claimed entry, which is freed before the number is handed on (and
     * counted, if {@code alone}, as {@link #read(long, boolean)} does). An entry not in a
     * {@code long}'s short form, which no put of this channel writes, is read as {@link #poll}
     * reads it, and refused if it holds anything but a {@code Long}.
     */
    private long readLong(long position, boolean alone) {
        long payload = ring.payload(position);
        if (ring.payloadKind(position) != PAYLOAD_FLAT || !FlatCodec.isLong(segment, payload, ring.payloadLength(position))) {
            return (Long) read(position, alone);
        }
        long value = FlatCodec.decodeLong(segment, payload);
        ring.release(position, alone);
        if (alone) {
            context.counters().messageTaken();
        }
        return value;
    }

    /** What a drain does with each entry it claimed: reads it and releases it without passing the freed word. */
    @FunctionalInterface
    private interface EntryTake {
        void take(long position);
    }

    /** Claims runs of up to {@code max} messages in all, hands each entry to {@code each}: how many it took. */
    private int drain(int max, EntryTake each) {
        int taken = 0; // entries released, counted at the end even if a read, the sink or a reader throws
        try {
            while (taken < max) {
                long position = claimForTake();
                if (position < 0) {
                    break;
                }
                int run = 0;
                long runStart = position;
                try {
                    while (true) {
                        try {
                            each.take(position);
                        } finally {
                            taken++;
                        }
                        // A run of at most a lap: the head, moved at its end, then lags by less than
                        // one lap, which takers that meet it recognise (Ring#tryClaimTake).
                        if (taken >= max || ++run >= ring.capacity()) {
                            break;
                        }
                        long next = ring.tryClaimNext(position + 1, owners.ownId());
                        if (next < 0) {
                            break;
                        }
                        position = next;
                    }
                } finally {
                    ring.advanceHead(position + 1);
                    ring.passFreed(runStart, position + 1);
                }
            }
        } finally {
            context.counters().messagesTaken(taken);
        }
        return taken;
    }

    @Override
    public CompletableFuture<T> takeAsync() {
        ensureOpen();
        return channels.takeAsync(this);
    }

    /** Reads the claimed entry, frees it, counts it, and hands the message over. */
    private T read(long position) {
        return read(position, true);
    }

    /**
     * Reads the claimed entry, frees it, and hands the message over; if {@code alone}, counts it
     * as taken and passes the ring's freed word past it (a drain does both once, for its run).
     */
    private T read(long position, boolean alone) {
        long payload = ring.payload(position);
        int kind = ring.payloadKind(position);
        Object value;
        try {
            if (kind == PAYLOAD_FLAT) {
                value = FlatCodec.decode(segment, payload, inlineLength(position), context.classes());
            } else if (kind == PAYLOAD_HEAP && isLargeBytes(payload)) {
                value = readLargeBytes(payload);
            } else if (kind == PAYLOAD_HEAP) {
                value = context.scope().call(() -> {
                    Object taken;
                    try {
                        taken = ValueSlots.read(context, payload);
                    } catch (io.ipcobjects.IpcObjectsException e) {
                        // Refused (a class this handle may not load) or unreadable: the message is
                        // dropped, so what it stored is freed, not left behind a reused entry.
                        ValueSlots.destroy(context, payload);
                        throw e;
                    }
                    HandOver.release(context, payload, taken);
                    Ownership.taken(context, taken);
                    clearSlot(payload);
                    return taken;
                });
            } else {
                throw new io.ipcobjects.CorruptedRegionException("channel entry of payload kind " + kind, payload);
            }
        } finally {
            ring.release(position, alone);
        }
        if (alone) {
            context.counters().messageTaken();
        }
        if (value == null) {
            // No put stores null (checkMessage): only a damaged entry decodes to it.
            throw new io.ipcobjects.CorruptedRegionException("channel " + name + " has an entry that holds null", payload);
        }
        if (!type.isInstance(value)) {
            throw new UnexpectedTypeException("a message taken from channel " + name, type, value.getClass());
        }
        return type.cast(value);
    }

    /** The length of the claimed entry's inline payload, checked against the entry's size. */
    private int inlineLength(long position) {
        int length = ring.payloadLength(position);
        if (length < 0 || length > inlineBytes) {
            throw new io.ipcobjects.CorruptedRegionException("inline message of " + length + " bytes in entries of "
                    + inlineBytes, ring.payload(position));
        }
        return length;
    }

    /** Whether a heap slot holds a {@code byte[]} large enough to be copied out without the lock (a hint: re-checked under it). */
    private boolean isLargeBytes(long slot) {
        return memory.getInt(slot + SlotLayout.KIND_OFFSET) == SlotKinds.BYTES && largeBlobLength(slot) >= LARGE_COPY_BYTES;
    }

    /** The length word of the slot's blob, read without validation (only a hint for {@link #isLargeBytes}). */
    private long largeBlobLength(long slot) {
        long blob = memory.getLong(slot + SlotLayout.BITS_OFFSET);
        return blob > 0 && blob < memory.size() - Long.BYTES ? memory.getLong(blob + BlobLayout.LENGTH_OFFSET) : -1;
    }

    /**
     * Takes a large {@code byte[]}: validates its blob under the lock, copies it out without the
     * lock (the entry is this process's, so nobody frees the blob meanwhile), then frees it under
     * the lock. A process that dies between the two holds leaves its entry READING; whoever
     * frees that entry frees the blob through the slot, which is still set.
     */
    private byte[] readLargeBytes(long slot) {
        long[] blobAndLength = checkedLargeBytes(slot);
        byte[] out = new byte[(int) blobAndLength[1]];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, blobAndLength[0] + BlobLayout.DATA_OFFSET, out, 0, out.length);
        context.scope().run(() -> {
            ValueSlots.destroy(context, slot);
        });
        return out;
    }

    /** A large {@code byte[]}'s blob and length, checked under the lock: {blob, length}. */
    private long[] checkedLargeBytes(long slot) {
        long[] blobAndLength = new long[2];
        context.scope().run(() -> {
            if (memory.getInt(slot + SlotLayout.KIND_OFFSET) != SlotKinds.BYTES) {
                throw new io.ipcobjects.CorruptedRegionException("a large message's slot changed kind", slot);
            }
            long blob = memory.getLong(slot + SlotLayout.BITS_OFFSET);
            blobAndLength[0] = blob;
            blobAndLength[1] = Blobs.length(context, blob);
        });
        return blobAndLength;
    }

    /**
     * Frees what a claimed entry's heap slot still holds (a dead writer's stored value, a dead
     * reader's untaken one) and releases the entry.
     */
    private void cleanAndRelease(long position) {
        try {
            if (ring.payloadKind(position) == PAYLOAD_HEAP) {
                long slot = ring.payload(position);
                if (memory.getInt(slot + SlotLayout.KIND_OFFSET) != SlotKinds.NULL || memory.getLong(slot + SlotLayout.BITS_OFFSET) != 0) {
                    context.scope().run(() -> {
                        ValueSlots.destroy(context, slot);
                    });
                }
            }
        } finally {
            ring.release(position);
        }
    }

    /** Zeroes a heap slot whose value was handed over, under the lock (logged with the hand-over). */
    private void clearSlot(long slot) {
        memory.putIntIntLong(slot, 0, 0, 0L);
    }

    private void ensureOpen() {
        if (context.scope().isClosed()) {
            throw new RegionClosedException("region " + context.path() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "channel " + name + " of " + type.getSimpleName() + " (" + size() + "/" + capacity() + ")";
    }
}
