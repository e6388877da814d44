package io.ipcobjects.nd4j;

import io.ipcobjects.SharedTensor;

import java.util.SplittableRandom;

/**
 * A small, learnable classification dataset, the same for the same seed in every JVM: features
 * uniform in [-1, 1], the class of a sample is the argmax of a fixed linear map of its features,
 * labels one-hot. Written straight into shared tensors.
 */
final class ClassificationData {
    static final int FEATURES = 4;
    static final int CLASSES = 3;
    private static final float[][] WEIGHTS = {
            {1.0f, -0.5f, 0.2f},
            {-0.7f, 1.0f, 0.1f},
            {0.3f, 0.4f, -1.0f},
            {0.5f, -0.8f, 0.9f}};

    private ClassificationData() {
    }

    /** Fills {@code x} ([n, 4] FLOAT32) and {@code y} ([n, 3] FLOAT32, one-hot). */
    static void write(SharedTensor x, SharedTensor y, long seed) {
        long n = x.shape(0);
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[FEATURES];
        for (long i = 0; i < n; i++) {
            for (int f = 0; f < FEATURES; f++) {
                features[f] = (float) (random.nextDouble() * 2 - 1);
                x.setFloat(features[f], i, f);
            }
            int best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                float score = 0;
                for (int f = 0; f < FEATURES; f++) {
                    score += features[f] * WEIGHTS[f][c];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            for (int c = 0; c < CLASSES; c++) {
                y.setFloat(c == best ? 1f : 0f, i, c);
            }
        }
    }
}
