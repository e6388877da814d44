package io.ipcobjects.benchmarks.harness;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The frame of the one-way scenarios over a Unix domain socket ({@code java.nio},
 * {@link UnixDomainSocketAddress}): the parent listens on a socket file in {@code /dev/shm}
 * before the child starts, the child connects before it signals ready, the parent accepts on its
 * first receive. Both ends are blocking channels. The child ends its stream after its last message
 * ({@link Sender#finish}), so after the stop flag the parent reads to the end of the stream.
 */
abstract class SocketOneWayScenario extends OneWayScenario {

    private Path path;
    private ServerSocketChannel server;
    private SocketChannel socket;

    /** Parent, in {@link #setUp}: binds the listening socket of this run. */
    final void listen(RunContext run) throws IOException {
        path = run.file("sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    /** Parent: the connection from the child (accepted on the first call; the child connected before it was ready). */
    final SocketChannel accepted() throws IOException {
        if (socket == null) {
            socket = server.accept();
        }
        return socket;
    }

    /** Child: connects to the parent's socket. */
    static SocketChannel connect(RunContext run) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(run.file("sock")));
    }

    /**
     * Parent: reads one message, blocking until it is whole, checks it against {@link #received}
     * and advances it; false at the end of the stream.
     */
    abstract boolean readMessage() throws Exception;

    @Override
    void receive(int messages) throws Exception {
        for (int i = 0; i < messages; i++) {
            if (!readMessage()) {
                throw watch.streamEnded();
            }
        }
    }

    /** One message, read whole (the child always completes the one it is writing); 0 at the end of the stream. */
    @Override
    int receiveAvailable() throws Exception {
        return readMessage() ? 1 : 0;
    }

    @Override
    public void tearDown() {
        try {
            if (socket != null) {
                socket.close();
            }
            if (server != null) {
                server.close();
            }
            if (path != null) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("could not close or remove socket " + path + ": " + e);
        }
    }
}
