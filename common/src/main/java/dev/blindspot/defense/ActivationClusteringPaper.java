package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.data.ImageSet;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The study's Activation Clustering ({@code activation-clustering-paper}, DESIGN.md §6): penultimate features
 * of the first 1,280 clean test images grouped by true label; per class with at least 10 samples, the
 * coefficient of variation (sd/mean) of the features' L2 norms. Detected iff some class has CV &gt; 0.5. No
 * clustering, no poisoned data: it measures how spread clean features are, not a backdoor.
 */
public final class ActivationClusteringPaper implements Defense {
    public static final String NAME = "activation-clustering-paper";

    private final int images;
    private final int minClassSize;
    private final double cvThreshold;

    ActivationClusteringPaper(int images, int minClassSize, double cvThreshold) {
        this.images = images;
        this.minClassSize = minClassSize;
        this.cvThreshold = cvThreshold;
    }

    public static ActivationClusteringPaper fromConfig(Config c) {
        DefenseSettings s = new DefenseSettings(NAME, c);
        return new ActivationClusteringPaper(s.intAtLeast("images", 1), s.intAtLeast("min-class-size", 2),
                s.positive("cv-threshold"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String mainScore() {
        return "max_cv";
    }

    @Override
    public boolean readsFeatures() {
        return true;
    }

    @Override
    public DefenseOutcome run(DefenseContext context) {
        ImageSet test = context.firstTestImages(images);
        return decide(context.model().outputs(test).features(), test.labels(), test.numClasses(), context.target());
    }

    DefenseOutcome decide(float[][] features, int[] labels, int numClasses, int target) {
        Map<String, Double> scores = new HashMap<>();
        int flagged = 0;
        double maxCv = 0;
        boolean targetFlagged = false;
        for (int c = 0; c < numClasses; c++) {
            org.apache.commons.math3.stat.descriptive.SummaryStatistics norms =
                    new org.apache.commons.math3.stat.descriptive.SummaryStatistics();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    double s = 0;
                    for (float v : features[i]) {
                        s += (double) v * v;
                    }
                    norms.addValue(Math.sqrt(s));
                }
            }
            if (norms.getN() < minClassSize) {
                continue;
            }
            // The study's numpy std is the population one (ddof = 0).
            double sd = Math.sqrt(norms.getPopulationVariance());
            double cv = sd / norms.getMean();
            scores.put(String.format(Locale.ROOT, "cv_%02d", c), cv);
            maxCv = Math.max(maxCv, cv);
            if (cv > cvThreshold) {
                flagged++;
                targetFlagged |= c == target;
            }
        }
        scores.put("max_cv", maxCv);
        scores.put("flagged_labels", (double) flagged);
        return new DefenseOutcome(flagged > 0, targetFlagged, scores,
                Map.of("cv", cvThreshold, "images", (double) labels.length, "min_class_size", (double) minClassSize));
    }
}
