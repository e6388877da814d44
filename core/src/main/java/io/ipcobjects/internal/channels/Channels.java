package io.ipcobjects.internal.channels;

import io.ipcobjects.Channel;
import io.ipcobjects.CorruptedRegionException;
import io.ipcobjects.TensorRing;
import io.ipcobjects.TensorSpec;
import io.ipcobjects.UnexpectedTypeException;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.internal.alloc.BlockTypes;
import io.ipcobjects.internal.codec.Blobs;
import io.ipcobjects.internal.codec.RegionContext;
import io.ipcobjects.internal.codec.SlotKinds;
import io.ipcobjects.internal.names.NameDirectory;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channels and tensor rings of one handle: finds or creates them by name (under the lock,
 * once per open) and keeps one view per ring, so every {@code channel(name)} call of a handle
 * returns the same object. The default channel is the region's message queue
 * ({@link DefaultChannel}).
 */
public final class Channels {
    private final RegionContext context;
    private final Owners owners;
    private final ConcurrentHashMap<Long, Object> views = new ConcurrentHashMap<>();
    private final DefaultChannel defaultChannel;
    /** How this handle's channel and tensor-ring operations idle while they wait ({@link Waiter}). */
    private final WaitStrategy waitStrategy;
    /** When a non-blocking poll may next ask the kernel about a stalled writer. */
    private volatile long nextLivenessCheck;

    public Channels(RegionContext context, Owners owners, WaitStrategy waitStrategy) {
        this.context = context;
        this.owners = owners;
        this.waitStrategy = Objects.requireNonNull(waitStrategy, "waitStrategy");
        this.defaultChannel = new DefaultChannel(context, this);
    }

    /** A wait that ends at {@code deadline} ({@link System#nanoTime()}; {@link Long#MAX_VALUE} for none), idling as this handle's options say. */
    Waiter newWaiter(long deadline) {
        return new Waiter(deadline, waitStrategy);
    }

    public Channel<Object> defaultChannel() {
        return defaultChannel;
    }

    @SuppressWarnings("unchecked")
    public <T> Channel<T> channel(String name, Class<T> type, int capacity, int inlineBytes, boolean create) {
        return channel(name, type, capacity, inlineBytes, Channel.Producers.MANY, create);
    }

    /**
     * The channel named {@code name}, created (when {@code create}) with {@code capacity},
     * {@code inlineBytes} and {@code producers}, which an existing channel must match.
     */
    @SuppressWarnings("unchecked")
    public <T> Channel<T> channel(String name, Class<T> type, int capacity, int inlineBytes, Channel.Producers producers,
            boolean create) {
        checkName(name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(producers, "producers");
        if (type.isPrimitive()) {
            throw new IllegalArgumentException("channel element type " + type + " is primitive: use its box");
        }
        if (create) {
            if (capacity < 1 || capacity > RingLayout.MAX_CAPACITY) {
                throw new IllegalArgumentException("channel capacity " + capacity + " is not from 1 to " + RingLayout.MAX_CAPACITY);
            }
            if (inlineBytes < ChannelLayout.MIN_INLINE_BYTES || inlineBytes > ChannelLayout.MAX_INLINE_BYTES) {
                throw new IllegalArgumentException("channel inline bytes " + inlineBytes + " is not from "
                        + ChannelLayout.MIN_INLINE_BYTES + " to " + ChannelLayout.MAX_INLINE_BYTES);
            }
        }
        String typeName = type == Object.class ? null : type.getName();
        Opened opened = context.scope().call(() -> {
            Object stored = NameDirectory.get(context, name);
            if (stored == null && create && !NameDirectory.contains(context, name)) {
                NameDirectory.put(context, name, new ChannelKinds.ChannelSpec(capacity, inlineBytes, typeName,
                        producers == Channel.Producers.ONE ? ChannelLayout.PRODUCERS_ONE : ChannelLayout.PRODUCERS_MANY));
                stored = NameDirectory.get(context, name);
            }
            if (!(stored instanceof StoredRing ring) || ring.kind() != SlotKinds.CHANNEL) {
                return new Opened(stored, 0, null);
            }
            long typeBlob = context.memory().getLong(ring.block() + ChannelLayout.TYPE_NAME_OFFSET);
            String storedType = typeBlob == 0 ? null : Blobs.utf8(context, typeBlob);
            return new Opened(stored, ring.block(), storedType);
        });
        if (opened.stored == null) {
            throw new NoSuchElementException("region " + context.path() + " has no channel named " + name);
        }
        if (opened.block == 0) {
            throw new UnexpectedTypeException("name " + name, Channel.class, opened.stored.getClass());
        }
        if (!Objects.equals(opened.typeName, typeName) && type != Object.class) {
            throw new IllegalArgumentException("channel " + name + " carries " + (opened.typeName == null ? "any value"
                    : opened.typeName) + ", not " + type.getName());
        }
        RingChannel<?> channel = (RingChannel<?>) views.computeIfAbsent(opened.block, block -> open(name, type, block));
        if (channel.type() != type) {
            // Another element type's view shares the ring and the seat: a one-producer channel's
            // put hint must be one per handle (ProducerSeat).
            channel = channel.as(type);
        }
        if (create && (channel.capacity() != capacity || channel.inlineBytes() < inlineBytes)) {
            throw new IllegalArgumentException("channel " + name + " exists with capacity " + channel.capacity()
                    + " and " + channel.inlineBytes() + " inline bytes, not " + capacity + " and " + inlineBytes);
        }
        if (create && channel.producers() != producers) {
            throw new IllegalArgumentException("channel " + name + " exists for " + channel.producers()
                    + " producers, not " + producers);
        }
        return (Channel<T>) channel;
    }

    private record Opened(Object stored, long block, String typeName) {
    }

    private <T> RingChannel<T> open(String name, Class<T> type, long block) {
        long room = context.allocator().checkBlock(block, BlockTypes.CHANNEL);
        if (context.memory().getInt(block + ChannelLayout.MAGIC_OFFSET) != ChannelLayout.MAGIC) {
            throw new CorruptedRegionException("channel " + name + " has no channel header", block);
        }
        int producers = context.memory().getInt(block + ChannelLayout.PRODUCERS_OFFSET);
        if (producers != ChannelLayout.PRODUCERS_MANY && producers != ChannelLayout.PRODUCERS_ONE) {
            throw new CorruptedRegionException("channel " + name + " says " + producers + " for its producers", block);
        }
        boolean oneProducer = producers == ChannelLayout.PRODUCERS_ONE;
        Ring ring = Ring.open(context.memory(), block + ChannelLayout.RING_OFFSET, room - ChannelLayout.RING_OFFSET,
                (int) RingLayout.PAYLOAD_OFFSET + ChannelLayout.MIN_INLINE_BYTES, oneProducer);
        int inline = context.memory().getInt(block + ChannelLayout.INLINE_BYTES_OFFSET);
        if (inline != ring.payloadBytes()) {
            throw new CorruptedRegionException("channel " + name + " says " + inline + " inline bytes in entries of "
                    + ring.payloadBytes(), block);
        }
        ProducerSeat seat = oneProducer ? new ProducerSeat(name, context.memory(), block, owners) : null;
        return new RingChannel<>(name, type, block, ring, seat, context, owners, this);
    }

    public TensorRing tensorRing(String name, int slots, List<TensorSpec> specs, boolean create) {
        checkName(name);
        if (create) {
            TensorRingSpec.check(slots, specs);
        }
        StoredRing stored = context.scope().call(() -> {
            Object value = NameDirectory.get(context, name);
            if (value == null && create && !NameDirectory.contains(context, name)) {
                NameDirectory.put(context, name, new TensorRingSpec(slots, specs));
                value = NameDirectory.get(context, name);
            }
            if (value == null) {
                return null;
            }
            if (!(value instanceof StoredRing ring) || ring.kind() != SlotKinds.TENSOR_RING) {
                throw new UnexpectedTypeException("name " + name, TensorRing.class, value.getClass());
            }
            return ring;
        });
        if (stored == null) {
            throw new NoSuchElementException("region " + context.path() + " has no tensor ring named " + name);
        }
        SharedTensorRing ring = (SharedTensorRing) views.computeIfAbsent(stored.block(),
                block -> SharedTensorRing.open(name, block, context, owners, this));
        if (create && (ring.slotCount() != slots || !ring.specs().equals(specs))) {
            throw new IllegalArgumentException("tensor ring " + name + " exists with " + ring.slotCount() + " slots of "
                    + ring.specs() + ", not " + slots + " of " + specs);
        }
        return ring;
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a channel name cannot be empty (the default channel is messages())");
        }
    }

