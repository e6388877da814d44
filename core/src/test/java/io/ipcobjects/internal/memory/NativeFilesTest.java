package io.ipcobjects.internal.memory;

import static org.junit.jupiter.api.Assertions.*;

import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The native calls behave as the liveness protocol assumes, checked on real descriptors. */
class NativeFilesTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @Test
    void structLayoutsHaveTheirCSizes() {
        assertEquals(32, NativeFiles.FLOCK.byteSize());
        assertEquals(256, NativeFiles.STATX.byteSize());
        assertEquals(8, NativeFiles.FLOCK.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("l_start")));
        assertEquals(24, NativeFiles.FLOCK.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("l_pid")));
        assertEquals(0x28, NativeFiles.STATX.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("stx_size")));
        assertEquals(0x88, NativeFiles.STATX.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("stx_dev_major")));
    }

    @Test
    void ofdLocksBelongToTheDescriptionNotTheProcess() throws IOException {
        Path file = regions.newPath("locks");
        Files.write(file, new byte[16]);
        int a = NativeFiles.open(file, NativeFiles.O_REGION, 0);
        int b = NativeFiles.open(file, NativeFiles.O_REGION, 0);
        assertTrue(a >= 0 && b >= 0);
        try {
            assertTrue(NativeFiles.tryLock(a, 5, true));
            assertFalse(NativeFiles.tryLock(b, 5, true), "two descriptions of one process conflict");
            assertTrue(NativeFiles.lockedElsewhere(b, 5));
            assertFalse(NativeFiles.lockedElsewhere(a, 5), "a description's own lock does not count");
            assertFalse(NativeFiles.lockedElsewhere(b, 6), "one byte only");

            // Closing another descriptor of the file drops nothing (a POSIX lock would be gone now).
            try (FileChannel other = FileChannel.open(file, StandardOpenOption.READ)) {
                other.size();
            }
            assertTrue(NativeFiles.lockedElsewhere(b, 5));

            assertTrue(NativeFiles.tryLock(a, 0, false));
            assertTrue(NativeFiles.tryLock(b, 0, false), "shared locks share");
            NativeFiles.unlock(b, 0);
            assertFalse(NativeFiles.tryLock(b, 0, true), "a shared holder keeps the exclusive lock out");

            NativeFiles.close(a);
            a = -1;
            assertFalse(NativeFiles.lockedElsewhere(b, 5), "closing the descriptor drops its locks");
            assertTrue(NativeFiles.tryLock(b, 0, true));
        } finally {
            if (a >= 0) {
                NativeFiles.close(a);
            }
            NativeFiles.close(b);
        }
    }

    @Test
    void statusOfADescriptorAndOfItsPathAgree() throws IOException {
        Path file = regions.newPath("status");
        Files.write(file, new byte[1234]);
        int fd = NativeFiles.open(file, NativeFiles.O_REGION, 0);
        try {
            NativeFiles.FileStatus opened = NativeFiles.status(fd);
            NativeFiles.FileStatus named = NativeFiles.statusOfPath(file);
            assertTrue(opened.isRegularFile());
            assertEquals(1234, opened.size());
            assertTrue(opened.sameFileAs(named));
            assertEquals(((Number) Files.getAttribute(file, "unix:ino")).longValue(), opened.inode());
            assertEquals(((Number) Files.getAttribute(file, "unix:uid")).intValue(), opened.uid());
            assertEquals(NativeFiles.effectiveUid(), opened.uid());
            assertNull(NativeFiles.statusOfPath(file.resolveSibling("missing-" + file.getFileName())));
        } finally {
            NativeFiles.close(fd);
        }
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws IOException {
        Path target = regions.newPath("target");
        Path link = regions.newPath("link");
        Files.write(target, new byte[8]);
        Files.createSymbolicLink(link, target);
        assertEquals(-NativeFiles.ELOOP, NativeFiles.open(link, NativeFiles.O_REGION, 0));
        assertEquals("a symbolic link", NativeFiles.statusOfPath(link).typeName());
    }
}
