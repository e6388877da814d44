/**
 * ipc-objects for ND4J: zero-copy {@code INDArray} views of shared tensors
 * ({@link io.ipcobjects.nd4j.SharedNd4j}), plugged into core as a tensor binding.
 */
module io.ipcobjects.nd4j {
    requires transitive io.ipcobjects.core;
    requires transitive nd4j.api;
    requires org.bytedeco.javacpp;

    exports io.ipcobjects.nd4j;

    provides io.ipcobjects.spi.TensorBinding with io.ipcobjects.nd4j.Nd4jTensorBinding;
}