    /** For a non-blocking poll: true about once a millisecond per handle. */
    boolean livenessCheckDue(Object ignored) {
        long now = System.nanoTime();
        long next = nextLivenessCheck;
        if (now - next < 0) {
            return false;
        }
        nextLivenessCheck = now + 1_000_000;
        return true;
    }

    /** A future for the next message of {@code channel}, taken by a virtual thread that polls. */
    <T> CompletableFuture<T> takeAsync(Channel<T> channel) {
        TakeFuture<T> future = new TakeFuture<>();
        // A virtual thread that spun would hold its carrier for the whole wait: it backs off
        // where the handle's waits spin.
        WaitStrategy idle = waitStrategy == WaitStrategy.BUSY_SPIN ? WaitStrategy.BACKOFF : waitStrategy;
        Thread.ofVirtual().name("ipc-objects take " + channel.name()).start(() -> future.run(channel, idle));
        return future;
    }

    /**
     * A future completed by one take. Cancelling waits out a poll in progress (microseconds): it
     * succeeds if that poll found nothing, and fails if it took a message, which then completes
     * the future; so a message taken for it always reaches it, and a cancelled one takes none.
     */
    private static final class TakeFuture<T> extends CompletableFuture<T> {
        private static final int WAITING = 0, TAKING = 1, CANCELLED = 2, DONE = 3;
        private final AtomicInteger state = new AtomicInteger(WAITING);

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            while (true) {
                int now = state.get();
                if (now == WAITING) {
                    if (state.compareAndSet(WAITING, CANCELLED)) {
                        return super.cancel(mayInterruptIfRunning);
                    }
                } else if (now == TAKING) {
                    Thread.onSpinWait();
                } else {
                    return now == CANCELLED;
                }
            }
        }

        void run(Channel<T> channel, WaitStrategy idle) {
            Waiter waiter = new Waiter(Long.MAX_VALUE, idle);
            while (true) {
                if (!state.compareAndSet(WAITING, TAKING)) {
                    return; // cancelled
                }
                T message;
                try {
                    message = channel.poll();
                } catch (RuntimeException | Error e) {
                    state.set(DONE);
                    completeExceptionally(e);
                    return;
                }
                if (message != null) {
                    state.set(DONE);
                    complete(message);
                    return;
                }
                state.set(WAITING);
                try {
                    waiter.idle();
                } catch (RuntimeException e) {
                    if (state.compareAndSet(WAITING, DONE)) {
                        completeExceptionally(e);
                    }
                    return;
                }
            }
        }
    }
}
