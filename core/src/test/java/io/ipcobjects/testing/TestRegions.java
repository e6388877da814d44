package io.ipcobjects.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Unique region names for tests, and cleanup: every name handed out has its file removed after
 * the test, so a run leaves nothing in {@code /dev/shm} even when a test fails midway.
 *
 * <pre>{@code
 * @RegisterExtension final TestRegions regions = new TestRegions();
 * String name = regions.newName();
 * }</pre>
 */
public final class TestRegions implements AfterEachCallback {

    private final List<Path> files = new ArrayList<>();

    /** A region name no other test uses; its default file is removed after the test. */
    public synchronized String newName() {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 13);
        files.add(Path.of("/dev/shm/ipcobjects-" + name));
        return name;
    }

    /** A file path under /dev/shm (not necessarily a region) that is removed after the test. */
    public synchronized Path newPath(String prefix) {
        Path path = Path.of("/dev/shm/" + prefix + "-" + UUID.randomUUID().toString().substring(0, 13));
        files.add(path);
        return path;
    }

    /** Marks an extra file for removal after the test. */
    public synchronized void removeAfter(Path path) {
        files.add(path);
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) throws IOException {
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
        files.clear();
    }
}
