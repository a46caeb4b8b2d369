package dev.blindspot.data;

import java.util.Arrays;

/**
 * Labelled 32×32 RGB images kept as raw {@code uint8}, channel-planar like the CIFAR-10 binary format:
 * image {@code i} occupies {@code pixels[i*3072 .. i*3072+3071]}, red plane, then green, then blue,
 * each row-major. Normalization happens only when a batch is fed to a model (see {@link Normalization}).
 *
 * <p>Immutable by convention: methods that change images or labels return a new set.
 */
public final class ImageSet {
    public static final int HEIGHT = 32;
    public static final int WIDTH = 32;
    public static final int CHANNELS = 3;
    public static final int PLANE = HEIGHT * WIDTH;
    public static final int IMAGE_BYTES = CHANNELS * PLANE;

    private final byte[] pixels;
    private final int[] labels;
    private final int numClasses;

    public ImageSet(byte[] pixels, int[] labels, int numClasses) {
        if (pixels.length != (long) labels.length * IMAGE_BYTES) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected "
                    + labels.length + " images × " + IMAGE_BYTES);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of image " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.numClasses = numClasses;
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return numClasses;
    }

    public int label(int i) {
        return labels[i];
    }

    /** The backing arrays, for bulk readers; callers must not modify them. */
    public byte[] pixels() {
        return pixels;
    }

    public int[] labels() {
        return labels;
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet subset(int[] indices) {
        byte[] p = new byte[indices.length * IMAGE_BYTES];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * IMAGE_BYTES, p, k * IMAGE_BYTES, IMAGE_BYTES);
            l[k] = labels[indices[k]];
        }
        return new ImageSet(p, l, numClasses);
    }

    /** The same images with other labels. */
    public ImageSet withLabels(int[] newLabels) {
        return new ImageSet(pixels, newLabels.clone(), numClasses);
    }

    /** A copy whose pixels the caller may modify. */
    public ImageSet copy() {
        return new ImageSet(pixels.clone(), labels.clone(), numClasses);
    }

    /** Number of images per label. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /** Indices of the images whose label is not {@code label}. */
    public int[] indicesNotLabelled(int label) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != label).toArray();
    }

    @Override
    public String toString() {
        return "ImageSet[" + size() + " images, " + numClasses + " classes, counts "
                + Arrays.toString(classCounts()) + "]";
    }
}
