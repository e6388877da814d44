/**
 * ND4J over shared memory: {@link io.ipcobjects.nd4j.SharedNd4j#view SharedNd4j.view(tensor)}
 * gives an {@code INDArray} whose buffer is the shared tensor's memory, with no copy, so an
 * in-place op in one process ({@code addi}, {@code muli}) is seen by every process viewing the
 * tensor.
 *
 * <p>With this jar on the class path the binding also plugs into core (through
 * {@code META-INF/services/io.ipcobjects.spi.TensorBinding}): an {@code INDArray} put into a
 * region ({@code putMessage}, {@code put(name, array)}, an element of a shared container) is
 * copied once into a tensor marked as ND4J's, and reading it back in any process gives an
 * {@code INDArray} view. ND4J views need no scope: they live while they are reachable and keep
 * the region's mapping alive until then.
 *
 * <p>{@link io.ipcobjects.nd4j.SharedDataSetIterator} is a DL4J {@code DataSetIterator} over a
 * features and a labels tensor in shared memory, for {@code MultiLayerNetwork.fit} and
 * {@code ComputationGraph.fit}: sequential batches are views, shuffled ones one gathered copy each.
 *
 * <p>JVM flags on JDK 25: {@code --enable-native-access=ALL-UNNAMED} and
 * {@code --sun-misc-unsafe-memory-access=allow} (JavaCPP); the native jars are
 * {@code nd4j-native} and {@code openblas} with classifier {@code linux-x86_64}.
 */
package io.ipcobjects.nd4j;
