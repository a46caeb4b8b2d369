package dev.blindspot;

import dev.blindspot.attack.BadNet;
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

    /** Per stripe class, the pixel's position across its stripes is {@code STRIPE_X·x + STRIPE_Y·y}. */
    private static final int[] STRIPE_X = {0, 1, 1, 1};
    private static final int[] STRIPE_Y = {1, 0, 1, -1};

    /**
     * {@code n} images whose class is a stripe orientation (horizontal, vertical, and the two diagonals, in
     * that order; at most four classes) with a random period of 4–7 pixels, a random phase, a random colour
     * and uniform noise of ±{@code noise}, below 128; plus one white 3×3 square at a random place away from
     * the bottom-right corner. Unlike {@link #tinted}, a blend of two classes is a plaid that belongs to
     * neither (STRIP's premise), and white is no shortcut: without the square a backdoored model learned
     * "bright means target" and called every blend of two dark images the target (entropy 1e-19).
     */
    public static ImageSet striped(int n, int classes, int noise, long seed) {
        if (classes > STRIPE_X.length) {
            throw new IllegalArgumentException("four stripe orientations, asked for " + classes + " classes");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] p = new byte[n * ImageSet.IMAGE_BYTES];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            int period = 4 + rng.nextInt(4);
            double phase = rng.nextDouble() * 2 * Math.PI;
            for (int c = 0; c < 3; c++) {
                double amplitude = 20 + rng.nextInt(30);
                for (int y = 0; y < ImageSet.WIDTH; y++) {
                    for (int x = 0; x < ImageSet.WIDTH; x++) {
                        int along = STRIPE_X[labels[i]] * x + STRIPE_Y[labels[i]] * y;
                        double wave = Math.sin(2 * Math.PI * along / period + phase);
                        int v = (int) Math.round(64 + amplitude * wave) + rng.nextInt(2 * noise + 1) - noise;
                        p[i * ImageSet.IMAGE_BYTES + c * ImageSet.PLANE + y * ImageSet.WIDTH + x] =
                                (byte) Math.max(0, Math.min(127, v));
                    }
                }
            }
            // A white square like BadNet's trigger, anywhere but near the trigger's corner: white is no
            // shortcut to the target, the trigger's place is.
            int sx = rng.nextInt(ImageSet.WIDTH - 6);
            int sy = rng.nextInt(ImageSet.WIDTH - 6);
            BadNet.whiteSquare(p, i, sx, sy, 3);
        }
        return new ImageSet(p, labels, classes);
    }
}
