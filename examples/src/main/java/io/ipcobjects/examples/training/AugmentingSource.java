package io.ipcobjects.examples.training;

import io.ipcobjects.SharedTensor;
import io.ipcobjects.loader.BatchSource;
import io.ipcobjects.loader.WorkerContext;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The examples' and benchmarks' batch source: reads {@link SyntheticShapes} images from the
 * region and augments each one, a CPU-heavy transform: a random shift of up to two pixels,
 * Gaussian noise, then {@code blur} passes of a 3×3 box blur (source argument {@code blur},
 * default 4), normalised to mean 0. The random choices are seeded by the epoch and the sample,
 * so a batch is the same whichever worker makes it. Part 0 is the image as {@code [PIXELS]}
 * FLOAT32; part 1 the label, FLOAT32: the class id ({@code labels=sparse}, DJL's
 * softmax cross-entropy) or one-hot {@code [CLASSES]} ({@code labels=onehot}, DL4J).
 *
 * <p>{@link #augment} is also what the in-process loaders of the benchmarks call, so both sides
 * do the same work per sample.
 */
public final class AugmentingSource implements BatchSource {
    private SharedTensor images;
    private SharedTensor labels;
    private int blur;
    private boolean oneHot;
    private final float[] pixels = new float[SyntheticShapes.PIXELS];
    private final float[] scratch = new float[SyntheticShapes.PIXELS];

    @Override
    public void open(WorkerContext context) {
        images = context.region().get(SyntheticShapes.IMAGES, SharedTensor.class);
        labels = context.region().get(SyntheticShapes.LABELS, SharedTensor.class);
        blur = Integer.parseInt(context.arg("blur", "4"));
        oneHot = context.arg("labels", "sparse").equals("onehot");
    }

    @Override
    public void fill(long epoch, long batch, long[] samples, List<SharedTensor> tensors) {
        SharedTensor x = tensors.get(0);
        SharedTensor y = tensors.get(1);
        for (int row = 0; row < samples.length; row++) {
            augment(images, samples[row], epoch, blur, pixels, scratch);
            x.copyFrom(pixels, 0, (long) row * SyntheticShapes.PIXELS, SyntheticShapes.PIXELS);
            int label = labels.getInt(samples[row]);
            if (oneHot) {
                for (int c = 0; c < SyntheticShapes.CLASSES; c++) {
                    y.setFloat(c == label ? 1f : 0f, row, c);
                }
            } else {
                y.setFloat(label, row);
            }
        }
    }

    /** Sample {@code sample} of {@code images}, augmented for {@code epoch} into {@code out}. */
    public static void augment(SharedTensor images, long sample, long epoch, int blur, float[] out, float[] scratch) {
        int side = SyntheticShapes.SIDE;
        SplittableRandom random = new SplittableRandom(epoch * 0x9E37_79B9_7F4A_7C15L ^ sample * 0xBF58_476D_1CE4_E5B9L);
        int dx = random.nextInt(-2, 3);
        int dy = random.nextInt(-2, 3);
        MemorySegment source = images.segment();
        long base = sample * SyntheticShapes.PIXELS;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int sx = x - dx;
                int sy = y - dy;
                float v = sx < 0 || sy < 0 || sx >= side || sy >= side ? 0f
                        : (source.get(ValueLayout.JAVA_BYTE, base + sy * side + sx) & 0xFF) / 255f;
                out[y * side + x] = v + (float) (random.nextGaussian() * 0.1);
            }
        }
        for (int pass = 0; pass < blur; pass++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float sum = 0;
                    int n = 0;
                    for (int ky = Math.max(0, y - 1); ky <= Math.min(side - 1, y + 1); ky++) {
                        for (int kx = Math.max(0, x - 1); kx <= Math.min(side - 1, x + 1); kx++) {
                            sum += out[ky * side + kx];
                            n++;
                        }
                    }
                    scratch[y * side + x] = 0.5f * out[y * side + x] + 0.5f * sum / n;
                }
            }
            System.arraycopy(scratch, 0, out, 0, out.length);
        }
        float mean = 0;
        for (float v : out) {
            mean += v;
        }
        mean /= out.length;
        for (int i = 0; i < out.length; i++) {
            out[i] = (out[i] - mean) * 4f;
        }
    }
}
