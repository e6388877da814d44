package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.IncompatibleRegionException;
import io.ipcobjects.RegionExistsException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Region files are opened without following links or blocking, and judged by the descriptor
 * that is then used: what is not a regular file is refused at once, what another user could
 * have written is refused unless the options say otherwise, and a creator removes only its own
 * file.
 */
class RegionFileSafetyTest {

    private static final SharedMemoryOptions DEFAULTS = SharedMemoryOptions.defaults();
    /** Long enough that a refusal by timeout, not by judgement, would show. */
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** Runs {@code call}, which must throw {@code type} within a second (not after a timeout, not never). */
    private static <T extends Throwable> T refusedAtOnce(Class<T> type, Executable call) {
        long start = System.nanoTime();
        T e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(type, call));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "refused only after " + millis + " ms: " + e.getMessage());
        return e;
    }

    private static void refusedByCreateAndAttach(Path path, String what) {
        IncompatibleRegionException attach = refusedAtOnce(IncompatibleRegionException.class,
                () -> SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS));
        assertTrue(attach.getMessage().contains(what), attach.getMessage());
        IncompatibleRegionException create = refusedAtOnce(IncompatibleRegionException.class,
                () -> SharedMemory.create(path, 1 << 20, DEFAULTS));
        assertTrue(create.getMessage().contains(what), create.getMessage());
    }

    // ---- not a regular file ----

    @Test
    void aFifoIsRefusedAtOnce() throws Exception {
        Path fifo = regions.newPath("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        refusedByCreateAndAttach(fifo, "a FIFO");
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther(),
                "the FIFO is still there, untouched");
    }

    @Test
    void aDirectoryIsRefusedAtOnce() throws IOException {
        Path directory = regions.newPath("directory");
        Files.createDirectory(directory);
        refusedByCreateAndAttach(directory, "a directory");
        assertTrue(Files.isDirectory(directory));
    }

    @Test
    void aSocketIsRefusedAtOnce() throws IOException {
        Path socket = regions.newPath("socket");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            refusedByCreateAndAttach(socket, "a socket");
        }
    }

    @Test
    void aDeviceIsRefusedAtOnce() {
        // Attach only: nothing here may ever try to replace /dev/null.
        IncompatibleRegionException e = refusedAtOnce(IncompatibleRegionException.class,
                () -> SharedMemory.attach(Path.of("/dev/null"), ATTACH_TIMEOUT, DEFAULTS));
        assertTrue(e.getMessage().contains("a character device"), e.getMessage());
    }

    @Test
    void aSymbolicLinkIsNeitherFollowedNorReplaced() throws IOException {
        Path target = regions.newPath("target");
        Path link = regions.newPath("link");
        try (SharedMemory region = SharedMemory.create(target, 1 << 20, DEFAULTS)) {
            Files.createSymbolicLink(link, target);
            refusedByCreateAndAttach(link, "a symbolic link");
            assertTrue(Files.isSymbolicLink(link));
            try (SharedMemory consumer = SharedMemory.attach(target, ATTACH_TIMEOUT, DEFAULTS)) {
                assertEquals(1, region.consumerCount(), "the region behind the link is untouched");
            }
        }
        // A dangling link: create must not make the file it points to.
        Path nowhere = regions.newPath("nowhere");
        Path dangling = regions.newPath("dangling");
        Files.createSymbolicLink(dangling, nowhere);
        refusedByCreateAndAttach(dangling, "a symbolic link");
        assertFalse(Files.exists(nowhere));
    }

    // ---- a file another user could have written ----

    @Test
    void aRegionWithAWiderModeIsAttachedOnlyWhenTheOptionsAllowIt() {
        Path path = regions.newPath("wide");
        SharedMemoryOptions everybody = DEFAULTS.withPermissions(PosixFilePermissions.fromString("rw-rw-rw-"));
        try (SharedMemory region = SharedMemory.create(path, 1 << 20, everybody)) {
            IncompatibleRegionException e = refusedAtOnce(IncompatibleRegionException.class,
                    () -> SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS));
            assertTrue(e.getMessage().contains("mode 0666") && e.getMessage().contains("withPermissions"), e.getMessage());
            try (SharedMemory consumer = SharedMemory.attach(path, ATTACH_TIMEOUT, everybody)) {
                assertEquals(1, region.consumerCount());
            }
        }
    }

    @Test
    void aRegionOfAnotherOwnerIsAttachedOnlyWhenTheOptionsAllowIt() throws IOException {
        Path path = regions.newPath("foreign");
        try (SharedMemory region = SharedMemory.create(path, 1 << 20, DEFAULTS)) {
            try {
                Files.setAttribute(path, "unix:uid", 65534); // nobody
            } catch (IOException e) {
                System.out.println("skipped: cannot give the file to another owner (not root?): " + e);
                Assumptions.abort("cannot chown: " + e);
            }
            IncompatibleRegionException e = refusedAtOnce(IncompatibleRegionException.class,
                    () -> SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS));
            assertTrue(e.getMessage().contains("uid 65534") && e.getMessage().contains("withAllowForeignOwner"), e.getMessage());
            try (SharedMemory consumer = SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS.withAllowForeignOwner(true))) {
                assertEquals(1, region.consumerCount());
            }
            // Another user's 0666 file needs both words.
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThrows(IncompatibleRegionException.class,
                    () -> SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS.withAllowForeignOwner(true)));
        }
    }

    // ---- what create replaces and what close removes ----

    @Test
    void aCreatorsCloseLeavesAFileThatReplacedItsOwn() {
        Path path = regions.newPath("replaced");
        SharedMemory first = SharedMemory.create(path, 1 << 20, DEFAULTS);
        try {
            assertDoesNotThrow(() -> Files.delete(path)); // removed by hand, as an operator might
            try (SharedMemory second = SharedMemory.create(path, 1 << 20, DEFAULTS)) {
                first.close();
                assertTrue(Files.exists(path), "the first creator's close must not remove the second's file");
                try (SharedMemory consumer = SharedMemory.attach(path, ATTACH_TIMEOUT, DEFAULTS)) {
                    assertEquals(1, second.consumerCount());
                }
            }
            assertFalse(Files.exists(path), "the second creator's close removes its own file");
        } finally {
            first.close();
        }
    }

    @Test
    void createRefusesALiveRegionOfThisJvmAndLeavesNoTemporaryFile() throws IOException {
        Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "ipcobjects-safety");
        Path path = directory.resolve("region");
        try (SharedMemory region = SharedMemory.create(path, 1 << 20, DEFAULTS)) {
            RegionExistsException e = assertThrows(RegionExistsException.class,
                    () -> SharedMemory.create(path, 1 << 20, DEFAULTS));
            assertTrue(e.getMessage().contains("is alive"), e.getMessage());
            assertEquals(List.of("region"), names(directory), "no temporary file is left behind");
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(directory);
        }
    }

    @Test
    void createRemovesTheTemporaryFileOfAKilledCreatorButNotThatOfALiveOne() throws IOException {
        Path directory = Files.createTempDirectory(Path.of("/dev/shm"), "ipcobjects-safety");
        Path path = directory.resolve("region");
        Path abandoned = directory.resolve(".region.new-00000000000000aa"); // as a creator killed in posix_fallocate leaves it
        Path building = directory.resolve(".region.new-00000000000000bb"); // a live creator's, presence lock held
        Path otherRegions = directory.resolve(".other.new-00000000000000cc");
        Files.write(abandoned, new byte[64 << 10]);
        Files.write(building, new byte[64 << 10]);
        Files.write(otherRegions, new byte[64 << 10]);
        int builder = NativeFiles.open(building, NativeFiles.O_REGION, 0);
        try {
            assertTrue(NativeFiles.tryLock(builder, FileLockLayout.PRESENCE_BYTE, false));
            try (SharedMemory region = SharedMemory.create(path, 1 << 20, DEFAULTS)) {
                assertEquals(List.of(".other.new-00000000000000cc", ".region.new-00000000000000bb", "region"), names(directory));
            }
        } finally {
            NativeFiles.close(builder);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(directory);
        }
    }

    @Test
    void aStaleRegionIsReplacedUnlessSwitchedOffAndANonRegionNever() throws IOException {
        Path path = regions.newPath("stale");
        Files.copy(staleRegion(), path);
        RegionExistsException off = assertThrows(RegionExistsException.class,
                () -> SharedMemory.create(path, 1 << 20, DEFAULTS.withReplaceStaleRegion(false)));
        assertTrue(off.getMessage().contains("switched off"), off.getMessage());
        try (SharedMemory region = SharedMemory.create(path, 1 << 20, DEFAULTS)) {
            region.verify();
        }

        Files.write(path, new byte[64 << 10]);
        RegionExistsException notRegion = assertThrows(RegionExistsException.class,
                () -> SharedMemory.create(path, 1 << 20, DEFAULTS));
        assertTrue(notRegion.getMessage().contains("not a live region"), notRegion.getMessage());
    }

    /** A copy of a live region's file: a region nobody is attached to, as a killed creator leaves it. */
    private Path staleRegion() throws IOException {
        Path source = regions.newPath("source");
        Path copy = regions.newPath("stale-copy");
        try (SharedMemory region = SharedMemory.create(source, 1 << 20, DEFAULTS)) {
            Files.copy(source, copy);
        }
        return copy;
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
