package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The floor of a channel round trip, with no library: {@code byte[32]}-sized messages (a sequence
 * number at both ends) through two rings of 1024 entries of 128 bytes in a plain mapped file,
 * one each way, each entry led by a state word as in {@code raw-ring}. The parent puts a request
 * and waits for its reply; the child takes the request and puts it back as the reply. Figure: ns
 * per round trip, to set beside {@code agrona-ring:bytes=32} and {@code channel-roundtrip:bytes=32}
 * of the same run.
 *
 * <p>Parameters, the protocol's choices, the same on both sides:
 * <ul>
 *   <li>{@code claim}: {@code cas} (default; the channels' way: a put claims its entry with a CAS
 *       from free to being written; a take reads the state word until the entry is full, then
 *       claims it with a CAS to being read), {@code spin} (as {@code cas}, but a waiting take
 *       tries its CAS at once, again and again, instead of reading first) or {@code load} (no
 *       atomic instruction: each side waits for the state word with an acquire load, as a
 *       one-producer, one-consumer ring may);</li>
 *   <li>{@code free}: {@code before} (default; the child frees the request's entry before it
 *       puts the reply, as a channel's {@code poll} does before it returns) or {@code after} (it
 *       puts the reply first and frees the request's entry then, as Agrona's ring zeroes a read
 *       record only after its handler returned).</li>
 * </ul>
 *
 * <p>State word of the entry of position {@code p}: {@code 4p} free for {@code p},
 * {@code 4p + 1} being written, {@code 4p + 2} full, {@code 4p + 3} being read.
 *
 * <p>Check: every request and reply carries its number at both ends; both sides counted the same
 * round trips.
 */
final class RawRoundTripScenario implements Scenario {

    private static final VarHandle WORD = MappedOneWayScenario.WORD;
    private static final int CAPACITY = 1024;
    private static final long STRIDE = 128;
    private static final long RING_BYTES = CAPACITY * STRIDE;
    private static final long PAYLOAD = 16;
    private static final long LAST_WORD = PAYLOAD + 24;
    private static final int BATCH = 256;
    private static final int RESULT_ECHOES = 0;

    private enum Claim { CAS, SPIN, LOAD }

    private final ChildWatch watch = new ChildWatch("a reply from the child");
    private MappedFile file;
    private MemorySegment rings;
    private Claim claim;
    private boolean freeAfter;
    private long sent;

    private static Claim claim(RunContext run) {
        return switch (run.param("claim", "cas")) {
            case "cas" -> Claim.CAS;
            case "spin" -> Claim.SPIN;
            case "load" -> Claim.LOAD;
            default -> throw new IllegalArgumentException("claim must be cas, spin or load: " + run.spec());
        };
    }

    private static boolean freeAfter(RunContext run) {
        return switch (run.param("free", "before")) {
            case "before" -> false;
            case "after" -> true;
            default -> throw new IllegalArgumentException("free must be before or after: " + run.spec());
        };
    }

    @Override
    public String unit() {
        return "ns/round trip";
    }

    @Override
    public void childStarted(io.ipcobjects.childjvm.ChildJvm child) {
        watch.watch(child);
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        claim = claim(run);
        freeAfter = freeAfter(run);
        file = MappedFile.create(run.file("rings"), 2 * RING_BYTES);
        rings = MappedOneWayScenario.plain(file.segment());
        for (int ring = 0; ring < 2; ring++) {
            for (int i = 0; i < CAPACITY; i++) {
                WORD.setRelease(rings, ring * RING_BYTES + i * STRIDE, 4L * i);
            }
        }
    }

    private static long entry(int ring, long position) {
        return ring * RING_BYTES + (position & (CAPACITY - 1)) * STRIDE;
    }

    /** Claims {@code entry} in state {@code from} for {@code from + 1}: true once claimed, false if not there yet. */
    private static boolean tryClaim(MemorySegment rings, long entry, long from, Claim claim) {
        return switch (claim) {
            case LOAD -> (long) WORD.getAcquire(rings, entry) == from;
            case SPIN -> WORD.compareAndSet(rings, entry, from, from + 1);
            case CAS -> (long) WORD.getVolatile(rings, entry) == from && WORD.compareAndSet(rings, entry, from, from + 1);
        };
    }

