package io.ipcobjects.benchmarks.harness;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The peers of {@code channel-oneway:msg=record}: the same {@link Msg} records one way over a Unix
 * domain socket, through buffered streams of {@code buffer} bytes (default 65536) on both sides.
 * Figure: M messages/s.
 *
 * <p>{@code codec=oos} (default): {@code ObjectOutputStream.writeObject} in the child,
 * {@code ObjectInputStream.readObject} in the parent, with {@code reset()} every {@code reset}
 * messages (default 1024; 0: never). Without a reset the stream keeps a handle to every object
 * it wrote and the child's heap grows without end; a reset per message (each message on its own,
 * as the channel sends it) would write the class descriptors again every time: every 1024
 * messages is the favourable setting for the stream.
 *
 * <p>{@code codec=data}: a hand-written encoding through {@code DataOutputStream} /
 * {@code DataInputStream} (id, score, name and tags as modified UTF-8), what a socket can do with
 * no general serialization at all.
 *
 * <p>Both buffer up to {@code buffer} bytes before a write reaches the socket, so many messages
 * go per system call: the stream at its best for throughput. Every record is checked.
 */
final class UdsObjectsScenario extends SocketOneWayScenario {

    private String codec;
    private int buffer;
    private ObjectInputStream objects;
    private DataInputStream data;

    private static String codec(RunContext run) {
        String codec = run.param("codec", "oos");
        if (!codec.equals("oos") && !codec.equals("data")) {
            throw new IllegalArgumentException("codec must be oos or data: " + run.spec());
        }
        return codec;
    }

    @Override
    long messageBytes() {
        return 0;
    }

    @Override
    String describe() {
        return "Msg records through a Unix domain socket (" + (codec.equals("oos") ? "ObjectOutputStream" : "DataOutputStream")
                + ")";
    }

    @Override
    public void setUp(RunContext run) throws Exception {
        codec = codec(run);
        buffer = (int) run.longParam("buffer", 64 * 1024);
        listen(run);
    }

    @Override
    boolean readMessage() throws Exception {
        Msg message;
        try {
            if (codec.equals("oos")) {
                if (objects == null) {
                    objects = new ObjectInputStream(new BufferedInputStream(Channels.newInputStream(accepted()), buffer));
                }
                message = (Msg) objects.readObject();
            } else {
                if (data == null) {
                    data = new DataInputStream(new BufferedInputStream(Channels.newInputStream(accepted()), buffer));
                }
                long id = data.readLong();
                double score = data.readDouble();
                String name = data.readUTF();
                String[] tags = new String[data.readUnsignedByte()];
                for (int i = 0; i < tags.length; i++) {
                    tags[i] = data.readUTF();
                }
                message = new Msg(name, List.of(tags), score, id);
            }
        } catch (EOFException e) {
            return false;
        }
        message.check(received);
        received++;
        return true;
    }

    @Override
    Sender openSender(RunContext run) throws Exception {
        String childCodec = codec(run);
        int bufferBytes = (int) run.longParam("buffer", 64 * 1024);
        long reset = run.longParam("reset", 1024);
        SocketChannel socket = connect(run);
        BufferedOutputStream stream = new BufferedOutputStream(Channels.newOutputStream(socket), bufferBytes);
        if (childCodec.equals("oos")) {
            ObjectOutputStream out = new ObjectOutputStream(stream);
            out.flush(); // the stream header, which the parent's ObjectInputStream reads first
            return new Sender() {
                private long sinceReset;

                @Override
                public void send(long sequence) throws Exception {
                    out.writeObject(Msg.of(sequence));
                    if (reset > 0 && ++sinceReset == reset) {
                        out.reset();
                        sinceReset = 0;
                    }
                }

                @Override
                public void finish() throws Exception {
                    out.flush();
                    socket.shutdownOutput();
                }

                @Override
                public void close() throws Exception {
                    socket.close();
                }
            };
        }
        DataOutputStream out = new DataOutputStream(stream);
        return new Sender() {
            @Override
            public void send(long sequence) throws Exception {
                Msg message = Msg.of(sequence);
                out.writeLong(message.id());
                out.writeDouble(message.score());
                out.writeUTF(message.name());
                out.writeByte(message.tags().size());
                for (String tag : message.tags()) {
                    out.writeUTF(tag);
                }
            }

            @Override
            public void finish() throws Exception {
                out.flush();
                socket.shutdownOutput();
            }

            @Override
            public void close() throws Exception {
                socket.close();
            }
        };
    }
}
