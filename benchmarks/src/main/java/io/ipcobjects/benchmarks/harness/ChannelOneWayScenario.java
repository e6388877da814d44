package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.Channel;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.WaitStrategy;
import io.ipcobjects.WaitTimeoutException;
import io.ipcobjects.benchmarks.BenchRegions;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Messages one way through a {@link Channel}: the child puts numbered messages, the parent takes
 * them and checks every one ({@link OneWayScenario}). Figure: M messages/s, or GiB/s for
 * messages of 64 KiB and more; to set beside {@code agrona-oneway} (small messages),
 * {@code uds-oneway} (1 MiB) or {@code uds-objects} (records) of the same run.
 *
 * <p>Parameters:
 * <ul>
 *   <li>{@code msg=long|bytes|record} ({@link MessageKind}; default {@code long}) and
 *       {@code bytes=<n>} for {@code msg=bytes} (default 32);</li>
 *   <li>{@code capacity=<n>}: the channel's capacity (default 1024; 8 for messages of 64 KiB
 *       and more, which are stored in the region's heap);</li>
 *   <li>{@code inline=<n>}: the channel's inline bytes (default {@link Channel#DEFAULT_INLINE_BYTES});</li>
 *   <li>{@code producers=many|one}: the channel's {@link Channel.Producers} (default {@code many});
 *       with {@code one} the child's puts claim their entries with plain stores, as the one
 *       producer of Agrona's one-to-one ring writes;</li>
 *   <li>{@code produce=put|offer|putall|putlong}: the child's {@code put}, {@code offer} retried in a
 *       spin, {@code putAll} of {@code putBatch} messages at a time (default 64), or
 *       ({@code msg=long} only) {@code putLong} of the unboxed number (default {@code put});</li>
 *   <li>{@code consume=drain|take|poll|pollbytes|drainbytes|drainlongs}: the parent's {@code drainTo} of up
 *       to {@code batch} messages (default 256), {@code take(timeout)} one at a time, {@code poll}
 *       in a spin, ({@code msg=bytes} only) {@code pollBytes} in a spin or {@code drainBytes}
 *       of up to {@code batch} messages, copying each message from its view into one buffer it
 *       reuses, as {@code uds-oneway}'s reader does, and checking it there, or ({@code msg=long}
 *       only) {@code drainLongs} of up to {@code batch} numbers, each checked unboxed (default
 *       {@code drain}). The timeout of {@code take} (100 ms) only lets the parent check that the
 *       child still runs;</li>
 *   <li>{@code spread=true}: both sides place large blocks by next fit
 *       ({@link io.ipcobjects.SharedMemoryOptions#withSpreadLargeBlocks}), so the messages the
 *       child puts move through the free heap in turn (default false);</li>
 *   <li>{@code wait=busySpin|backoff|sleeping}: both sides' wait strategy (default
 *       {@code busySpin}, as in {@code message-roundtrip}): how a waiter for the region lock
 *       (messages too large for the ring, stored in the heap under the lock) and a blocking
 *       channel call idle. Waits shorter than 50 µs spin with any of them.</li>
 * </ul>
 */
final class ChannelOneWayScenario extends OneWayScenario {

    private static final String CHANNEL = "oneway";
    private static final Duration TAKE_WAIT = Duration.ofMillis(100);
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(30);

    private MessageKind<Object> kind;
    private SharedMemory shm;
    private Channel<Object> channel;
    private String consume;
    private int drainBatch;
    private final List<Object> sink = new ArrayList<>();
    /** {@code consume=pollbytes|drainbytes}: the buffer every message is copied into, and the reader that copies and checks it. */
    private byte[] copy;
    private Consumer<MemorySegment> copyInto;
    /** {@code consume=drainlongs}: checks each number unboxed against the next sequence number. */
    private final java.util.function.LongConsumer checkLong = value -> {
        if (value != received) {
            throw new IllegalStateException("message " + received + ": got " + value);
        }
        received++;
    };

    @SuppressWarnings("unchecked") // the kind and the channel share the element type
    private static MessageKind<Object> kind(RunContext run) {
        return (MessageKind<Object>) MessageKind.of(run);
    }

    /** The region options of both sides: the wait strategy, and the record class allowed to be read. */
    static SharedMemoryOptions options(RunContext run) {
        WaitStrategy wait = switch (run.param("wait", "busySpin")) {
            case "busySpin" -> WaitStrategy.busySpin();
            case "backoff" -> WaitStrategy.backoff();
            case "sleeping" -> WaitStrategy.sleeping();
            default -> throw new IllegalArgumentException("wait must be busySpin, backoff or sleeping: " + run.spec());
        };
        return SharedMemoryOptions.defaults().withWaitStrategy(wait).withAllowedClasses(Msg.class)
                .withCloseTimeout(Duration.ofSeconds(10)).withSpreadLargeBlocks(Boolean.parseBoolean(run.param("spread", "false")));
    }

    private static int capacity(RunContext run, MessageKind<?> kind) {
        return (int) run.longParam("capacity", kind.bytes() >= LARGE_BYTES ? 8 : 1024);
    }

    /** The {@code producers} parameter: {@code many} (the default) or {@code one}. */
    static Channel.Producers producers(RunContext run) {
        return switch (run.param("producers", "many")) {
            case "many" -> Channel.Producers.MANY;
            case "one" -> Channel.Producers.ONE;
            default -> throw new IllegalArgumentException("producers must be many or one: " + run.spec());
        };
    }

    @Override
    long messageBytes() {
        return kind == null ? 0 : kind.bytes();
    }

    @Override
    String describe() {
        return kind.describe() + " through a channel (" + consume + ")";
    }

    @Override
    public void setUp(RunContext run) {
        kind = kind(run);
        consume = run.param("consume", "drain");
        if (!List.of("drain", "take", "poll", "pollbytes", "drainbytes", "drainlongs").contains(consume)) {
            throw new IllegalArgumentException("consume must be drain, take, poll, pollbytes, drainbytes or drainlongs: " + run.spec());
        }
        if (consume.equals("drainlongs") && (Class<?>) kind.type() != Long.class) {
            throw new IllegalArgumentException("consume=drainlongs takes numbers (msg=long): " + run.spec());
        }
        if (run.param("produce", "put").equals("putlong") && (Class<?>) kind.type() != Long.class) {
            throw new IllegalArgumentException("produce=putlong puts numbers (msg=long): " + run.spec());
        }
        if (consume.endsWith("bytes") && (Class<?>) kind.type() != byte[].class) {
            throw new IllegalArgumentException("consume=" + consume + " takes byte messages (msg=bytes): " + run.spec());
        }
        drainBatch = (int) run.longParam("batch", 256);
        int capacity = capacity(run, kind);
        int inline = (int) run.longParam("inline", Channel.DEFAULT_INLINE_BYTES);
        // the ring, plus room in the heap for a full channel of large messages twice over
        long regionBytes = (16L << 20) + 2L * capacity * Math.max(kind.bytes(), inline + 64);
        shm = SharedMemory.create(run.regionName(), regionBytes, options(run));
        channel = shm.channel(CHANNEL, kind.type(), capacity, inline, producers(run));
        if (consume.endsWith("bytes")) {
            copy = new byte[Math.toIntExact(kind.bytes())];
            copyInto = view -> {
                if (view.byteSize() != copy.length) {
                    throw new IllegalStateException("message " + received + ": " + view.byteSize() + " bytes, sent " + copy.length);
                }
                MemorySegment.copy(view, ValueLayout.JAVA_BYTE, 0, copy, 0, copy.length);
                kind.check(copy, received++);
            };
        }
    }

    /** Takes one message with {@code pollBytes} into {@link #copy} and checks it; false if there was none. */
    private boolean pollBytesAndCheck() {
        return channel.pollBytes(copyInto);
    }

    @Override
    void receive(int messages) {
        switch (consume) {
            case "drain", "drainbytes", "drainlongs" -> {
                // drainBytes and drainLongs check each message in their reader; drainTo leaves them in the sink.
                int got = 0;
                while (got < messages) {
                    int batch = Math.min(drainBatch, messages - got);
                    int n = switch (consume) {
                        case "drainbytes" -> channel.drainBytes(copyInto, batch);
                        case "drainlongs" -> channel.drainLongs(checkLong, batch);
                        default -> channel.drainTo(sink, batch);
                    };
                    if (n == 0) {
                        watch.idle();
                        continue;
                    }
                    watch.progressed();
                    checkSink();
                    got += n;
                }
            }
            case "take" -> {
                for (int i = 0; i < messages; i++) {
                    Object message;
                    try {
                        message = channel.take(TAKE_WAIT);
                    } catch (WaitTimeoutException e) {
                        watch.timedOut();
                        i--;
                        continue;
                    }
                    watch.progressed();
                    kind.check(message, received++);
                }
            }
            case "pollbytes" -> {
                for (int i = 0; i < messages; i++) {
                    while (!pollBytesAndCheck()) {
                        watch.idle();
                    }
                    watch.progressed();
                }
            }
            default -> {
                for (int i = 0; i < messages; i++) {
                    Object message;
                    while ((message = channel.poll()) == null) {
                        watch.idle();
                    }
                    watch.progressed();
                    kind.check(message, received++);
                }
            }
        }
    }

    private void checkSink() {
        for (int i = 0; i < sink.size(); i++) {
            kind.check(sink.get(i), received++);
        }
        sink.clear();
    }

    @Override
    int receiveAvailable() {
        if (consume.equals("drain")) {
            int n = channel.drainTo(sink, drainBatch);
            checkSink();
            return n;
        }
        if (consume.equals("pollbytes")) {
            return pollBytesAndCheck() ? 1 : 0;
        }
        if (consume.equals("drainbytes")) {
            return channel.drainBytes(copyInto, drainBatch);
        }
        if (consume.equals("drainlongs")) {
            return channel.drainLongs(checkLong, drainBatch);
        }
        Object message = channel.poll();
        if (message == null) {
            return 0;
        }
        kind.check(message, received++);
        return 1;
    }

    @Override
    String leftOver() {
        int size = channel.size();
        return size == 0 ? null : "the channel still holds " + size;
    }

    @Override
    Sender openSender(RunContext run) {
        MessageKind<Object> childKind = kind(run);
        SharedMemory attached = SharedMemory.attach(run.regionName(), ATTACH_WAIT, options(run));
        try {
            Channel<Object> out = attached.channel(CHANNEL, childKind.type());
            String produce = run.param("produce", "put");
            if (!List.of("put", "offer", "putall", "putlong").contains(produce)) {
                throw new IllegalArgumentException("produce must be put, offer, putall or putlong: " + run.spec());
            }
            boolean putLong = produce.equals("putlong");
            if (putLong && (Class<?>) childKind.type() != Long.class) {
                throw new IllegalArgumentException("produce=putlong puts numbers (msg=long): " + run.spec());
            }
            boolean offer = produce.equals("offer");
            int putBatch = produce.equals("putall") ? (int) run.longParam("putBatch", 64) : 0;
            List<Object> pending = new java.util.ArrayList<>(Math.max(putBatch, 1));
            return new Sender() {
                @Override
                public void send(long sequence) {
                    if (putLong) {
                        out.putLong(sequence); // LongMessages: the message is its sequence number
                        return;
                    }
                    Object message = childKind.message(sequence);
                    if (putBatch > 0) {
                        // A byte[] message is one array stamped anew for each sequence: a batch keeps copies.
                        pending.add(message instanceof byte[] bytes ? bytes.clone() : message);
                        if (pending.size() == putBatch) {
                            out.putAll(pending);
                            pending.clear();
                        }
                    } else if (offer) {
                        while (!out.offer(message)) {
                            Thread.onSpinWait();
                        }
                    } else {
                        out.put(message);
                    }
                }

                @Override
                public void finish() {
                    if (!pending.isEmpty()) {
                        out.putAll(pending);
                        pending.clear();
                    }
                }

                @Override
                public void close() {
                    attached.close();
                }
            };
        } catch (RuntimeException e) {
            attached.close();
            throw e;
        }
    }

    @Override
    public void tearDown() {
        BenchRegions.closeAndRemove(shm);
    }
}
