package io.ipcobjects.loader;

import io.ipcobjects.SharedMemory;
import io.ipcobjects.TensorSpec;

import java.util.List;
import java.util.Map;

/**
 * What a {@link BatchSource} learns about its worker when it is opened.
 *
 * @param worker      the worker's index, from 0 (a replacement keeps the index of the worker it replaces)
 * @param workers     how many workers the loader runs
 * @param sampleCount samples in the dataset (indices {@code 0 ... sampleCount - 1})
 * @param batchSize   samples in a full batch
 * @param shuffle     whether the loader shuffles the samples each epoch
 * @param seed        the loader's seed
 * @param parts       the dtype and shape of each tensor of a full batch, the batch along axis 0
 * @param args        the arguments given to {@link DataLoader.Builder#sourceArg}
 * @param region      the worker's handle of the loader's region (to read a dataset published in it, say)
 */
public record WorkerContext(int worker, int workers, long sampleCount, int batchSize, boolean shuffle, long seed,
                            List<TensorSpec> parts,
                            Map<String, String> args, SharedMemory region) {

    /** Copies the lists. */
    public WorkerContext {
        parts = List.copyOf(parts);
        args = Map.copyOf(args);
    }

    /**
     * The argument {@code key}.
     *
     * @param key a key given to {@link DataLoader.Builder#sourceArg}
     * @return its value
     * @throws IllegalArgumentException if the loader was given no such argument
     */
    public String arg(String key) {
        String value = args.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no source argument '" + key + "'; the loader gave " + args.keySet());
        }
        return value;
    }

    /**
     * The argument {@code key}, or {@code fallback} if the loader was given none.
     *
     * @param key      a key
     * @param fallback the value to use without one
     * @return the value
     */
    public String arg(String key, String fallback) {
        return args.getOrDefault(key, fallback);
    }
}
