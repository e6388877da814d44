package io.ipcobjects.loader;

import io.ipcobjects.SharedTensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The loader tests' batch source. Part 0 (INT64, one per sample) gets the sample index; part 1
 * (FLOAT32, {@value #FEATURES} per sample) gets {@code sample + j / 4}. Arguments: {@code log}, a
 * file each fill appends {@code worker pid epoch batch} to; {@code delayMs}, a sleep per batch;
 * {@code haltAt} ({@code epoch:batch}), where the worker that fills it halts itself with exit code 9, once (the
 * file {@code haltMarker} says it did); {@code failAt} ({@code epoch:batch}), where fill throws.
 */
public final class RecordingSource implements BatchSource {
    static final int FEATURES = 4;

    private WorkerContext context;
    private Path log;
    private long delayMs;
    private String haltAt;
    private Path haltMarker;
    private String failAt;

    @Override
    public void open(WorkerContext context) {
        this.context = context;
        this.log = Path.of(context.arg("log"));
        this.delayMs = Long.parseLong(context.arg("delayMs", "0"));
        this.haltAt = context.arg("haltAt", null);
        this.haltMarker = haltAt == null ? null : Path.of(context.arg("haltMarker"));
        this.failAt = context.arg("failAt", null);
        System.out.println("worker " + context.worker() + " of " + context.workers() + " open, " + context.sampleCount()
                + " samples, parts " + context.parts());
    }

    @Override
    public void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) throws Exception {
        SharedTensor ids = tensors.get(0);
        SharedTensor features = tensors.get(1);
        if (ids.shape(0) != samples.length || features.shape(0) != samples.length) {
            throw new IllegalStateException("batch of " + samples.length + " samples in tensors of " + ids.shape(0) + " rows");
        }
        String where = epoch + ":" + batch;
        if (haltAt != null && haltAt.equals(where) && !Files.exists(haltMarker)) {
            Files.createFile(haltMarker);
            ids.setLong(-1, 0); // a half-written batch, never published
            Runtime.getRuntime().halt(9);
        }
        if (failAt != null && failAt.equals(where)) {
            throw new IllegalArgumentException("failing on purpose at " + where);
        }
        for (int row = 0; row < samples.length; row++) {
            ids.setLong(samples[row], row);
            for (int j = 0; j < FEATURES; j++) {
                features.setFloat(samples[row] + j / 4f, row, j);
            }
        }
        if (delayMs > 0) {
            Thread.sleep(delayMs);
        }
        Files.writeString(log, context.worker() + " " + ProcessHandle.current().pid() + " " + where + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void close() throws IOException {
        System.out.println("worker " + context.worker() + " closed");
    }
}
