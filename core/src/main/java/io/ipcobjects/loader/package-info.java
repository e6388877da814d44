/**
 * Worker processes that make batches for a trainer: {@link io.ipcobjects.loader.DataLoader}
 * starts worker JVMs running the user's {@link io.ipcobjects.loader.BatchSource}, which write
 * whole batches into a {@link io.ipcobjects.TensorRing}; the trainer takes them as zero-copy
 * {@link io.ipcobjects.loader.LoaderBatch}es. The DJL and ND4J bindings adapt a loader to a DJL
 * {@code Dataset} and a DL4J {@code DataSetIterator}.
 */
package io.ipcobjects.loader;
