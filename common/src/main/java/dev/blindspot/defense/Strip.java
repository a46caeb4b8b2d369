package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.data.ImageSet;
import dev.blindspot.metrics.Metrics;
import dev.blindspot.model.Classifier;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * STRIP (Gao et al., "STRIP: A Defence Against Trojan Attacks on Deep Neural Networks", ACSAC 2019),
 * reference variant (DESIGN.md §6): a run-time detector. Each input is superimposed with {@code blends}
 * random clean images of the defender's clean split (pixel addition); its score is the mean entropy of the
 * predictions. A trigger dominates the blends, so triggered inputs have low entropy. The threshold is the
 * entropy at {@code frr} false rejections of the defender's clean split (each blended with others of the split);
 * it is then applied to the first {@code inputs} test images and their triggered versions (non-target ones).
 * Detected iff at least {@code detect-share} of the triggered inputs fall below the threshold. Also recorded:
 * the catch rate among the triggered inputs the model sends to the target ({@code effective_triggered_detected}),
 * the inputs on which there is a trojan behaviour to detect.
 *
 * <p>How the sum is kept in range is the {@code superimpose} key. {@code clipped} (DESIGN.md's default) clips
 * it at 255, as {@code cv2.addWeighted(x, 1, y, 1, 0)} does on {@code uint8} images. {@code additive} keeps it
 * unclipped (up to 510), as the same call does on the {@code float32} images in [0, 1] that the STRIP authors'
 * published CIFAR-10 code feeds it; the sum is then normalized like any image. The difference matters for a
 * white trigger: clipping saturates the bright blends around it, so the trigger loses its contrast.
 */
public final class Strip implements Defense {
    public static final String NAME = "strip";

    private final int blends;
    private final double frr;
    private final int inputs;
    private final double detectShare;
    private final boolean clipped;

    Strip(int blends, double frr, int inputs, double detectShare, boolean clipped) {
        this.blends = blends;
        this.frr = frr;
        this.inputs = inputs;
        this.detectShare = detectShare;
        this.clipped = clipped;
    }

    public static Strip fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new Strip(s.intAtLeast("blends", 1), s.doubleIn("frr", 0, 0.5, false, false),
                s.intAtLeast("inputs", 1), s.share("detect-share"),
                s.oneOf("superimpose", "clipped", "additive").equals("clipped"));
    }

    /** Blends every test input and its triggered copy with many clean images: measured 6× on CIFAR-10 and GTSRB. */
    @Override
    public double relativeCost(int numClasses) {
        return 6;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "triggered_detected";
    }

    @Override
    public int minimumCleanImages() {
        return 2;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        SplittableRandom rng = new SplittableRandom(context.seed());
        ImageSet pool = context.cleanSplit();
        if (pool.size() < 2) {
            throw new IllegalArgumentException("STRIP needs at least 2 clean images to blend, the clean split has "
                    + pool.size());
        }
        double[] reference = entropies(context.model(), pool, pool, true, rng);
        double threshold = new Percentile().evaluate(reference, 100 * frr);

        ImageSet clean = context.firstTestImages(inputs);
        int[] nonTarget = clean.indicesNotLabelled(context.target());
        ImageSet triggered = context.trainingSet().attack().stampAll(clean.subset(nonTarget));
        double[] cleanEntropy = entropies(context.model(), clean, pool, false, rng);
        double[] triggeredEntropy = entropies(context.model(), triggered, pool, false, rng);
        int rejected = 0;
        for (double h : cleanEntropy) {
            rejected += h < threshold ? 1 : 0;
        }
        int caught = 0;
        for (double h : triggeredEntropy) {
            caught += h < threshold ? 1 : 0;
        }
        double catchRate = triggeredEntropy.length == 0 ? Double.NaN : (double) caught / triggeredEntropy.length;
        // The triggered inputs the backdoor actually sends to the target: on the others there is no trojan
        // behaviour to detect, so a model whose ASR is 90% bounds the catch rate near 90%.
        int[] triggeredPredictions = context.model().predict(triggered);
        int effective = 0;
        int caughtEffective = 0;
        for (int i = 0; i < triggeredPredictions.length; i++) {
            if (triggeredPredictions[i] == context.target()) {
                effective++;
                caughtEffective += triggeredEntropy[i] < threshold ? 1 : 0;
            }
        }
        double[] scores = new double[cleanEntropy.length + triggeredEntropy.length];
        boolean[] positive = new boolean[scores.length];
        for (int i = 0; i < cleanEntropy.length; i++) {
            scores[i] = -cleanEntropy[i];
        }
        for (int i = 0; i < triggeredEntropy.length; i++) {
            scores[cleanEntropy.length + i] = -triggeredEntropy[i];
            positive[cleanEntropy.length + i] = true;
        }
        Map<String, Double> out = new HashMap<>();
        out.put("far", 1 - catchRate); // triggered inputs accepted as clean
        out.put("frr", (double) rejected / cleanEntropy.length); // clean test inputs rejected
        out.put("triggered_detected", catchRate);
        out.put("triggered_effective", triggeredPredictions.length == 0 ? Double.NaN
                : (double) effective / triggeredPredictions.length);
        out.put("effective_triggered_detected", effective == 0 ? Double.NaN : (double) caughtEffective / effective);
        out.put("entropy_auroc", Metrics.auroc(scores, positive));
        out.put("mean_entropy_clean", mean(cleanEntropy));
        out.put("mean_entropy_triggered", mean(triggeredEntropy));
        return new DefenseOutcome(catchRate >= detectShare, null, out,
                Map.of("entropy", threshold, "target_frr", frr, "blends", (double) blends,
                        "detect_share", detectShare, "clipped", clipped ? 1.0 : 0.0));
    }

    /** Mean prediction entropy of each image blended with {@code blends} random pool images. */
    private double[] entropies(Classifier model, ImageSet images, ImageSet pool, boolean excludeSelf,
                               SplittableRandom rng) {
        double[] out = new double[images.size()];
        int chunk = Math.max(1, 1024 / blends); // images per inference call
        for (int from = 0; from < images.size(); from += chunk) {
            int count = Math.min(chunk, images.size() - from);
            float[] sums = new float[count * blends * ImageSet.IMAGE_BYTES]; // raw pixel units
            for (int i = 0; i < count; i++) {
                int src = (from + i) * ImageSet.IMAGE_BYTES;
                for (int k = 0; k < blends; k++) {
                    int other;
                    do {
                        other = rng.nextInt(pool.size());
                    } while (excludeSelf && other == from + i);
                    int dst = (i * blends + k) * ImageSet.IMAGE_BYTES;
                    int po = other * ImageSet.IMAGE_BYTES;
                    for (int j = 0; j < ImageSet.IMAGE_BYTES; j++) {
                        int v = (images.pixels()[src + j] & 0xFF) + (pool.pixels()[po + j] & 0xFF);
                        sums[dst + j] = clipped ? Math.min(255, v) : v;
                    }
                }
            }
            float[][] p = model.outputs(model.normalization().toInput(sums, count * blends)).probabilities();
            for (int i = 0; i < count; i++) {
                double sum = 0;
                for (int k = 0; k < blends; k++) {
                    sum += Robust.entropy(p[i * blends + k]);
                }
                out[from + i] = sum / blends;
            }
        }
        return out;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}
