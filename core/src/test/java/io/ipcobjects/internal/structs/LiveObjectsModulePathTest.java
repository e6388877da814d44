package io.ipcobjects.internal.structs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.testing.TestRegions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live objects on the module path: a user module that exports its package to
 * {@code io.ipcobjects.core} gets its interface implemented; a package it does not export is
 * refused with the line to add. The module is compiled here and run in a child JVM with core
 * (its compiled classes, a named module) and Agrona on the module path.
 */
class LiveObjectsModulePathTest {

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    @TempDir
    Path work;

    private static final String MODULE_INFO = """
            module demo.hr {
                requires io.ipcobjects.core;
                exports demo.hr to io.ipcobjects.core;
            }
            """;

    private static final String EMPLOYEE = """
            package demo.hr;
            public interface Employee {
                int years();
                void years(int years);
                default void increaseYearsOfEmployment() { years(years() + 1); }
            }
            """;

    private static final String SECRET = """
            package demo.hr.internal;
            public interface Secret {
                int value();
            }
            """;

    private static final String MAIN = """
            package demo.hr;
            import io.ipcobjects.SharedMemory;
            import io.ipcobjects.UnsupportedTypeException;
            public final class Main {
                public static void main(String[] args) {
                    try (SharedMemory shm = SharedMemory.create(args[0], 1 << 20)) {
                        Employee e = shm.newObject(Employee.class);
                        e.years(41);
                        e.increaseYearsOfEmployment();
                        shm.put("emp", e);
                        Employee again = shm.get("emp");
                        System.out.println("years=" + again.years());
                        System.out.println("module=" + Employee.class.getModule().getName());
                        try {
                            shm.newObject(demo.hr.internal.Secret.class);
                            System.out.println("secret=made");
                        } catch (UnsupportedTypeException refused) {
                            System.out.println("secret=" + refused.getMessage());
                        }
                    }
                }
            }
            """;

    @Test
    void aModuleThatExportsItsPackageToCoreGetsItsInterfaceImplemented() throws Exception {
        Path src = work.resolve("src");
        write(src.resolve("module-info.java"), MODULE_INFO);
        write(src.resolve("demo/hr/Employee.java"), EMPLOYEE);
        write(src.resolve("demo/hr/Main.java"), MAIN);
        write(src.resolve("demo/hr/internal/Secret.java"), SECRET);
        Path out = work.resolve("out");
        String modulePath = location(ObjectType.class) + java.io.File.pathSeparator + location(org.agrona.BitUtil.class);

        ToolProvider javac = ToolProvider.findFirst("javac").orElse(null);
        assertNotNull(javac, "a JDK compiler");
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath, "-d", out.toString()));
        try (var files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> args.add(p.toString()));
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        java.io.PrintStream printer = new java.io.PrintStream(errors, true, StandardCharsets.UTF_8);
        int compiled = javac.run(printer, printer, args.toArray(new String[0]));
        assertEquals(0, compiled, "the user module compiles: " + errors.toString(StandardCharsets.UTF_8));

        String name = regions.newName();
        Process child = new ProcessBuilder(ChildJvm.javaBinary(), "--enable-native-access=io.ipcobjects.core",
                "--module-path", modulePath + java.io.File.pathSeparator + out, "-m", "demo.hr/demo.hr.Main", name)
                .redirectErrorStream(true).start();
        try {
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child finished");
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), output);
            assertTrue(output.contains("years=42"), output);
            assertTrue(output.contains("module=demo.hr"), "the type was in a named module: " + output);
            assertTrue(output.contains("secret=") && output.contains("not exported to io.ipcobjects.core")
                    && output.contains("exports demo.hr.internal to io.ipcobjects.core;"), output);
        } finally {
            child.destroyForcibly();
        }
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
