package io.ipcobjects.benchmarks.tensor;

import io.ipcobjects.SharedMemory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Regions and plain tmpfs mappings for the tensor benchmarks, named per process so runs never collide. */
final class BenchRegions {
    private BenchRegions() {
    }

    private static int counter;

    static synchronized String newName(String what) {
        return "bench-tensor-" + what + "-" + ProcessHandle.current().pid() + "-" + (counter++);
    }

    /** A region with room for {@code payloadBytes} of tensors. */
    static SharedMemory region(String what, long payloadBytes) {
        return SharedMemory.create(newName(what), payloadBytes + payloadBytes / 8 + (16L << 20));
    }

    /** A fresh, sparse file in /dev/shm mapped read-write: the baseline for fresh tmpfs pages. */
    static MemorySegment freshTmpfsMapping(Path file, long bytes, Arena arena) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
            return raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses "1KiB", "64MiB", "1GiB". */
    static long bytes(String size) {
        long unit = size.endsWith("GiB") ? 1L << 30 : size.endsWith("MiB") ? 1L << 20 : size.endsWith("KiB") ? 1L << 10 : 1;
        String digits = size.replaceAll("[^0-9]", "");
        return Long.parseLong(digits) * unit;
    }
}
