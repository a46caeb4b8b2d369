package dev.blindspot.defense;

import com.typesafe.config.Config;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

import java.util.Map;

/**
 * The study's Spectral Signatures ({@code spectral-signatures-paper}, DESIGN.md §6): penultimate features of
 * the first 1,280 clean test images pooled over all classes, centred; SVD with singular values S and left
 * singular vectors U. Detected iff S₀²/ΣS² &gt; 0.5, or the share of scores U[:,0]² above their own 95th
 * percentile exceeds 0.1 — which is about 0.05 by construction, so only the first test can fire.
 */
public final class SpectralSignaturesPaper implements Defense {
    public static final String NAME = "spectral-signatures-paper";

    private final int images;
    private final double energyThreshold;
    private final double percentile;
    private final double tailThreshold;

    SpectralSignaturesPaper(int images, double energyThreshold, double percentile, double tailThreshold) {
        this.images = images;
        this.energyThreshold = energyThreshold;
        this.percentile = percentile;
        this.tailThreshold = tailThreshold;
    }

    public static SpectralSignaturesPaper fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new SpectralSignaturesPaper(s.intAtLeast("images", 2), s.share("energy-threshold"),
                s.doubleIn("percentile", 0, 100, false, false), s.share("tail-threshold"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "top_energy_share";
    }

    @Override
    public boolean readsFeatures() {
        return true;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        return decide(context.model().outputs(context.firstTestImages(images)).features());
    }

    DefenseOutcome decide(float[][] features) {
        int n = features.length;
        int d = features[0].length;
        double[][] x = new double[n][d];
        double[] mean = new double[d];
        for (float[] f : features) {
            for (int j = 0; j < d; j++) {
                mean[j] += f[j] / (double) n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = features[i][j] - mean[j];
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(x, false));
        double[] s = svd.getSingularValues();
        double total = 0;
        for (double v : s) {
            total += v * v;
        }
        double energy = total == 0 ? 0 : s[0] * s[0] / total;
        double[] u0 = svd.getU().getColumn(0);
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            scores[i] = u0[i] * u0[i];
        }
        double cut = new Percentile().evaluate(scores, percentile);
        int above = 0;
        for (double v : scores) {
            above += v > cut ? 1 : 0;
        }
        double tail = (double) above / n;
        boolean detected = energy > energyThreshold || tail > tailThreshold;
        return new DefenseOutcome(detected, null, Map.of("top_energy_share", energy, "tail_share", tail),
                Map.of("energy", energyThreshold, "percentile", percentile, "tail", tailThreshold,
                        "images", (double) n));
    }
}
