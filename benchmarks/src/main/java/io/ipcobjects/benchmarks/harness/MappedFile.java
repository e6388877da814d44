package io.ipcobjects.benchmarks.harness;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A small file mapped read-write into this process through FFM, for scenarios and the control
 * block that share memory without a region: the same kind of mapping a region uses, with none of
 * its protocol, so baselines measure the hardware and not the library.
 */
public final class MappedFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /** Creates a zero-filled file of {@code bytes} (it must not exist yet) and maps it. */
    public static MappedFile create(Path path, long bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            channel.truncate(bytes);
            channel.write(java.nio.ByteBuffer.allocate(1), bytes - 1); // sets the size; tmpfs keeps it sparse
            return map(path, channel, bytes);
        }
    }

    /** Maps an existing file whole. */
    public static MappedFile attach(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return map(path, channel, channel.size());
        }
    }

    private static MappedFile map(Path path, FileChannel channel, long bytes) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return new MappedFile(path, arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public MemorySegment segment() {
        return segment;
    }

    public Path path() {
        return path;
    }

    /** Unmaps; the file stays (see {@link #closeAndDelete()}). */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** Unmaps and removes the file: for the side that created it. */
    public void closeAndDelete() {
        try {
            close();
        } finally {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                System.err.println("could not remove " + path + ": " + e);
            }
        }
    }
}
