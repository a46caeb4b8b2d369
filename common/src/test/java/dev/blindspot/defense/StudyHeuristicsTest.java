package dev.blindspot.defense;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.blindspot.defense.NeuralCleanseTest.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The study's feature heuristics (Spectral Signatures and Activation Clustering, paper variants) on constructed features. */
class StudyHeuristicsTest {
    private static float[][] gaussian(int n, int d, double stretch, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] f = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                f[i][j] = (float) (rng.nextGaussian() * (j == 0 ? stretch : 1) + 5);
            }
        }
        return f;
    }

    @Test
    void spectralPaperFiresOnlyOnADominantDirectionAndItsTailShareIsAboutFivePercent() {
        SpectralSignaturesPaper ss = SpectralSignaturesPaper.fromConfig(settings(SpectralSignaturesPaper.NAME, ""));
        DefenseOutcome isotropic = ss.decide(gaussian(1280, 16, 1, 1));
        assertFalse(isotropic.detected(), isotropic.scores().toString());
        assertEquals(1.0 / 16, isotropic.scores().get("top_energy_share"), 0.03);
        assertEquals(0.05, isotropic.scores().get("tail_share"), 0.002, "above its own 95th percentile, by construction");

        DefenseOutcome stretched = ss.decide(gaussian(1280, 16, 8, 1));
        assertTrue(stretched.detected(), stretched.scores().toString());
        assertTrue(stretched.scores().get("top_energy_share") > 0.5);
    }

    @Test
    void activationClusteringPaperIsTheCoefficientOfVariationOfFeatureNorms() {
        ActivationClusteringPaper ac = ActivationClusteringPaper.fromConfig(settings(ActivationClusteringPaper.NAME, ""));
        // Class 0: norms 2 and 3 (mean 2.5, population sd 0.5, CV 0.2); class 1: norms 1 and 9 (CV 0.8).
        float[][] f = new float[40][];
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i < 20 ? 0 : 1;
            float norm = i < 20 ? (i % 2 == 0 ? 2 : 3) : (i % 2 == 0 ? 1 : 9);
            f[i] = new float[] {0.6f * norm, 0.8f * norm};
        }
        DefenseOutcome o = ac.decide(f, labels, 3, 0);
        assertEquals(0.2, o.scores().get("cv_00"), 1e-6);
        assertEquals(0.8, o.scores().get("cv_01"), 1e-6);
        assertFalse(o.scores().containsKey("cv_02"), "a class with fewer than 10 samples is skipped");
        assertTrue(o.detected());
        assertEquals(Boolean.FALSE, o.targetIdentified(), "the flagged class is 1, the target 0");
        assertEquals(1.0, o.scores().get("flagged_labels"));
    }

    @Test
    void anomalyIndexUsesTheScaledMad() {
        double[] norms = {10, 11, 9, 10, 2};
        // median 10, |dev| = 0 1 1 0 8, MAD = 1
        double[] idx = Robust.anomalyIndices(norms);
        assertEquals(8 / 1.4826, idx[4], 1e-12);
        assertEquals(0, idx[0], 0);
        double[] constant = Robust.anomalyIndices(new double[] {3, 3, 3});
        assertEquals(0, constant[1], 0);
    }
}
