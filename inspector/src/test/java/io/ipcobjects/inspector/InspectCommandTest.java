package io.ipcobjects.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipcobjects.Access;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedMemoryOptions;
import io.ipcobjects.childjvm.ChildJvm;
import io.ipcobjects.internal.inspect.InspectorChildren;
import io.ipcobjects.internal.memory.RegionHeaderLayout;
import io.ipcobjects.testing.ReadySignal;
import io.ipcobjects.testing.TestRegions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * {@code ipc-inspect} run in this JVM against a region another JVM holds, against regions this
 * JVM made, and against bad input: output, JSON that parses, and the documented exit codes.
 */
class InspectCommandTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestRegions regions = new TestRegions();

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }

        String describe() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = InspectCommand.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int exit = line.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void showsVerifiesAndWatchesARegionAnotherJvmHoldsLocked() throws Exception {
        Path region = regions.newPath("ipcobjects-cli");
        Path ready = regions.newPath("cli-ready");
        Path go = regions.newPath("cli-go");
        try (ChildJvm creator = ChildJvm.start(InspectorChildren.Populate.class, region.toString(), ready.toString(),
                go.toString())) {
            ReadySignal.await(ready, WAIT, creator);

            Run show = run("show", "--json", region.toString());
            assertEquals(InspectCommand.OK, show.exitCode(), show.describe());
            JsonNode report = show.json();
            assertEquals("READY", report.get("state").asText());
            assertTrue(report.get("damage").isNull());
            assertEquals(1, report.get("processes").size());
            JsonNode process = report.get("processes").get(0);
            assertEquals(creator.pid(), process.get("pid").asLong());
            assertEquals("ALIVE", process.get("liveness").asText());
            assertEquals(3, process.get("stats").get("messagesPut").asLong(), process.toString());
            assertTrue(process.get("stats").get("lockAcquisitions").asLong() >= 2, process.toString());
            assertEquals(creator.pid(), report.get("lock").get("owner").get("pid").asLong());
            assertTrue(report.get("lock").get("owner").get("alive").asBoolean());
            assertEquals(3, report.get("messages").asLong());
            JsonNode weights = named(report, "weights");
            assertEquals("FLOAT32", weights.get("dtype").asText());
            assertEquals("[1000]", weights.get("shape").toString());
            assertEquals(4000, weights.get("bytes").asLong());
            assertEquals("[4,3,2]", named(report, "batch").get("shape").toString());
            assertEquals(0, report.get("notes").size());

            Run text = run("show", region.toString());
            assertEquals(InspectCommand.OK, text.exitCode(), text.describe());
            assertTrue(text.out().contains("held by pid " + creator.pid() + " (slot 0, alive)"), text.out());
            assertTrue(text.out().contains("3 waiting"), text.out());
            assertTrue(text.out().contains("[4, 3, 2]"), text.out());

            Run verify = run("verify", region.toString());
            assertEquals(InspectCommand.OK, verify.exitCode(), verify.describe());
            assertTrue(verify.out().contains("without the lock"), verify.out());
            assertTrue(verify.out().contains("result    consistent"), verify.out());
            Run verifyJson = run("verify", "--json", region.toString());
            assertTrue(verifyJson.json().get("consistent").asBoolean(), verifyJson.describe());
            assertTrue(verifyJson.json().get("withoutLock").asBoolean());

            Run watch = run("watch", "--json", "--count", "3", "--interval", "1", region.toString());
            assertEquals(InspectCommand.OK, watch.exitCode(), watch.describe());
            List<String> lines = watch.out().lines().toList();
            assertEquals(3, lines.size(), watch.out());
            for (String line : lines) {
                assertEquals(creator.pid(), JSON.readTree(line).get("lock").get("owner").get("pid").asLong());
            }
            Run watchText = run("watch", "-n", "2", "-i", "1", region.toString());
            assertEquals(InspectCommand.OK, watchText.exitCode(), watchText.describe());
            assertEquals(2, watchText.out().lines().filter(l -> l.startsWith("---- ")).count(), watchText.out());

            ReadySignal.signal(go);
            creator.awaitSuccess(WAIT);
        }
    }

    @Test
    void listFindsRegionsAndSkipsOtherFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a-notes.txt"), "not a region");
        Files.createFile(dir.resolve("b-empty"));
        Files.createDirectory(dir.resolve("c-directory"));
        try (SharedMemory shm = SharedMemory.create(dir.resolve("d-region"), 1 << 20, SharedMemoryOptions.defaults())) {
            try (Access a = shm.acquire()) {
                a.put("weights", new float[16]);
                a.putMessage(1L);
            }
            Run list = run("list", "--json", dir.toString());
            assertEquals(InspectCommand.OK, list.exitCode(), list.describe());
            JsonNode regions = list.json();
            assertEquals(1, regions.size(), list.out());
            JsonNode line = regions.get(0);
            assertEquals(dir.resolve("d-region").toString(), line.get("path").asText());
            assertEquals("READY", line.get("state").asText());
            assertEquals(1, line.get("processesAlive").asLong());
            assertEquals(1, line.get("messages").asLong());
            assertEquals(1, line.get("names").asLong());

            Run text = run("list", dir.toString());
            assertEquals(InspectCommand.OK, text.exitCode(), text.describe());
            assertTrue(text.out().startsWith("1 region in " + dir), text.out());
            assertTrue(text.out().contains("d-region"), text.out());
            assertFalse(text.out().contains("a-notes.txt"), text.out());
        }
        Run none = run("list", dir.toString());
        assertTrue(none.out().startsWith("0 regions in"), none.describe());
    }

    @Test
    void aCorruptedRegionFailsVerifyWithExitCode1(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("copy");
        Path original = regions.newPath("ipcobjects-cli-source");
        try (SharedMemory shm = SharedMemory.create(original, 1 << 20, SharedMemoryOptions.defaults())) {
            try (Access a = shm.acquire()) {
                a.put("weights", new float[16]);
            }
            Files.copy(original, copy);
        }
        assertEquals(InspectCommand.OK, run("verify", copy.toString()).exitCode());
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, 0), RegionHeaderLayout.HEAP_START);
        }
        Run verify = run("verify", copy.toString());
        assertEquals(InspectCommand.INCONSISTENT, verify.exitCode(), verify.describe());
        assertTrue(verify.out().contains("result    inconsistent"), verify.out());
        Run show = run("show", "--json", copy.toString());
        assertEquals(InspectCommand.OK, show.exitCode(), show.describe());
        assertTrue(show.json().get("heap").isNull());
        assertTrue(show.json().get("notes").get(0).asText().contains("heap walk stopped"), show.out());
    }

    @Test
    void badInputGivesAMessageAndTheDocumentedExitCode(@TempDir Path dir) throws IOException {
        Run missing = run("show", dir.resolve("nothing").toString());
        assertEquals(InspectCommand.UNREADABLE, missing.exitCode(), missing.describe());
        assertTrue(missing.err().contains("no region file at"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace: " + missing.err());

        Path text = Files.writeString(dir.resolve("notes.txt"), "hello, this is not a region file");
        Run notRegion = run("verify", text.toString());
        assertEquals(InspectCommand.UNREADABLE, notRegion.exitCode(), notRegion.describe());
        assertTrue(notRegion.err().contains("not an ipc-objects region"), notRegion.err());

        Run notDirectory = run("list", text.toString());
        assertEquals(InspectCommand.UNREADABLE, notDirectory.exitCode(), notDirectory.describe());
        assertTrue(notDirectory.err().contains("not a directory"), notDirectory.err());

        assertEquals(InspectCommand.USAGE, run("show").exitCode());
        assertEquals(InspectCommand.USAGE, run("frobnicate").exitCode());
        Run interval = run("watch", "--interval", "0", text.toString());
        assertEquals(InspectCommand.USAGE, interval.exitCode(), interval.describe());
        assertTrue(interval.err().contains("--interval must be at least 1"), interval.err());

        Run help = run("--help");
        assertEquals(InspectCommand.OK, help.exitCode());
        List<String> expected = new ArrayList<>(List.of("list", "show", "verify", "watch", "Exit codes"));
        for (String word : expected) {
            assertTrue(help.out().contains(word), help.out());
        }
    }

    private static JsonNode named(JsonNode report, String name) {
        for (JsonNode node : report.get("names")) {
            if (node.get("name").asText().equals(name)) {
                return node;
            }
        }
        throw new AssertionError("no name " + name + " in " + report.get("names"));
    }
}
