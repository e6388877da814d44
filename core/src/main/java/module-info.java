/**
 * ipc-objects core: share objects and tensors between JVM processes through one memory-mapped
 * region. {@link io.ipcobjects.SharedMemory} is the entry point; {@link io.ipcobjects.spi}
 * is where tensor libraries plug in; {@link io.ipcobjects.loader} runs worker JVMs that make
 * training batches. Everything under {@code io.ipcobjects.internal} is not API.
 */
@SuppressWarnings("requires-automatic") // Agrona 2.x ships an Automatic-Module-Name, not a descriptor
module io.ipcobjects.core {
    requires org.agrona;
    requires java.management; // the loader gives its worker JVMs this JVM's native-access and binding flags
    requires jdk.jfr; // the library's Flight Recorder events (lock waits, takeovers, allocation failures)

    exports io.ipcobjects;
    exports io.ipcobjects.spi;
    exports io.ipcobjects.loader;

    uses io.ipcobjects.spi.TensorBinding;
}
