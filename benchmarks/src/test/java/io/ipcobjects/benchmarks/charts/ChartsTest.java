package io.ipcobjects.benchmarks.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draws the charts from small result files of one real run (a harness {@code --json} file and a
 * JMH {@code -rf json} file, in {@code src/test/resources/charts}) and checks that every PNG is
 * there and decodes at the chart size. No figure is checked.
 */
class ChartsTest {

    @TempDir
    Path dir;

    private Path fixture(String name) throws IOException {
        try (InputStream in = ChartsTest.class.getResourceAsStream("/charts/" + name)) {
            assertNotNull(in, name);
            Path file = dir.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void drawsEveryChartAsADecodablePngOfTheChartSize() throws IOException {
        Path out = dir.resolve("png");
        List<Path> written = Charts.draw(fixture("harness-fixture.json"), fixture("jmh-fixture.json"), out);

        List<String> expected = List.of("roundtrip-latency.png", "two-process-medians.png", "lock-acquire-release.png",
                "tensor-copy-bandwidth.png");
        assertEquals(expected, written.stream().map(p -> p.getFileName().toString()).toList());
        for (String name : expected) {
            Path png = out.resolve(name);
            assertTrue(Files.size(png) > 0, name);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, name + " does not decode");
            assertEquals(Charts.WIDTH, image.getWidth(), name);
            assertEquals(Charts.HEIGHT, image.getHeight(), name);
        }
    }

    @Test
    void skipsChartsWhoseFiguresAreMissing() throws IOException {
        Path emptyJmh = dir.resolve("empty-jmh.json");
        Files.writeString(emptyJmh, "[]");
        assertEquals(List.of(), Charts.draw(null, emptyJmh, dir.resolve("png")));
    }

    @Test
    void readsJmhSizeParameters() {
        assertEquals(1024, Charts.bytes("1KiB"));
        assertEquals(16L << 20, Charts.bytes("16MiB"));
        assertEquals(1L << 30, Charts.bytes("1GiB"));
        assertEquals(512, Charts.bytes("512"));
    }
}
