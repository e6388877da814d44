package io.ipcobjects.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The module descriptor is the one list of what is public: it exports the API and the SPI,
 * nothing internal, to everyone; reads Agrona; and uses the tensor-binding SPI. (Tests run on the
 * class path; the jar tool of JDK 25 checks the descriptor against the jar's packages when core
 * is packaged.)
 */
class ModuleDescriptorTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    private static ModuleDescriptor descriptor() throws IOException {
        Path classes;
        try {
            classes = Path.of(SharedMemory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path file = Files.isDirectory(classes) ? classes.resolve("module-info.class") : null;
        if (file == null || !Files.exists(file)) {
            throw new IllegalStateException("no module-info.class next to the compiled API at " + classes);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsOnlyTheApiTheSpiAndTheLoaderToEveryone() throws IOException {
        ModuleDescriptor module = descriptor();
        assertEquals("io.ipcobjects.core", module.name());
        assertEquals(Set.of("io.ipcobjects", "io.ipcobjects.spi", "io.ipcobjects.loader"),
                module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(module.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), "no qualified exports");
        assertTrue(module.opens().isEmpty(), "nothing opened: " + module.opens());
        assertTrue(module.packages().stream().filter(p -> !p.equals("io.ipcobjects") && !p.equals("io.ipcobjects.spi") && !p.equals("io.ipcobjects.loader"))
                .allMatch(p -> p.startsWith("io.ipcobjects.internal.")), "every other package is internal: " + module.packages());
    }

    @Test
    void onTheModulePathTheApiWorksWithoutFlagsAndInternalsAreClosed() throws Exception {
        Path classes = Path.of(SharedMemory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path agrona = Path.of(org.agrona.BitUtil.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (ChildJvm child = ChildJvm.start(List.of("--module-path", classes + java.io.File.pathSeparator + agrona,
                "--add-modules", "io.ipcobjects.core"), ModularUser.class, regions.newName())) {
            ChildJvm.Result r = child.awaitSuccess(Duration.ofSeconds(60));
            assertEquals("io.ipcobjects.core", r.value("module"), r.describe());
            assertEquals("42", r.value("message"), r.describe());
            assertEquals("refused", r.value("internal"), r.describe());
        }
    }

    /** A user on the class path of a JVM that loaded core as a named module. */
    public static final class ModularUser {
        public static void main(String[] args) throws Exception {
            try (SharedMemory shm = SharedMemory.create(args[0], 1L << 20)) {
                System.out.println("module=" + SharedMemory.class.getModule().getName());
                shm.putMessage(42L);
                System.out.println("message=" + shm.takeMessage(Long.class));
            }
            Class<?> internal = Class.forName("io.ipcobjects.internal.codec.ValueSlots");
            try {
                internal.getMethod("isShortString", String.class).invoke(null, "x");
                System.out.println("internal=reachable");
            } catch (IllegalAccessException expected) {
                System.out.println("internal=refused");
            }
        }
    }

    @Test
    void readsAgronaAndUsesTheTensorBindingSpi() throws IOException {
        ModuleDescriptor module = descriptor();
        assertTrue(module.requires().stream().anyMatch(r -> r.name().equals("org.agrona")), module.requires().toString());
        assertEquals(Set.of("io.ipcobjects.spi.TensorBinding"), module.uses());
    }
}
