package dev.blindspot;

import dev.blindspot.data.ImageSet;

import java.util.SplittableRandom;

/** Small random image sets for unit tests. */
public final class TestImages {
    private TestImages() {
    }

    /** {@code n} images of uniform random pixels, labels cycling through {@code classes}. */
    public static ImageSet random(int n, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] p = new byte[n * ImageSet.IMAGE_BYTES];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) rng.nextInt(256);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return new ImageSet(p, labels, classes);
    }

    /**
     * {@code n} images a small network learns in a few epochs: each class has its own colour (a fixed mean
     * per channel) with uniform noise of ±{@code noise} on every pixel; labels cycle through the classes.
     */
    public static ImageSet tinted(int n, int classes, int noise, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] palette = new int[classes][3];
        SplittableRandom colours = new SplittableRandom(12345);
        for (int k = 0; k < classes; k++) {
            for (int c = 0; c < 3; c++) {
                palette[k][c] = 50 + colours.nextInt(156);
            }
        }
        byte[] p = new byte[n * ImageSet.IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < ImageSet.PLANE; j++) {
                    int v = palette[labels[i]][c] + rng.nextInt(2 * noise + 1) - noise;
                    p[i * ImageSet.IMAGE_BYTES + c * ImageSet.PLANE + j] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new ImageSet(p, labels, classes);
    }
}
