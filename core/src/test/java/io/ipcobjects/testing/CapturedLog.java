package io.ipcobjects.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures, for each test, every line the library logs (its {@link System.Logger}, named
 * {@code io.ipcobjects}, reached through {@code java.util.logging}, the JDK's default backend).
 *
 * <pre>{@code
 * @RegisterExtension final CapturedLog log = new CapturedLog();
 * assertEquals(1, log.records().size());
 * }</pre>
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

    /** Held strongly: {@code java.util.logging} keeps only weak references to its loggers. */
    private final Logger julLogger = Logger.getLogger("io.ipcobjects");
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level levelBefore;

    @Override
    public void beforeEach(ExtensionContext context) {
        levelBefore = julLogger.getLevel();
        julLogger.setLevel(Level.ALL);
        capture.setLevel(Level.ALL);
        julLogger.addHandler(capture);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        julLogger.removeHandler(capture);
        julLogger.setLevel(levelBefore);
        synchronized (records) {
            records.clear();
        }
    }

    /** A copy of the lines captured so far in this test, oldest first. */
    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }
}
