package io.ipcobjects.benchmarks.harness;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;

/**
 * The peer of {@code channel-oneway:msg=bytes} for large messages: the same bytes one way over a
 * Unix domain socket. The child writes messages of {@code bytes} bytes (default 1 MiB) from one
 * direct buffer, the sequence number at both ends ({@link Payload}'s layout); the parent reads
 * each whole into one direct buffer and checks both ends. Direct buffers on both sides are the
 * socket at its best: no copy between the Java heap and the kernel's buffers beyond the socket's
 * own. Figure: GiB/s (M messages/s below 64 KiB).
 */
final class UdsOneWayScenario extends SocketOneWayScenario {

    private int length;
    private ByteBuffer in;

    private static int length(RunContext run) {
        int length = (int) run.longParam("bytes", 1 << 20);
        if (length < Long.BYTES) {
            throw new IllegalArgumentException("bytes must be at least 8: " + length);
        }
        return length;
    }

    @Override
    long messageBytes() {
        return length;
    }

    @Override
    String describe() {
        return length + "-byte messages through a Unix domain socket";
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        length = length(run);
        in = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
        listen(run);
    }

    @Override
    boolean readMessage() throws Exception {
        SocketChannel socket = accepted();
        in.clear();
        while (in.hasRemaining()) {
            if (socket.read(in) < 0) {
                if (in.position() == 0) {
                    return false;
                }
                IllegalStateException ended = watch.streamEnded(); // fails with the child's output if it died
                throw new IllegalStateException("the stream ended inside message " + received, ended);
            }
        }
        long expected = received;
        long first = in.getLong(0);
        long last = length >= 2 * Long.BYTES ? in.getLong(length - Long.BYTES) : first;
        if (first != expected || last != expected) {
            throw Payload.mismatch(expected, first, last);
        }
        received = expected + 1;
        return true;
    }

    @Override
    Sender openSender(RunContext run) throws Exception {
        int messageLength = length(run);
        ByteBuffer out = ByteBuffer.allocateDirect(messageLength).order(ByteOrder.LITTLE_ENDIAN);
        out.put(Payload.newMessage(messageLength));
        SocketChannel socket = connect(run);
        return new Sender() {
            @Override
            public void send(long sequence) throws Exception {
                out.putLong(0, sequence);
                if (messageLength >= 2 * Long.BYTES) {
                    out.putLong(messageLength - Long.BYTES, sequence);
                }
                out.clear();
                while (out.hasRemaining()) {
                    socket.write(out);
                }
            }

            @Override
            public void finish() throws Exception {
                socket.shutdownOutput();
            }

            @Override
            public void close() throws Exception {
                socket.close();
            }
        };
    }
}
