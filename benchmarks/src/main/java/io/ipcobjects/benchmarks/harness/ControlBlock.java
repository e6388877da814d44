package io.ipcobjects.benchmarks.harness;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The harness's own channel between parent and child, kept apart from what is measured: a mapped
 * file with a ready flag (child to parent), a stop flag (parent to child) and result slots the
 * child fills before it exits. Each flag has its own cache line, so the child's poll of the stop
 * flag hits its own cache until the parent writes it once at the end.
 *
 * <pre>
 *   offset   0  ready     child sets 1 (release) once it has attached
 *   offset  64  stop      parent sets 1 (release) after the last window
 *   offset 128  results   RESULT_SLOTS longs, written by the child before it exits
 * </pre>
 */
public final class ControlBlock implements AutoCloseable {

    public static final int RESULT_SLOTS = 16;
    private static final long READY_OFFSET = 0;
    private static final long STOP_OFFSET = 64;
    private static final long RESULTS_OFFSET = 128;
    private static final long BYTES = 4096;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MappedFile file;
    private final MemorySegment segment;

    private ControlBlock(MappedFile file) {
        this.file = file;
        this.segment = file.segment();
    }

    static ControlBlock create(Path path) throws IOException {
        return new ControlBlock(MappedFile.create(path, BYTES));
    }

    static ControlBlock attach(Path path) throws IOException {
        return new ControlBlock(MappedFile.attach(path));
    }

    /** Child: its side is set up; the parent may start measuring. */
    public void signalReady() {
        LONG.setRelease(segment, READY_OFFSET, 1L);
    }

    boolean isReady() {
        return (long) LONG.getAcquire(segment, READY_OFFSET) == 1L;
    }

    void requestStop() {
        LONG.setRelease(segment, STOP_OFFSET, 1L);
    }

    /** Child: whether to finish. Cheap enough to poll in a spin loop. */
    public boolean stopRequested() {
        return (long) LONG.getAcquire(segment, STOP_OFFSET) == 1L;
    }

    /** Child: leaves a number for the parent's {@link Scenario#verify}. */
    public void putResult(int slot, long value) {
        LONG.setRelease(segment, RESULTS_OFFSET + checkSlot(slot) * 8L, value);
    }

    /** Parent: a number the child left (0 if none). */
    public long result(int slot) {
        return (long) LONG.getAcquire(segment, RESULTS_OFFSET + checkSlot(slot) * 8L);
    }

    private static int checkSlot(int slot) {
        if (slot < 0 || slot >= RESULT_SLOTS) {
            throw new IndexOutOfBoundsException("result slot " + slot + " of " + RESULT_SLOTS);
        }
        return slot;
    }

    @Override
    public void close() {
        file.close();
    }

    void closeAndDelete() {
        file.closeAndDelete();
    }
}
