package dev.blindspot.metrics;

import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/** Accuracy, attack success and ranking metrics shared by the grid and the defenses. */
public final class Metrics {
    private Metrics() {
    }

    /** Share of {@code predictions} equal to {@code labels}; NaN for an empty set. */
    public static double accuracy(int[] predictions, int[] labels) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException("predictions and labels differ in length");
        }
        int hit = 0;
        for (int i = 0; i < labels.length; i++) {
            hit += predictions[i] == labels[i] ? 1 : 0;
        }
        return labels.length == 0 ? Double.NaN : (double) hit / labels.length;
    }

    /**
     * Attack success rate: share of the counted images that, stamped with the trigger, are classified as
     * {@code target}. With {@code excludeTarget} only images whose true label is not the target count
     * (the reference ASR); without it every image counts (the study's {@code asr_all}).
     */
    public static double attackSuccess(int[] triggeredPredictions, int[] trueLabels, int target, boolean excludeTarget) {
        int counted = 0;
        int hit = 0;
        for (int i = 0; i < trueLabels.length; i++) {
            if (excludeTarget && trueLabels[i] == target) {
                continue;
            }
            counted++;
            hit += triggeredPredictions[i] == target ? 1 : 0;
        }
        return counted == 0 ? Double.NaN : (double) hit / counted;
    }

    /**
     * Area under the ROC curve of {@code scores} for separating {@code positive} from the rest (higher
     * score = more positive), computed as the Mann–Whitney statistic with average ranks for ties. NaN when
     * either class is empty.
     */
    public static double auroc(double[] scores, boolean[] positive) {
        double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(scores);
        long nPos = 0;
        double rankSum = 0;
        for (int i = 0; i < scores.length; i++) {
            if (positive[i]) {
                nPos++;
                rankSum += ranks[i];
            }
        }
        long nNeg = scores.length - nPos;
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN;
        }
        return (rankSum - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }
}
