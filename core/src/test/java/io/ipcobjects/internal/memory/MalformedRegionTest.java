package io.ipcobjects.internal.memory;

import static io.ipcobjects.internal.memory.RegionHeaderLayout.*;
import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Attach checks what it reads: each malformed file gives an IncompatibleRegionException that says which. */
class MalformedRegionTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static final Duration SHORT = Duration.ofMillis(300);

    /** A real region's bytes, copied to a plain file the test can damage (the region itself is closed). */
    private Path copyOfValidRegion() throws IOException {
        Path source = regions.newPath("source");
        Path copy = regions.newPath("copy");
        SharedMemory shm = SharedMemory.create(source, 1 << 20, SharedMemoryOptions.defaults());
        Files.copy(source, copy);
        // The copy's creator is this live process; the handle is closed only after copying.
        shm.close();
        return copy;
    }

    /** The mode a region file must have to be attached with default options (no wider than rw-------). */
    private static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static void patch(Path file, long offset, ByteBuffer bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(bytes, offset);
        }
    }

    private static ByteBuffer intBytes(int value, ByteOrder order) {
        return ByteBuffer.allocate(4).order(order).putInt(0, value);
    }

    private static IncompatibleRegionException attachFails(Path file) {
        return assertThrows(IncompatibleRegionException.class,
                () -> SharedMemory.attach(file, SHORT, SharedMemoryOptions.defaults()));
    }

    @Test
    void theCopyOfAValidRegionAttaches() throws IOException {
        Path copy = copyOfValidRegion();
        try (SharedMemory shm = SharedMemory.attach(copy, SHORT, SharedMemoryOptions.defaults())) {
            shm.verify();
        }
    }

    @Test
    void aFileThatIsNotARegion() throws IOException {
        Path file = regions.newPath("random");
        byte[] junk = new byte[64 << 10];
        new Random(1).nextBytes(junk);
        Files.write(file, junk);
        ownerOnly(file);
        IncompatibleRegionException e = attachFails(file);
        assertTrue(e.getMessage().contains("not an ipc-objects region"), e.getMessage());
    }

    @Test
    void anEmptyFileIsTakenForAnInitializingCreatorUntilTheTimeout() throws IOException {
        Path file = regions.newPath("empty");
        Files.createFile(file);
        ownerOnly(file);
        IncompatibleRegionException e = attachFails(file);
        assertTrue(e.getMessage().contains("after waiting"), e.getMessage());
        assertTrue(e.getMessage().contains("no header yet"), e.getMessage());
    }

    @Test
    void anotherLayoutVersion() throws IOException {
        Path copy = copyOfValidRegion();
        patch(copy, LAYOUT_VERSION_OFFSET, intBytes(LAYOUT_VERSION + 1, ByteOrder.nativeOrder()));
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("layout version " + (LAYOUT_VERSION + 1)), e.getMessage());
    }

    @Test
    void anotherByteOrderMark() throws IOException {
        Path copy = copyOfValidRegion();
        patch(copy, BYTE_ORDER_OFFSET, intBytes(Integer.reverseBytes(BYTE_ORDER_MARK), ByteOrder.nativeOrder()));
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("other byte order"), e.getMessage());
    }

    @Test
    void aRegionWrittenInTheOtherByteOrder() throws IOException {
        Path copy = copyOfValidRegion();
        ByteBuffer swappedMagic = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, Long.reverseBytes(MAGIC));
        patch(copy, MAGIC_OFFSET, swappedMagic);
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("other byte order"), e.getMessage());
    }

    @Test
    void aSizeThatDisagreesWithTheFile() throws IOException {
        Path copy = copyOfValidRegion();
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            file.setLength(file.length() + 4096);
        }
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("size mismatch"), e.getMessage());
    }

    @Test
    void aTruncatedFile() throws IOException {
        Path copy = copyOfValidRegion();
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aFileCutInsideItsHeader() throws IOException {
        Path copy = copyOfValidRegion();
        try (RandomAccessFile file = new RandomAccessFile(copy.toFile(), "rw")) {
            file.setLength(100);
        }
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void anUnknownState() throws IOException {
        Path copy = copyOfValidRegion();
        patch(copy, STATE_OFFSET, intBytes(99, ByteOrder.nativeOrder()));
        IncompatibleRegionException e = attachFails(copy);
        assertTrue(e.getMessage().contains("unknown state 99"), e.getMessage());
    }

    @Test
    void corruptedHeapBoundsAreRefused() throws IOException {
        Path copy = copyOfValidRegion();
        ByteBuffer huge = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, Long.MAX_VALUE - 7);
        patch(copy, io.ipcobjects.internal.alloc.AllocatorLayout.HEAP_END_OFFSET, huge);
        assertThrows(io.ipcobjects.CorruptedRegionException.class,
                () -> SharedMemory.attach(copy, SHORT, SharedMemoryOptions.defaults()));
    }
}
