package io.ipcobjects.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.testing.TestRegions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The launcher script and the shaded jar, as users run them ({@code inspector/ipc-inspect}),
 * against a region whose lock this JVM holds while the tool, another JVM, reads it.
 */
class IpcInspectScriptIT {

    private static final Path SCRIPT = Path.of("ipc-inspect").toAbsolutePath();

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    record Run(int exitCode, String out, String err) {
        String describe() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
        }
    }

    @Test
    void theScriptFindsAJdkAndShowsARegionWhoseLockThisJvmHolds() throws Exception {
        Path region = regions.newPath("ipcobjects-script");
        try (SharedMemory shm = SharedMemory.create(region, 1 << 20, SharedMemoryOptions.defaults())) {
            try (Access a = shm.acquire()) {
                a.put("weights", new float[256]);
                a.putMessage(1L);
                // Held while the tool runs: it must not wait for the lock, nor take it.
                Run show = run(Map.of(), "show", "--json", region.toString());
                assertEquals(0, show.exitCode(), show.describe());
                JsonNode report = new ObjectMapper().readTree(show.out());
                assertEquals(ProcessHandle.current().pid(), report.get("lock").get("owner").get("pid").asLong());
                assertTrue(report.get("lock").get("owner").get("alive").asBoolean());
                assertEquals(1, report.get("processes").size(), "the tool took no process-table slot");
                assertEquals("[256]", report.get("names").get(0).get("shape").toString());

                // JAVA_HOME naming a JDK older than 25 (or nothing usable): the newest under /usr/lib/jvm is taken.
                Run fallback = run(Map.of("JAVA_HOME", "/nonexistent-jdk"), "verify", region.toString());
                assertEquals(0, fallback.exitCode(), fallback.describe());
                assertTrue(fallback.out().contains("result    consistent"), fallback.describe());
            }
        }
        Run missing = run(Map.of(), "show", region.toString());
        assertEquals(3, missing.exitCode(), missing.describe());
        assertTrue(missing.err().contains("no region file at " + region), missing.describe());
        Run usage = run(Map.of(), "show", "--no-such-option", region.toString());
        assertEquals(2, usage.exitCode(), usage.describe());
    }

    private static Run run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ipc-inspect " + String.join(" ", args) + " did not finish within 120 s");
        }
        return new Run(process.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output lost: " + e + ")";
        }
    }
}
