/**
 * DJL (PyTorch engine, CPU) over shared memory:
 * {@link io.ipcobjects.djl.SharedDjl#view(io.ipcobjects.SharedTensor, ai.djl.ndarray.NDManager)
 * SharedDjl.view(tensor, manager)} gives an {@code NDArray} over the shared tensor's memory, with
 * no copy, attached to a manager the caller closes.
 *
 * <p>With this jar on the class path (or module {@code io.ipcobjects.djl} on the module path) the
 * binding also plugs into core: an {@code NDArray} put into a region is copied once into a tensor
 * marked as DJL's. Reading it back gives an {@code NDArray} view attached to the manager the
 * reading thread bound with {@link io.ipcobjects.djl.SharedDjl#bind SharedDjl.bind(manager)}, and
 * the plain {@code SharedTensor} outside such a scope: no array is ever held by anything
 * process-wide.
 *
 * <p>{@link io.ipcobjects.djl.SharedDataset} is a DJL {@code RandomAccessDataset} over shared
 * tensors for {@code Trainer} and {@code EasyTrain.fit}: batches of consecutive samples are
 * zero-copy views, shuffled batches are gathered with one copy each.
 *
 * <p>Runs offline from Maven Central jars ({@code pytorch-native-cpu}, classifier
 * {@code linux-x86_64}, and {@code pytorch-jni}) with {@code -Dai.djl.offline=true}; JDK 25 wants
 * {@code --enable-native-access=ALL-UNNAMED}.
 */
package io.ipcobjects.djl;
