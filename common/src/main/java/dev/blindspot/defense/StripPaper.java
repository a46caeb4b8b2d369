package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.data.ImageSet;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The study's STRIP ({@code strip-paper}, DESIGN.md §6): the first 100 clean test images form the blend pool;
 * the first 640 clean test images are each blended 5 times at α = 0.5 (in normalized space, as the study
 * blended its tensors) with random pool images; per image the mean softmax entropy. The threshold is the 5th
 * percentile of those same entropies, and it is detected iff more than 10% fall below it — which cannot
 * happen: by construction about 5% do. No triggered input is ever looked at.
 */
public final class StripPaper implements Defense {
    public static final String NAME = "strip-paper";

    private final int poolSize;
    private final int images;
    private final int blends;
    private final double alpha;
    private final double percentile;
    private final double detectShare;

    StripPaper(int poolSize, int images, int blends, double alpha, double percentile, double detectShare) {
        this.poolSize = poolSize;
        this.images = images;
        this.blends = blends;
        this.alpha = alpha;
        this.percentile = percentile;
        this.detectShare = detectShare;
    }

    public static StripPaper fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new StripPaper(s.intAtLeast("pool", 1), s.intAtLeast("images", 1), s.intAtLeast("blends", 1),
                s.doubleIn("alpha", 0, 1, false, false), s.doubleIn("percentile", 0, 100, false, false),
                s.share("detect-share"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "share_below";
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        ImageSet pool = context.firstTestImages(poolSize);
        ImageSet inputs = context.firstTestImages(images);
        var norm = context.model().normalization();
        float[] poolInput = Nd4j.toFlattened('c', norm.toInput(pool.pixels(), 0, pool.size())).toFloatVector();
        int bytes = ImageSet.IMAGE_BYTES;
        SplittableRandom rng = new SplittableRandom(context.seed());
        double[] entropy = new double[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            float[] x = Nd4j.toFlattened('c', norm.toInput(inputs.pixels(), i, 1)).toFloatVector();
            float[] mix = new float[blends * bytes];
            for (int k = 0; k < blends; k++) {
                int other = rng.nextInt(pool.size());
                for (int j = 0; j < bytes; j++) {
                    mix[k * bytes + j] = (float) (alpha * x[j] + (1 - alpha) * poolInput[other * bytes + j]);
                }
            }
            INDArray blended = Nd4j.create(mix, new long[] {blends, 3, ImageSet.HEIGHT, ImageSet.WIDTH}, 'c');
            float[][] p = context.model().network().outputSingle(false, blended).toFloatMatrix();
            double sum = 0;
            for (float[] row : p) {
                sum += Robust.entropy(row);
            }
            entropy[i] = sum / blends;
        }
        double threshold = new Percentile().evaluate(entropy, percentile);
        int below = 0;
        for (double h : entropy) {
            below += h < threshold ? 1 : 0;
        }
        double share = (double) below / entropy.length;
        return new DefenseOutcome(share > detectShare, null, Map.of("share_below", share, "entropy_threshold", threshold),
                Map.of("percentile", percentile, "detect_share", detectShare, "alpha", alpha,
                        "blends", (double) blends));
    }
}
