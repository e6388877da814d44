package io.ipcobjects.benchmarks.harness;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A one-way scenario whose transport lives in a plain mapped file, with no library: the parent
 * creates the file in {@code setUp} and deletes it in {@link #tearDown}, the child attaches to it
 * and unmaps it when its {@link MappedSender} closes.
 */
abstract class MappedOneWayScenario extends OneWayScenario {

    /** An aligned 8-byte word of the file, for state words read and written with explicit ordering. */
    static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();

    /** The parent's mapping of the transport's file, or null before {@code setUp} made it. */
    protected MappedFile file;
    /** The parent's {@link #plain} view of {@link #file}, for scenarios that use one. */
    protected MemorySegment segment;

    /**
     * The mapping as a plain native segment over the same addresses (as the region maps its
     * file), so that accesses run the same code paths as the library's.
     */
    static MemorySegment plain(MemorySegment mapped) {
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize());
    }

    /** The child's sender over its own mapping of the file, which closing it unmaps. */
    abstract static class MappedSender implements Sender {
        private final MappedFile mapped;

        MappedSender(MappedFile mapped) {
            this.mapped = mapped;
        }

        @Override
        public final void close() {
            mapped.close();
        }
    }

    @Override
    public final void tearDown() {
        if (file != null) {
            file.closeAndDelete();
        }
    }
}
