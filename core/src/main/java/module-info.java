/**
 * ipc-objects core: share objects and tensors between JVM processes through one memory-mapped
 * region. {@link io.ipcobjects.SharedMemory} is the entry point; {@link io.ipcobjects.spi}
 * is where tensor libraries plug in. Everything under {@code io.ipcobjects.internal} is not API.
 */
@SuppressWarnings("requires-automatic") // Agrona 2.x ships an Automatic-Module-Name, not a descriptor
module io.ipcobjects.core {
    requires org.agrona;
    requires jdk.jfr; // the library's Flight Recorder events (lock waits, takeovers, allocation failures)

    exports io.ipcobjects;
    exports io.ipcobjects.spi;

    uses io.ipcobjects.spi.TensorBinding;
}
