package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The peer of {@code tensor-ring} that does its work with no library: {@code slots} slots
 * (default 4) of {@code bytes} bytes (default 1 MiB) in a plain mapped file, each behind a
 * 64-byte line holding one state word. The child waits for slot {@code s % slots} to be free for
 * batch {@code s}, stamps and copies the prepared batch into it with one {@code MemorySegment.copy}
 * and release-stores "published"; the parent waits for it, sums every 8-byte word, checks the sum
 * and both stamps, and release-stores "free for batch {@code s + slots}". This is the same bytes
 * written by one core and read by another as the tensor ring moves, with the least
 * synchronisation that can move them; the ring's figure over this one is what its claims,
 * publishes, takes and releases cost. Figure: GiB/s.
 *
 * <p>State word of a slot: {@code 2s} free for batch {@code s}, {@code 2s + 1} batch {@code s}
 * published.
 */
final class RawSlotsScenario extends MappedOneWayScenario {

    private static final long HEADER = 64;

    private long bytes;
    private int slots;
    private long baseSum;

    private static long bytes(RunContext run) {
        long bytes = run.longParam("bytes", 1 << 20);
        if (bytes < 2 * Long.BYTES || bytes % 64 != 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bytes must be a multiple of 64, at least 64: " + run.spec());
        }
        return bytes;
    }

    private static long slotOffset(long bytes, int slot) {
        return slot * (HEADER + bytes);
    }

    @Override
    long messageBytes() {
        return bytes;
    }

    @Override
    int batch() {
        return 4;
    }

    @Override
    String describe() {
        return "batches of " + bytes + " bytes through raw slots of a mapped file (every byte written and summed)";
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        bytes = bytes(run);
        slots = (int) run.longParam("slots", 4);
        MemorySegment prepared = TensorRingScenario.preparedBatch(bytes);
        baseSum = TensorRingScenario.sum(prepared, bytes) - prepared.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)
                - prepared.get(ValueLayout.JAVA_LONG_UNALIGNED, bytes - Long.BYTES);
        file = MappedFile.create(run.file("slots"), slots * (HEADER + bytes));
        segment = plain(file.segment());
        for (int i = 0; i < slots; i++) {
            WORD.setRelease(segment, slotOffset(bytes, i), 2L * i);
        }
    }

    @Override
    void receive(int messages) {
        for (int i = 0; i < messages; i++) {
            long state = slotOffset(bytes, (int) (received % slots));
            long published = 2 * received + 1;
            while ((long) WORD.getAcquire(segment, state) != published) {
                watch.idle();
            }
            watch.progressed();
            check(state);
        }
    }

    private void check(long state) {
        long expected = received;
        MemorySegment data = segment.asSlice(state + HEADER, bytes);
        long sum = TensorRingScenario.sum(data, bytes);
        long first = data.get(ValueLayout.JAVA_LONG, 0);
        long last = data.get(ValueLayout.JAVA_LONG, bytes - Long.BYTES);
        WORD.setRelease(segment, state, 2 * (expected + slots));
        if (first != expected || last != expected) {
            throw Payload.mismatch(expected, first, last);
        }
        if (sum != baseSum + 2 * expected) {
            throw new IllegalStateException("batch " + expected + ": its words sum to " + sum + ", the batch sent to "
                    + (baseSum + 2 * expected));
        }
        received = expected + 1;
    }

    @Override
    int receiveAvailable() {
        long state = slotOffset(bytes, (int) (received % slots));
        if ((long) WORD.getAcquire(segment, state) != 2 * received + 1) {
            return 0;
        }
        check(state);
        return 1;
    }

    @Override
    Sender openSender(RunContext run) throws Exception {
        long slotBytes = bytes(run);
        int count = (int) run.longParam("slots", 4);
        MemorySegment prepared = TensorRingScenario.preparedBatch(slotBytes);
        MappedFile mapped = MappedFile.attach(run.file("slots"));
        MemorySegment shared = plain(mapped.segment());
        return new MappedSender(mapped) {
            @Override
            public void send(long sequence) {
                long state = slotOffset(slotBytes, (int) (sequence % count));
                while ((long) WORD.getAcquire(shared, state) != 2 * sequence) {
                    Thread.onSpinWait();
                }
                prepared.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, sequence);
                prepared.set(ValueLayout.JAVA_LONG_UNALIGNED, slotBytes - Long.BYTES, sequence);
                MemorySegment.copy(prepared, 0, shared, state + HEADER, slotBytes);
                WORD.setRelease(shared, state, 2 * sequence + 1);
            }
        };
    }
}
