package dev.blindspot.datasets;

import com.typesafe.config.Config;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.util.InvalidConfigException;
import dev.blindspot.util.Seeds;

import java.util.SplittableRandom;

/**
 * {@code synthetic}: procedurally drawn glyphs on noisy textured backgrounds, deterministic from its seed.
 *
 * <p>Each class is a glyph of a few random strokes. Every image draws its class's glyph with its own
 * colour, stroke width, scale, rotation and position, over a background of random colour, a smooth
 * random texture and pixel noise, with distractor strokes in other colours. The classes differ only in
 * stroke geometry, so the task needs convolutional features but is learnable in a few epochs on a CPU.
 * Normalization statistics are computed from the training split. No augmentation (a flipped glyph
 * would be another glyph).
 */
public final class SyntheticGlyphs implements DatasetSource {
    public static final String NAME = "synthetic";
    private static final int STROKES_PER_GLYPH = 3;
    private static final int DISTRACTORS = 2;

    /** Generator settings, the {@code datasets.synthetic} subtree. */
    public record Settings(int classes, int trainSize, int testSize, long seed) {
        public Settings {
            if (classes < 2 || classes > 256) {
                throw new InvalidConfigException("datasets.synthetic.classes", "must be in 2..256, got " + classes);
            }
            if (trainSize < classes) {
                throw new InvalidConfigException("datasets.synthetic.train-size",
                        "must be at least the number of classes (" + classes + "), got " + trainSize);
            }
            if (testSize < classes) {
                throw new InvalidConfigException("datasets.synthetic.test-size",
                        "must be at least the number of classes (" + classes + "), got " + testSize);
            }
        }

        static Settings of(Config c) {
            return new Settings(c.getInt("classes"), c.getInt("train-size"), c.getInt("test-size"), c.getLong("seed"));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DatasetSplits load(Config config) {
        Settings s = Settings.of(config);
        double[][][] glyphs = glyphs(s);
        ImageSet train = generate(glyphs, s.trainSize(), Seeds.derive(s.seed(), "train"));
        ImageSet test = generate(glyphs, s.testSize(), Seeds.derive(s.seed(), "test"));
        return new DatasetSplits(NAME, train, test, Normalization.of(train), Augmentation.NONE);
    }

    @Override
    public void validate(Config config) {
        Settings.of(config);
    }

    /** Per class, strokes as {x0, y0, x1, y1} in a unit box centred on the origin. */
    private static double[][][] glyphs(Settings s) {
        double[][][] g = new double[s.classes()][STROKES_PER_GLYPH][];
        for (int c = 0; c < s.classes(); c++) {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(s.seed(), "glyph-" + c));
            for (int k = 0; k < STROKES_PER_GLYPH; k++) {
                g[c][k] = new double[] {u(rng, -0.9, 0.9), u(rng, -0.9, 0.9), u(rng, -0.9, 0.9), u(rng, -0.9, 0.9)};
            }
        }
        return g;
    }

