package io.ipcobjects.nd4j;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.loader.BatchSource;

import java.util.List;
import java.util.SplittableRandom;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loader tests' source: sample {@code i} is {@link ClassificationData}'s kind of sample drawn
 * from a generator seeded with {@code i} (so any JVM makes the same one), features as part 0
 * ([4] FLOAT32) and the one-hot class as part 1 ([3] FLOAT32).
 */
public final class ClassificationSource implements BatchSource {
    private static final float[][] WEIGHTS = {
            {1.0f, -0.5f, 0.2f},
            {-0.7f, 1.0f, 0.1f},
            {0.3f, 0.4f, -1.0f},
            {0.5f, -0.8f, 0.9f}};

    /** Writes sample {@code index}'s features into {@code features} and returns its class. */
    static int sample(long index, float[] features) {
        SplittableRandom random = new SplittableRandom(index * 0x9E37_79B9L + 17);
        for (int f = 0; f < features.length; f++) {
            features[f] = (float) (random.nextDouble() * 2 - 1);
        }
        int best = 0;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < ClassificationData.CLASSES; c++) {
            float score = 0;
            for (int f = 0; f < features.length; f++) {
                score += features[f] * WEIGHTS[f][c];
            }
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }

    /** Samples {@code 0 ... n-1} in one on-heap DataSet, to score a network on. */
    static DataSet all(int n) {
        float[][] x = new float[n][ClassificationData.FEATURES];
        float[][] y = new float[n][ClassificationData.CLASSES];
        for (int i = 0; i < n; i++) {
            y[i][sample(i, x[i])] = 1f;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    @Override
    public void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) {
        SharedTensor x = tensors.get(0);
        SharedTensor y = tensors.get(1);
        float[] features = new float[ClassificationData.FEATURES];
        for (int row = 0; row < samples.length; row++) {
            int label = sample(samples[row], features);
            x.copyFrom(features, 0, (long) row * features.length, features.length);
            for (int c = 0; c < ClassificationData.CLASSES; c++) {
                y.setFloat(c == label ? 1f : 0f, row, c);
            }
        }
    }
}
