package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.RegionDoesNotFitException;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.Namespaces;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A region's pages are reserved when it is created, so a file system without room (a
 * container's small {@code /dev/shm}) fails {@code create} at once with a message that says what
 * to do, and leaves no file; and a file that shrank later is noticed.
 */
class RegionSpaceTest {

    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void aRegionTooLargeForA8MiBTmpfsFailsClearlyAndOneThatFitsWorks() throws IOException {
        Path directory = Files.createTempDirectory("ipcobjects-small-shm");
        try {
            List<String> wrapper = Namespaces.smallTmpfs(directory, "8m");
            Namespaces.assumeAvailable(wrapper);
            try (ChildJvm child = ChildJvm.startWrapped(wrapper, List.of(), InSmallDirectory.class, directory.toString())) {
                ChildJvm.Result result = child.await(CHILD_TIMEOUT);
                assertEquals(0, result.exitCode(), result.describe());
                assertEquals(Long.toString(8L << 20), result.value("total"), "the child sees the 8 MiB tmpfs: " + result.describe());

                assertEquals("RegionDoesNotFitException", result.value("big"), result.describe());
                assertEquals(Long.toString(64L << 20), result.value("required"));
                long usable = Long.parseLong(result.value("usable"));
                assertTrue(usable > 0 && usable <= 8L << 20, "usable bytes " + usable);
                String message = result.value("message");
                System.out.println("a 64 MiB region in an 8 MiB tmpfs: " + message);
                for (String part : List.of(Long.toString(64L << 20), Long.toString(usable), "--shm-size", "emptyDir",
                        "sizeLimit", "withDirectory", directory.toString())) {
                    assertTrue(message.contains(part), "the message names " + part + ": " + message);
                }
                assertEquals("", result.value("filesAfterBig"), "a region that did not fit leaves no file");

                assertEquals("hello", result.value("small"), result.describe());
                assertEquals("ipcobjects-small", result.value("filesWhileOpen"));
                assertEquals("RegionDoesNotFitException", result.value("second"),
                        "the first region's 4 MiB are reserved, not sparse: " + result.describe());
                assertEquals("", result.value("filesAfterSmall"), result.describe());
            }
        } finally {
            Files.deleteIfExists(directory);
        }
    }

    /** args: a directory with a small tmpfs on it. Prints what creating regions there did. */
    public static final class InSmallDirectory {
        public static void main(String[] args) throws IOException {
            Path directory = Path.of(args[0]);
            SharedMemoryOptions options = SharedMemoryOptions.defaults().withDirectory(directory);
            System.out.println("total=" + Files.getFileStore(directory).getTotalSpace());
            try (SharedMemory shm = SharedMemory.create("big", 64L << 20, options)) {
                System.out.println("big=created " + shm.size());
            } catch (RegionDoesNotFitException e) {
                System.out.println("big=" + e.getClass().getSimpleName());
                System.out.println("required=" + e.requiredBytes());
                System.out.println("usable=" + e.usableBytes());
                System.out.println("message=" + e.getMessage());
            }
            System.out.println("filesAfterBig=" + files(directory));
            try (SharedMemory shm = SharedMemory.create("small", 4L << 20, options);
                 SharedMemory consumer = SharedMemory.attach("small", Duration.ofSeconds(5), options)) {
                shm.put("greeting", "hello");
                System.out.println("small=" + consumer.get("greeting"));
                System.out.println("filesWhileOpen=" + files(directory));
                try (SharedMemory second = SharedMemory.create("second", 6L << 20, options)) {
                    System.out.println("second=created " + second.size());
                } catch (RegionDoesNotFitException e) {
                    System.out.println("second=" + e.getClass().getSimpleName());
                }
            }
            System.out.println("filesAfterSmall=" + files(directory));
        }

        private static String files(Path directory) throws IOException {
            try (Stream<Path> files = Files.list(directory)) {
                return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.joining(","));
            }
        }
    }

    @Test
    void aFileThatShrankIsNoticedThroughItsDescriptor() throws IOException {
        Path path = regions.newPath("shrinking");
        OpenRegion file = RegionFile.create(path, 1 << 20, SharedMemoryOptions.defaults());
        try {
            assertEquals(1 << 20, file.currentFileSize());
            assertTrue(file.fileIntact());
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(64 << 10);
            }
            assertEquals(64 << 10, file.currentFileSize());
            assertFalse(file.fileIntact(), "a file shorter than the mapping is not intact");
        } finally {
            file.removeFileIfStillNamed();
            file.close();
        }
        assertFalse(Files.exists(path));
    }
}