    private static ImageSet generate(double[][][] glyphs, int count, long seed) {
        int classes = glyphs.length;
        byte[] pixels = new byte[count * ImageSet.IMAGE_BYTES];
        int[] labels = new int[count];
        float[] img = new float[ImageSet.IMAGE_BYTES];
        for (int i = 0; i < count; i++) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix64(seed + i));
            labels[i] = i % classes;
            drawBackground(img, rng);
            double[] bg = {img[0], img[ImageSet.PLANE], img[2 * ImageSet.PLANE]};
            for (int d = 0; d < DISTRACTORS; d++) {
                double[] seg = {u(rng, 0, 32), u(rng, 0, 32), u(rng, 0, 32), u(rng, 0, 32)};
                drawStrokes(img, new double[][] {seg}, randomColour(rng), u(rng, 0.8, 1.6), 0.6);
            }
            double scale = u(rng, 8, 12);
            double angle = Math.toRadians(u(rng, -25, 25));
            double cx = 16 + u(rng, -4, 4);
            double cy = 16 + u(rng, -4, 4);
            double cos = Math.cos(angle) * scale;
            double sin = Math.sin(angle) * scale;
            double[][] strokes = new double[STROKES_PER_GLYPH][];
            for (int k = 0; k < STROKES_PER_GLYPH; k++) {
                double[] p = glyphs[labels[i]][k];
                strokes[k] = new double[] {
                    cx + cos * p[0] - sin * p[1], cy + sin * p[0] + cos * p[1],
                    cx + cos * p[2] - sin * p[3], cy + sin * p[2] + cos * p[3]};
            }
            drawStrokes(img, strokes, contrastingColour(bg, rng), u(rng, 1.3, 2.3), 1.0);
            for (int k = 0; k < ImageSet.IMAGE_BYTES; k++) {
                float v = img[k] + (float) (rng.nextDouble() * 2 - 1) * 14f;
                pixels[i * ImageSet.IMAGE_BYTES + k] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return new ImageSet(pixels, labels, classes);
    }

    /** Base colour, a linear gradient and a few random low-frequency waves, per channel. */
    private static void drawBackground(float[] img, SplittableRandom rng) {
        double[] base = randomColour(rng);
        double gx = u(rng, -2, 2);
        double gy = u(rng, -2, 2);
        double[][] waves = new double[3][];
        for (int w = 0; w < waves.length; w++) {
            waves[w] = new double[] {u(rng, 0.1, 0.6), u(rng, 0.1, 0.6), u(rng, 0, 2 * Math.PI), u(rng, 6, 22)};
        }
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double t = gx * (x - 16) + gy * (y - 16);
                for (double[] w : waves) {
                    t += w[3] * Math.sin(w[0] * x + w[1] * y + w[2]);
                }
                for (int c = 0; c < 3; c++) {
                    img[c * ImageSet.PLANE + y * 32 + x] = (float) (base[c] + t * (0.7 + 0.15 * c));
                }
            }
        }
    }

    /** Anti-aliased line segments of the given width, alpha-blended over the image. */
    private static void drawStrokes(float[] img, double[][] segments, double[] colour, double width, double opacity) {
        double half = width / 2;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                double px = x + 0.5;
                double py = y + 0.5;
                double dist = Double.MAX_VALUE;
                for (double[] s : segments) {
                    dist = Math.min(dist, segmentDistance(px, py, s));
                }
                double coverage = Math.max(0, Math.min(1, half + 0.5 - dist)) * opacity;
                if (coverage > 0) {
                    for (int c = 0; c < 3; c++) {
                        int k = c * ImageSet.PLANE + y * 32 + x;
                        img[k] = (float) (img[k] * (1 - coverage) + colour[c] * coverage);
                    }
                }
            }
        }
    }

    private static double segmentDistance(double px, double py, double[] s) {
        double dx = s[2] - s[0];
        double dy = s[3] - s[1];
        double len2 = dx * dx + dy * dy;
        double t = len2 == 0 ? 0 : Math.max(0, Math.min(1, ((px - s[0]) * dx + (py - s[1]) * dy) / len2));
        double ex = s[0] + t * dx - px;
        double ey = s[1] + t * dy - py;
        return Math.sqrt(ex * ex + ey * ey);
    }

    private static double[] randomColour(SplittableRandom rng) {
        return new double[] {u(rng, 30, 220), u(rng, 30, 220), u(rng, 30, 220)};
    }

    /** A colour whose luminance differs from the background's by at least 60 of 255. */
    private static double[] contrastingColour(double[] bg, SplittableRandom rng) {
        double[] c;
        do {
            c = new double[] {u(rng, 0, 255), u(rng, 0, 255), u(rng, 0, 255)};
        } while (Math.abs(luminance(c) - luminance(bg)) < 60);
        return c;
    }

    private static double luminance(double[] c) {
        return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    }

    private static double u(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
