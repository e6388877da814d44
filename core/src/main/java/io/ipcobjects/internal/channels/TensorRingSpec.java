package io.ipcobjects.internal.channels;

import io.ipcobjects.TensorSpec;
import java.util.List;

/** A tensor ring to create: how many slots, and one tensor per spec in each. */
record TensorRingSpec(int slots, List<TensorSpec> specs) {

    static void check(int slots, List<TensorSpec> specs) {
        if (slots < 1 || slots > TensorRingLayout.MAX_SLOTS) {
            throw new IllegalArgumentException("tensor ring slot count " + slots + " is not from 1 to " + TensorRingLayout.MAX_SLOTS);
        }
        if (specs.isEmpty() || specs.size() > TensorRingLayout.MAX_PARTS) {
            throw new IllegalArgumentException("a tensor ring slot holds 1 to " + TensorRingLayout.MAX_PARTS + " tensors, not "
                    + specs.size());
        }
        for (TensorSpec spec : specs) {
            if (spec.shape().length > TensorRingLayout.MAX_RANK) {
                throw new IllegalArgumentException("tensor ring spec " + spec + " has rank above " + TensorRingLayout.MAX_RANK);
            }
        }
    }
}
