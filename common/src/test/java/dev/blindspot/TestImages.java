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
}
