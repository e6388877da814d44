package io.ipcobjects.djl;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.loader.BatchSource;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The loader tests' source: sample {@code i} is a point of one of two Gaussian blobs in
 * {@value #FEATURES} dimensions (class 0 around -1, class 1 around +1), drawn from a generator
 * seeded with {@code i}; features as part 0 ([4] FLOAT32), the class as part 1 (FLOAT32 scalar).
 */
public final class BlobsSource implements BatchSource {
    static final int FEATURES = 4;

    /** Writes sample {@code index}'s features into {@code features} and returns its class. */
    static int sample(long index, float[] features) {
        SplittableRandom random = new SplittableRandom(index * 31 + 5);
        int label = random.nextInt(2);
        for (int f = 0; f < features.length; f++) {
            double gaussian = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            features[f] = (float) (gaussian * 0.7 + (label == 0 ? -1 : 1));
        }
        return label;
    }

    @Override
    public void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) {
        SharedTensor x = tensors.get(0);
        SharedTensor y = tensors.get(1);
        float[] features = new float[FEATURES];
        for (int row = 0; row < samples.length; row++) {
            int label = sample(samples[row], features);
            x.copyFrom(features, 0, (long) row * FEATURES, FEATURES);
            y.setFloat(label, row);
        }
    }
}
