package io.ipcobjects.examples.training;

import io.ipcobjects.DType;
import io.ipcobjects.SharedMemory;
import io.ipcobjects.SharedTensor;

import java.util.SplittableRandom;

/**
 * A locally generated image dataset, nothing downloaded: {@value #SIDE}×{@value #SIDE} grey
 * images of four classes (a horizontal bar, a vertical bar, a diagonal, a square outline), each
 * at a random place and size, written once into two shared tensors: {@code "shapes-images"}
 * ({@code [samples, SIDE*SIDE]} UINT8, 0 or 255) and {@code "shapes-labels"} ({@code [samples]}
 * INT32). The loader's workers read them from the region and augment each sample
 * ({@link AugmentingSource}).
 */
public final class SyntheticShapes {
    /** Image side in pixels. */
    public static final int SIDE = 16;
    /** Pixels per image. */
    public static final int PIXELS = SIDE * SIDE;
    /** Classes. */
    public static final int CLASSES = 4;
    /** Names of the tensors in the region. */
    public static final String IMAGES = "shapes-images";
    public static final String LABELS = "shapes-labels";

    private SyntheticShapes() {
    }

    /** Generates {@code samples} images from {@code seed} and publishes both tensors in {@code shm}. */
    public static void publish(SharedMemory shm, int samples, long seed) {
        SharedTensor images = shm.newTensor(DType.UINT8, samples, PIXELS);
        SharedTensor labels = shm.newTensor(DType.INT32, samples);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] image = new byte[PIXELS];
        for (int i = 0; i < samples; i++) {
            int label = random.nextInt(CLASSES);
            draw(label, random, image);
            images.segment().asSlice((long) i * PIXELS, PIXELS).copyFrom(java.lang.foreign.MemorySegment.ofArray(image));
            labels.setInt(label, i);
        }
        shm.put(IMAGES, images);
        shm.put(LABELS, labels);
    }

    /** Bytes {@link #publish} allocates for {@code samples} images. */
    public static long bytes(int samples) {
        return (long) samples * (PIXELS + Integer.BYTES);
    }

    private static void draw(int label, SplittableRandom random, byte[] image) {
        java.util.Arrays.fill(image, (byte) 0);
        int a = random.nextInt(2, SIDE - 2);
        int from = random.nextInt(0, SIDE / 2);
        int to = random.nextInt(SIDE / 2 + 2, SIDE + 1);
        switch (label) {
            case 0 -> { // horizontal bar
                for (int x = from; x < to; x++) {
                    set(image, x, a);
                }
            }
            case 1 -> { // vertical bar
                for (int y = from; y < to; y++) {
                    set(image, a, y);
                }
            }
            case 2 -> { // diagonal
                for (int d = from; d < to; d++) {
                    set(image, d, d);
                }
            }
            default -> { // square outline
                int size = random.nextInt(4, SIDE / 2 + 1);
                int x0 = random.nextInt(0, SIDE - size);
                int y0 = random.nextInt(0, SIDE - size);
                for (int k = 0; k < size; k++) {
                    set(image, x0 + k, y0);
                    set(image, x0 + k, y0 + size - 1);
                    set(image, x0, y0 + k);
                    set(image, x0 + size - 1, y0 + k);
                }
            }
        }
    }

    private static void set(byte[] image, int x, int y) {
        image[y * SIDE + x] = (byte) 255;
    }
}
