/**
 * ipc-objects for DJL: zero-copy {@code NDArray} views of shared tensors (PyTorch engine, CPU)
 * ({@link io.ipcobjects.djl.SharedDjl}), plugged into core as a tensor binding.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // DJL 0.36 jars are automatic modules with stable names
module io.ipcobjects.djl {
    requires transitive io.ipcobjects.core;
    requires transitive ai.djl.api;
    requires ai.djl.pytorch_engine;

    exports io.ipcobjects.djl;

    provides io.ipcobjects.spi.TensorBinding with io.ipcobjects.djl.DjlTensorBinding;
}
