package io.ipcobjects;

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
 * A named, bounded FIFO of messages in a region, shared by any number of producers and
 * consumers in any processes. Opened with {@link SharedMemory#channel(String, Class, int)}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Bounded.</b> At most {@link #capacity()} messages wait. {@link #offer} says
 *       {@code false} when the channel is full, {@link #put} waits for room.</li>
 *   <li><b>Exactly once, in order.</b> Every message put is taken by exactly one consumer;
 *       messages from one producer thread are taken in the order it put them.</li>
 *   <li><b>One element type</b>, fixed when the channel is created; a put of another type is
 *       refused before anything is stored. {@code null} is not a message.</li>
 *   <li><b>Ownership.</b> What you take is yours. Plain Java values (numbers, strings, arrays,
 *       records, lists, sets, maps, {@code Object[]}) travel as copies: the taker gets a Java
 *       object and nothing of it remains in the region. Shared objects (a {@link SharedList},
 *       {@link SharedMap}, {@link SharedSet}, a {@link SharedTensor} or a binding's array over
 *       one, a live object from {@code newObject}) travel by reference: the producer gives its
 *       reference away with the put, and the taker must {@link SharedMemory#destroy destroy} it
 *       (or put it on, or name it). {@link SharedMemory#processStats()} counts what a process
 *       took and has not destroyed.</li>
 *   <li><b>Fast path.</b> A message whose encoding fits {@link #inlineBytes()} (numbers, short
 *       strings and byte arrays, small records and collections of these) is copied into the
 *       channel's ring without the region lock; a larger one is stored in the region's heap
 *       under the lock, and only its reference goes through the ring.</li>
 *   <li><b>Producers.</b> A channel takes {@link Producers#MANY many producers} unless it was
 *       created for {@link Producers#ONE one}: then one thread of one handle puts at a time, and
 *       its puts claim their entries with plain stores, with no atomic instruction. A put
 *       from anyone else throws {@link IllegalStateException} and stores nothing; the seat
 *       passes on when its thread ends, its handle closes the region, or its process dies.
 *       Consumers are many either way.</li>
 *   <li><b>Processes that die.</b> A producer that dies during a put leaves no message; a
 *       consumer that dies during a take takes the message with it; either way the slot is given
 *       back and nothing stays allocated.</li>
 * </ul>
 *
 * @param <T> the element type
 */
public interface Channel<T> {

    /** The inline size of {@link SharedMemory#channel(String, Class, int)}: 112 bytes, a ring entry of two cache lines. */
    int DEFAULT_INLINE_BYTES = 112;

    /**
     * Who may put into a channel, fixed when it is created
     * ({@link SharedMemory#channel(String, Class, int, int, Producers)}).
     */
    enum Producers {
        /**
         * Any number of threads in any processes (the default): each put claims its entry with a
         * CAS of a word only producers write, so while one process puts it finds that word in its
         * own cache, and writes the entry with plain stores.
         */
        MANY,
        /**
         * One thread of one handle at a time: the first to put holds the channel's seat until
         * that thread ends, or its handle closes the region, or its process dies; a put by anyone
         * else meanwhile throws {@link IllegalStateException}. In a channel of 16 entries or
         * more its puts claim their entries with plain stores, with no atomic instruction, as a
         * one-producer ring such as Agrona's {@code OneToOneRingBuffer} does.
         */
        ONE
    }

    /**
     * The channel's name in the region.
     *
     * @return the name, {@code ""} for the region's default channel
     */
    String name();

    /**
     * The element type every message is an instance of.
     *
     * @return the element class
     */
    Class<T> type();

    /**
     * Most messages that can wait at once.
     *
     * @return the capacity
     */
    int capacity();

    /**
     * Who may put: {@link Producers#MANY} unless the channel was created for one producer.
     *
     * @return the channel's producers
     */
    Producers producers();

    /**
     * Largest encoding that goes through the ring without the region lock.
     *
     * @return the bytes of an entry's payload
     */
    int inlineBytes();

    /**
     * Puts {@code message} if there is room, without waiting.
     *
     * @param message the message
     * @return false if the channel is full (nothing is stored)
     * @throws UnsupportedTypeException if the message cannot be stored (nothing is stored)
     */
    boolean offer(T message);

    /**
     * Puts {@code message}, waiting up to {@code timeout} for room.
     *
     * @param message the message
     * @param timeout how long to wait for room
     * @return false if the channel stayed full for {@code timeout}
     */
    boolean offer(T message, Duration timeout);

    /**
     * Puts {@code message}, waiting as long as the channel is full.
     *
     * @param message the message
     */
    void put(T message);

    /**
     * Puts {@code message} and returns what a taker would read for it now, without taking it:
     * the decode costs a second copy, so {@link #put} does not do it.
     *
     * @param message the message
     * @return what a taker would read
     */
    T putAndRead(T message);

    /**
     * Puts every message in order, waiting for room as needed.
     *
     * @param messages the messages
     * @return how many were put
     */
    int putAll(Collection<? extends T> messages);

    /**
     * Takes the oldest message, without waiting.
     *
     * @return the message, or {@code null} if there is none
     */
    T poll();

    /**
     * Takes the oldest message of a channel of {@code byte[]}, without waiting, and lets
     * {@code reader} read its bytes where they lie, as a handler reads an Agrona ring: a short
     * message (under 128 bytes, in the channel's ring) and a large one (64 KiB and more, in the
     * region's heap) are not copied into a new array, so a consumer that copies them into a
     * buffer it reuses, or parses them in place, allocates nothing per message. Messages in
     * between are copied into a new array first.
     *
     * <p>The segment is read-only and is for the call only: its memory is given to other
     * messages when {@code reader} returns. A large message's segment is closed then (reading
     * it later throws {@link IllegalStateException}); a short message's reads the channel's
     * ring entry, where a later message may stand by the time it is read.
     *
     * <p>The message is taken whatever {@code reader} does: if it throws, the message is
     * freed all the same and the exception reaches the caller.
     *
     * @param reader reads the message's bytes during the call
     * @return whether a message was taken
     *
     * @throws IllegalStateException if the channel's element type is not {@code byte[]} (nothing is taken)
     */
    default boolean pollBytes(Consumer<? super MemorySegment> reader) {
        Objects.requireNonNull(reader, "reader");
        if (type() != byte[].class) {
            throw new IllegalStateException("pollBytes reads a channel of byte[]: " + this + " carries " + type().getName());
        }
        T message = poll();
        if (message == null) {
            return false;
        }
        showBytes((byte[]) message, reader);
        return true;
    }

    /**
     * {@link #pollBytes}, waiting up to {@code timeout} for a message.
     *
     * @param reader  reads the message's bytes during the call
     * @param timeout how long to wait
     *
     * @throws WaitTimeoutException  if no message came within {@code timeout}
     * @throws IllegalStateException if the channel's element type is not {@code byte[]} (nothing is taken)
     */
    default void takeBytes(Consumer<? super MemorySegment> reader, Duration timeout) {
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(timeout, "timeout");
        if (type() != byte[].class) {
            throw new IllegalStateException("takeBytes reads a channel of byte[]: " + this + " carries " + type().getName());
        }
        showBytes((byte[]) take(timeout), reader);
    }

    /**
     * Takes up to {@code max} messages of a channel of {@code byte[]} that are there now,
     * without waiting, and shows each in turn to {@code reader}, as {@link #pollBytes} does.
     * If {@code reader} throws, the message it was shown is taken all the same, and the
     * exception reaches the caller; later messages stay.
     *
     * @param reader reads each message's bytes during its call
     * @param max    most messages to take
     * @return how many were taken
     *
     * @throws IllegalStateException if the channel's element type is not {@code byte[]} (nothing is taken)
     */
    default int drainBytes(Consumer<? super MemorySegment> reader, int max) {
        Objects.requireNonNull(reader, "reader");
        if (type() != byte[].class) {
            throw new IllegalStateException("drainBytes reads a channel of byte[]: " + this + " carries " + type().getName());
        }
        int taken = 0;
        while (taken < max && pollBytes(reader)) {
            taken++;
        }
        return taken;
    }

    /**
     * Puts {@code value} into a channel of {@code Long} without boxing it, waiting while the
     * channel is full; takers see a {@code Long} (or, through {@link #pollLong},
     * {@link #takeLong} and {@link #drainLongs}, the {@code long}). With those calls a stream of
     * numbers (sample indices, sequence numbers) allocates nothing per message on either side.
     *
     * @param value the number to put
     *
     * @throws IllegalStateException if the channel's element type is not {@code Long} (nothing is put)
     */
    default void putLong(long value) {
        requireLongs("putLong");
        put(type().cast(value));
    }

    /**
     * {@link #putLong} without waiting: false if the channel is full.
     *
     * @param value the number to put
     * @return whether it was put
     *
     * @throws IllegalStateException if the channel's element type is not {@code Long} (nothing is put)
     */
    default boolean offerLong(long value) {
        requireLongs("offerLong");
        return offer(type().cast(value));
    }

    /**
     * Takes the oldest message of a channel of {@code Long}, without waiting, and gives it to
     * {@code reader} as a {@code long}, unboxed. The message is taken whatever {@code reader}
     * does; if it throws, the exception reaches the caller.
     *
     * @param reader receives the number
     * @return whether a message was taken
     *
     * @throws IllegalStateException if the channel's element type is not {@code Long} (nothing is taken)
     */
    default boolean pollLong(LongConsumer reader) {
        Objects.requireNonNull(reader, "reader");
        requireLongs("pollLong");
        T message = poll();
        if (message == null) {
            return false;
        }
        reader.accept((Long) message);
        return true;
    }

    /**
     * Takes the oldest message of a channel of {@code Long}, waiting up to {@code timeout} for
     * one, as a {@code long}, unboxed.
     *
     * @param timeout how long to wait
     * @return the number
     *
     * @throws WaitTimeoutException  if no message came within {@code timeout}
     * @throws IllegalStateException if the channel's element type is not {@code Long} (nothing is taken)
     */
    default long takeLong(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        requireLongs("takeLong");
        return (Long) take(timeout);
    }

    /**
     * Takes up to {@code max} messages of a channel of {@code Long} that are there now, without
     * waiting, and gives each in turn to {@code reader} as a {@code long}, as {@link #drainTo}
     * takes them. If {@code reader} throws, the number it was given is taken all the same, and
     * the exception reaches the caller; later messages stay.
     *
     * @param reader receives each number
     * @param max    most messages to take
     * @return how many were taken
     *
     * @throws IllegalStateException if the channel's element type is not {@code Long} (nothing is taken)
     */
    default int drainLongs(LongConsumer reader, int max) {
        Objects.requireNonNull(reader, "reader");
        requireLongs("drainLongs");
        int taken = 0;
        while (taken < max && pollLong(reader)) {
            taken++;
        }
        return taken;
    }

    /** Refuses {@code method} for a channel whose element type is not {@code Long}. */
    private void requireLongs(String method) {
        if (type() != Long.class) {
            throw new IllegalStateException(method + " is for a channel of Long: " + this + " carries " + type().getName());
        }
    }

    /** Shows a copy of {@code bytes} to {@code reader} through a read-only segment closed when it returns. */
    private static void showBytes(byte[] bytes, Consumer<? super MemorySegment> reader) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment view = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, view, ValueLayout.JAVA_BYTE, 0, bytes.length);
            reader.accept(view.asReadOnly());
        }
    }

    /**
     * Takes the oldest message, waiting as long as the channel is empty.
     *
     * @return the message
     */
    T take();

    /**
     * Takes the oldest message, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the message
     *
     * @throws WaitTimeoutException if no message came within {@code timeout}
     */
    T take(Duration timeout);

    /**
     * Takes up to {@code max} messages that are there now, without waiting, and adds them to
     * {@code sink} in order.
     *
     * @param sink where the messages go
     * @param max  most messages to take
     * @return how many were taken
     */
    int drainTo(Collection<? super T> sink, int max);

    /**
     * A future completed with the next message taken. Cancelling it before it completes takes
     * nothing; closing the region completes it with {@link RegionClosedException}.
     *
     * @return the future of the next message
     */
    CompletableFuture<T> takeAsync();

    /**
     * Messages waiting now, read without the region lock (a moment's value).
     *
     * @return the count
     */
    int size();

    /**
     * Whether no message waits now, read without the region lock.
     *
     * @return true if the channel is empty
     */
    default boolean isEmpty() {
        return size() == 0;
    }
}
