package dev.blindspot.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-channel {@code (x/255 − mean)/std}, applied when a batch is built (DESIGN.md §2).
 *
 * @param mean per-channel mean of {@code x/255}
 * @param std  per-channel standard deviation of {@code x/255}
 */
public record Normalization(float[] mean, float[] std) implements java.io.Serializable {

    public Normalization {
        if (mean.length != ImageSet.CHANNELS || std.length != ImageSet.CHANNELS) {
            throw new IllegalArgumentException("normalization needs 3 means and 3 stds");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("normalization std must be > 0, got " + s);
            }
        }
    }

    /** Mean and standard deviation per channel of {@code set}, for datasets whose statistics are computed. */
    public static Normalization of(ImageSet set) {
        double[] sum = new double[ImageSet.CHANNELS];
        double[] sumSq = new double[ImageSet.CHANNELS];
        byte[] p = set.pixels();
        for (int i = 0; i < set.size(); i++) {
            for (int c = 0; c < ImageSet.CHANNELS; c++) {
                int base = i * ImageSet.IMAGE_BYTES + c * ImageSet.PLANE;
                for (int k = 0; k < ImageSet.PLANE; k++) {
                    double v = (p[base + k] & 0xFF) / 255.0;
                    sum[c] += v;
                    sumSq[c] += v * v;
                }
            }
        }
        double n = (double) set.size() * ImageSet.PLANE;
        float[] mean = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            double m = sum[c] / n;
            mean[c] = (float) m;
            std[c] = (float) Math.sqrt(Math.max(sumSq[c] / n - m * m, 1e-12));
        }
        return new Normalization(mean, std);
    }

    /** Normalizes {@code count} raw images starting at image {@code from} of {@code raw} into NCHW floats. */
    public INDArray toInput(byte[] raw, int from, int count) {
        int offset = from * ImageSet.IMAGE_BYTES;
        return normalize(k -> raw[offset + k] & 0xFF, count);
    }

    /**
     * Normalizes {@code count} images given as raw pixel values in CHW order, which may lie outside
     * [0, 255] (STRIP's unclipped superimposition adds two images), into NCHW floats.
     */
    public INDArray toInput(float[] raw, int count) {
        if (raw.length < (long) count * ImageSet.IMAGE_BYTES) {
            throw new IllegalArgumentException(count + " images need " + count * ImageSet.IMAGE_BYTES
                    + " values, got " + raw.length);
        }
        return normalize(k -> raw[k], count);
    }

    /** {@code (v/255 − mean)/std} of the raw values {@code pixel.applyAsDouble(k)}, k over count images. */
    private INDArray normalize(java.util.function.IntToDoubleFunction pixel, int count) {
        float[] out = new float[count * ImageSet.IMAGE_BYTES];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < ImageSet.CHANNELS; c++) {
                float scale = 1f / (255f * std[c]);
                float shift = mean[c] / std[c];
                int base = i * ImageSet.IMAGE_BYTES + c * ImageSet.PLANE;
                for (int k = 0; k < ImageSet.PLANE; k++) {
                    out[base + k] = (float) pixel.applyAsDouble(base + k) * scale - shift;
                }
            }
        }
        return Nd4j.create(out, new long[] {count, ImageSet.CHANNELS, ImageSet.HEIGHT, ImageSet.WIDTH}, 'c');
    }

    /** Canonical text, recorded with results. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "mean=(%.4f,%.4f,%.4f) std=(%.4f,%.4f,%.4f)",
                mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}