    /** Puts {@code sequence} at position {@code sequence - 1} of ring {@code ring}. */
    private static void put(MemorySegment rings, int ring, long sequence, Claim claim) {
        long position = sequence - 1;
        long entry = entry(ring, position);
        // A put's entry is free unless the ring is full, which a round trip never makes it:
        // the put claims by CAS in both CAS modes, spinning only while the entry is not free.
        Claim putClaim = claim == Claim.LOAD ? Claim.LOAD : Claim.SPIN;
        while (!tryClaim(rings, entry, 4 * position, putClaim)) {
            Thread.onSpinWait();
        }
        rings.set(ValueLayout.JAVA_LONG, entry + PAYLOAD, sequence);
        rings.set(ValueLayout.JAVA_LONG, entry + PAYLOAD + 8, 0L);
        rings.set(ValueLayout.JAVA_LONG, entry + PAYLOAD + 16, 0L);
        rings.set(ValueLayout.JAVA_LONG, entry + LAST_WORD, sequence);
        WORD.setRelease(rings, entry, 4 * position + 2);
    }

    /** Takes position {@code sequence - 1} of ring {@code ring} if it is full: its sequence number, or 0. */
    private static long tryTake(MemorySegment rings, int ring, long sequence, Claim claim) {
        long position = sequence - 1;
        long entry = entry(ring, position);
        if (!tryClaim(rings, entry, 4 * position + 2, claim)) {
            return 0;
        }
        long first = rings.get(ValueLayout.JAVA_LONG, entry + PAYLOAD);
        long last = rings.get(ValueLayout.JAVA_LONG, entry + LAST_WORD);
        if (first != sequence || last != sequence) {
            throw Payload.mismatch(sequence, first, last);
        }
        return first;
    }

    private static void free(MemorySegment rings, int ring, long sequence) {
        long position = sequence - 1;
        WORD.setRelease(rings, entry(ring, position), 4 * (position + CAPACITY));
    }

    private void roundTrip(long sequence) {
        put(rings, 0, sequence, claim);
        while (tryTake(rings, 1, sequence, claim) == 0) {
            watch.idle();
        }
        watch.progressed();
        free(rings, 1, sequence);
    }

    @Override
    public double measureWindow(long windowNanos) {
        long start = System.nanoTime();
        long trips = 0;
        long elapsed;
        do {
            for (int i = 0; i < BATCH; i++) {
                roundTrip(++sent);
            }
            trips += BATCH;
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        return (double) elapsed / trips;
    }

    @Override
    public void runChild(RunContext run, ControlBlock control) throws Exception {
        Claim by = claim(run);
        boolean after = freeAfter(run);
        try (MappedFile mapped = MappedFile.attach(run.file("rings"))) {
            MemorySegment child = MappedOneWayScenario.plain(mapped.segment());
            long expected = 1;
            control.signalReady();
            while (true) {
                long request = tryTake(child, 0, expected, by);
                if (request != 0) {
                    if (!after) {
                        free(child, 0, request);
                    }
                    put(child, 1, request, by);
                    if (after) {
                        free(child, 0, request);
                    }
                    expected++;
                } else if (control.stopRequested()) {
                    break; // the parent waits for every reply before it asks to stop: nothing is in flight
                } else {
                    Thread.onSpinWait();
                }
            }
            control.putResult(RESULT_ECHOES, expected - 1);
        }
    }

    @Override
    public String verify(ControlBlock control) {
        long echoes = control.result(RESULT_ECHOES);
        if (echoes != sent) {
            throw new IllegalStateException("parent sent " + sent + " requests, child answered " + echoes);
        }
        return "ok: " + sent + " requests answered in order, every request and reply checked";
    }

    @Override
    public void tearDown() {
        if (file != null) {
            file.closeAndDelete();
        }
    }
}
