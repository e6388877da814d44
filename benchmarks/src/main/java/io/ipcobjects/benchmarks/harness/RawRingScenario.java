package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The floor of the channels' ring protocol, with no library: 8-byte messages through a ring of
 * {@code capacity} entries (default 1024) of {@code stride} bytes (default 128, the channels'),
 * each entry led by a state word, in a plain mapped file. With {@code claim=cas} (the channels'
 * way) each side claims an entry with a CAS of its state word, writes or reads the message, and
 * hands it on with a release store; with {@code claim=load} each side waits for the state word
 * it needs with an acquire load and hands on with a release store, as a one-producer,
 * one-consumer ring may. Between the two lies the cost of an atomic instruction per message on
 * a line the other core wrote last. With {@code box=true} each side also allocates what a
 * {@code Channel<Long>}'s user and the channel do: the child boxes each number in a new
 * {@code Long} before it writes it, the parent boxes each number it reads into a list (cleared
 * every 256), so the figure shows what one allocation per message on each side costs the ring.
 * Figure: M msg/s.
 *
 * <p>State word of the entry of position {@code p}: {@code 4p} free for {@code p},
 * {@code 4p + 1} being written, {@code 4p + 2} full, {@code 4p + 3} being read.
 */
final class RawRingScenario extends MappedOneWayScenario {

    private int capacity;
    private long stride;
    private boolean cas;
    private boolean box;
    /** {@code box=true}: the parent's boxed numbers, as a {@code drainTo} sink holds them. */
    private final List<Long> boxed = new ArrayList<>();
    /**
     * {@code box=true}: where the child puts each new {@code Long}, so that the JIT cannot leave
     * it unallocated. A plain field: a volatile store would add a full fence per message.
     */
    static Long lastBoxed;

    private static int capacity(RunContext run) {
        long capacity = run.longParam("capacity", 1024);
        if (capacity < 2 || Long.bitCount(capacity) != 1 || capacity > 1 << 20) {
            throw new IllegalArgumentException("capacity must be a power of two from 2 to 2^20: " + run.spec());
        }
        return (int) capacity;
    }

    private static long stride(RunContext run) {
        long stride = run.longParam("stride", 128);
        if (stride < 32 || stride % 16 != 0) { // the state word, then the message at 16
            throw new IllegalArgumentException("stride must be a multiple of 16, at least 32: " + run.spec());
        }
        return stride;
    }

    private static boolean box(RunContext run) {
        return switch (run.param("box", "false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("box must be true or false: " + run.spec());
        };
    }

    private static boolean cas(RunContext run) {
        return switch (run.param("claim", "cas")) {
            case "cas" -> true;
            case "load" -> false;
            default -> throw new IllegalArgumentException("claim must be cas or load: " + run.spec());
        };
    }

    @Override
    long messageBytes() {
        return Long.BYTES;
    }

    @Override
    String describe() {
        return "8-byte messages through a raw ring of " + capacity + " entries of " + stride + " bytes (claim by "
                + (cas ? "CAS" : "load") + ")";
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        capacity = capacity(run);
        stride = stride(run);
        cas = cas(run);
        box = box(run);
        file = MappedFile.create(run.file("ring"), capacity * stride);
        segment = plain(file.segment());
        for (int i = 0; i < capacity; i++) {
            WORD.setRelease(segment, i * stride, 4L * i);
        }
    }

    /** Claims the entry of {@code position} in state {@code from}: true once claimed, false if not there yet. */
    private static boolean claim(MemorySegment ring, long entry, long from, boolean cas) {
        return cas ? WORD.compareAndSet(ring, entry, from, from + 1) : (long) WORD.getAcquire(ring, entry) == from;
    }

    private boolean tryReceive() {
        long position = received;
        long entry = (position & (capacity - 1)) * stride;
        if (!claim(segment, entry, 4 * position + 2, cas)) {
            return false;
        }
        long value = segment.get(ValueLayout.JAVA_LONG, entry + 16);
        WORD.setRelease(segment, entry, 4 * (position + capacity));
        if (box) {
            boxed.add(value);
            if (boxed.size() == 256) {
                boxed.clear();
            }
        }
        if (value != position) {
            throw Payload.mismatch(position, value, value);
        }
        received = position + 1;
        return true;
    }

    @Override
    void receive(int messages) {
        for (int i = 0; i < messages; i++) {
            while (!tryReceive()) {
                watch.idle();
            }
            watch.progressed();
        }
    }

    @Override
    int receiveAvailable() {
        return tryReceive() ? 1 : 0;
    }

    @Override
    Sender openSender(RunContext run) throws Exception {
        int entries = capacity(run);
        long size = stride(run);
        boolean byCas = cas(run);
        boolean boxing = box(run);
        MappedFile mapped = MappedFile.attach(run.file("ring"));
        MemorySegment ring = plain(mapped.segment());
        return new MappedSender(mapped) {
            @Override
            public void send(long sequence) {
                long entry = (sequence & (entries - 1)) * size;
                while (!claim(ring, entry, 4 * sequence, byCas)) {
                    Thread.onSpinWait();
                }
                long message = sequence;
                if (boxing) {
                    Long boxedMessage = sequence;
                    lastBoxed = boxedMessage;
                    message = boxedMessage;
                }
                ring.set(ValueLayout.JAVA_LONG, entry + 16, message);
                WORD.setRelease(ring, entry, 4 * sequence + 2);
            }
        };
    }
}
