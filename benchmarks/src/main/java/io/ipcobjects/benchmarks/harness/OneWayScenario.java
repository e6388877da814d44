package io.ipcobjects.benchmarks.harness;

import io.ipcobjects.childjvm.ChildJvm;

import java.util.Locale;

/**
 * The frame of the one-way scenarios: the child sends numbered messages (0, 1, 2, ...) as fast as
 * its transport takes them, the parent receives them, checks that each carries the next number
 * (and whatever else its kind carries) and counts. The figure is the parent's receive rate: M
 * messages/s, or GiB/s for messages of {@value #LARGE_BYTES} bytes or more.
 *
 * <p>End of a run: after the last window the harness sets the stop flag and calls
 * {@link #afterStopRequested}, where the parent goes on receiving (and checking) until the child
 * has finished its last send and said so ({@link #RESULT_DONE}; the socket scenarios read to the
 * end of the stream instead). A child blocked on a full channel or socket thus always finishes.
 * {@link #verify} then compares the child's count with the parent's.
 *
 * <p>Subclasses give the transport: the parent's {@link #receive} and {@link #receiveAvailable},
 * the child's {@link #openSender}, and the message size.
 */
abstract class OneWayScenario implements Scenario {

    /** Result slot: messages the child sent. */
    static final int RESULT_SENT = 0;
    /** Result slot: 1 once the child's last send returned. */
    static final int RESULT_DONE = 1;
    /** From this message size on the figure is GiB/s. */
    static final long LARGE_BYTES = 64 * 1024;

    /** The parent's wait for messages; the harness hands it the child. */
    protected final ChildWatch watch = new ChildWatch("message from the child");
    /** Messages received and checked by the parent so far: the number the next one must carry. */
    protected long received;
    private long windowMessages;
    private long windowElapsed;

    /** The child's side of the transport: sends message {@code sequence}, waiting for room as the transport does. */
    interface Sender extends AutoCloseable {
        void send(long sequence) throws Exception;

        /** After the last send: push out what is buffered, close the stream. */
        default void finish() throws Exception {
        }

        @Override
        void close() throws Exception;
    }

    /** Bytes one message carries (its payload, for the GiB/s figure); 0 for messages of no fixed size. */
    abstract long messageBytes();

    /** What one message is, for the check line, e.g. {@code "Long messages through a channel"}. */
    abstract String describe();

    /** How many messages the parent receives between two clock reads. */
    int batch() {
        return messageBytes() >= LARGE_BYTES ? 4 : 256;
    }

    /**
     * Parent: receives exactly {@code messages} messages, waiting for them with {@link #watch},
     * checks each against {@link #received} and advances it.
     */
    abstract void receive(int messages) throws Exception;

    /** Parent: receives and checks what is there now, without waiting; how many (0: none there). */
    abstract int receiveAvailable() throws Exception;

    /** Child: attaches to what {@link #setUp} made and opens its sending side. */
    abstract Sender openSender(RunContext run) throws Exception;

    /** Parent, in {@link #verify} after the counts matched: anything left in the transport, as a failure message, or null. */
    String leftOver() throws Exception {
        return null;
    }

    @Override
    public String unit() {
        return messageBytes() >= LARGE_BYTES ? "GiB/s" : "M msg/s";
    }

    @Override
    public void childStarted(ChildJvm child) {
        watch.watch(child);
    }

    @Override
    public double measureWindow(long windowNanos) throws Exception {
        int batch = batch();
        long first = received;
        long start = System.nanoTime();
        long elapsed;
        do {
            receive(batch);
            elapsed = System.nanoTime() - start;
        } while (elapsed < windowNanos);
        windowMessages = received - first;
        windowElapsed = elapsed;
        return figure(windowMessages, elapsed);
    }

    private double figure(long messages, long nanos) {
        if (messageBytes() >= LARGE_BYTES) {
            return (double) messages * messageBytes() / nanos * 1e9 / (1L << 30);
        }
        return (double) messages / nanos * 1e3;
    }

    @Override
    public String windowDetail() {
        double perSecond = (double) windowMessages / windowElapsed * 1e9;
        return messageBytes() == 0 ? String.format(Locale.ROOT, "(%,.0f msg/s)", perSecond)
                : String.format(Locale.ROOT, "(%,.0f msg/s, %.1f MB/s)", perSecond, perSecond * messageBytes() / 1e6);
    }

    /** Parent: receives until the child said it is done, and then what it sent before saying so. */
    @Override
    public void afterStopRequested(ControlBlock control) throws Exception {
        while (true) {
            boolean done = control.result(RESULT_DONE) != 0; // read first: every send before it is then visible
            if (receiveAvailable() > 0) {
                watch.progressed();
            } else if (done) {
                return;
            } else {
                watch.idle();
            }
        }
    }

    @Override
    public final void runChild(RunContext run, ControlBlock control) throws Exception {
        try (Sender sender = openSender(run)) {
            control.signalReady();
            long sequence = 0;
            while (!control.stopRequested()) {
                sender.send(sequence);
                sequence++;
            }
            sender.finish();
            control.putResult(RESULT_SENT, sequence);
            control.putResult(RESULT_DONE, 1);
        }
    }

    @Override
    public String verify(ControlBlock control) throws Exception {
        long sent = control.result(RESULT_SENT);
        if (sent != received) {
            throw new IllegalStateException("the child sent " + sent + " messages, the parent received " + received);
        }
        String left = leftOver();
        if (left != null) {
            throw new IllegalStateException("all " + sent + " messages received, but " + left);
        }
        return "ok: " + received + " " + describe() + " received in order, every one checked";
    }
}
