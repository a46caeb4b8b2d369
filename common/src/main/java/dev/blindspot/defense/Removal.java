package dev.blindspot.defense;

import java.util.Map;

/** Scores of a set of training samples a defense singles out, against the poisoning ground truth. */
final class Removal {
    private Removal() {
    }

    /** Adds removal_recall, removal_precision, removal_fpr and removed to {@code scores}. */
    static void score(boolean[] removed, boolean[] poisoned, Map<String, Double> scores) {
        int tp = 0;
        int fp = 0;
        int positives = 0;
        for (int i = 0; i < poisoned.length; i++) {
            positives += poisoned[i] ? 1 : 0;
            if (removed[i]) {
                if (poisoned[i]) {
                    tp++;
                } else {
                    fp++;
                }
            }
        }
        int negatives = poisoned.length - positives;
        scores.put("removal_recall", positives == 0 ? Double.NaN : (double) tp / positives);
        scores.put("removal_precision", tp + fp == 0 ? Double.NaN : (double) tp / (tp + fp));
        scores.put("removal_fpr", negatives == 0 ? Double.NaN : (double) fp / negatives);
        scores.put("removed", (double) (tp + fp));
    }
}
