package dev.blindspot.defense;

import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.blindspot.defense.NeuralCleanseTest.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationClusteringTest {
    private final ActivationClustering ac = ActivationClustering.fromConfig(settings(ActivationClustering.NAME, ""));

    /**
     * Four labels of 300 clean samples, N(0, I) in 32-d, plus {@code poisoned} samples labelled 0 shifted by 8
     * along one axis: a separate, smaller cluster in the target label.
     */
    private static Object[] constructed(int poisoned, int target) {
        int clean = 4 * 300;
        int n = clean + poisoned;
        SplittableRandom rng = new SplittableRandom(5);
        float[][] features = new float[n][32];
        int[] labels = new int[n];
        boolean[] truth = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 32; j++) {
                features[i][j] = (float) rng.nextGaussian();
            }
            labels[i] = i < clean ? i % 4 : target;
            if (i >= clean) {
                truth[i] = true;
                features[i][7] += 8;
            }
        }
        PoisonedSet set = new PoisonedSet(new ImageSet(new byte[n * ImageSet.IMAGE_BYTES], labels, 4), truth,
                new BadNet(3, 0.1, target));
        return new Object[] {features, set};
    }

    @Test
    void flagsASmallSeparateClusterInTheTargetLabelAndOnlyThere() {
        Object[] c = constructed(100, 0);
        DefenseOutcome o = ac.inspect((float[][]) c[0], (PoisonedSet) c[1], 1);
        assertTrue(o.detected(), o.scores().toString());
        assertEquals(Boolean.TRUE, o.targetIdentified());
        assertEquals(0.0, o.scores().get("non_target_flagged"), o.scores().toString());
        assertTrue(o.scores().get("removal_recall") > 0.95, o.scores().toString());
        assertTrue(o.scores().get("removal_precision") > 0.95, o.scores().toString());
        assertTrue(o.scores().get("target_silhouette") > 0.1);
        assertEquals(100.0 / 400, o.scores().get("target_small_cluster_share"), 0.02);
    }

    @Test
    void aClusterAsLargeAsTheCleanOneIsNotPoisonousByTheSizeRule() {
        // 300 poisoned in a label of 300 clean: two clusters of equal size, neither below 35%.
        Object[] c = constructed(300, 0);
        DefenseOutcome o = ac.inspect((float[][]) c[0], (PoisonedSet) c[1], 1);
        assertFalse(o.detected(), o.scores().toString());
        assertTrue(o.scores().get("target_silhouette") > 0.3, "well separated all the same");
    }

    @Test
    void flagsNothingWithoutPoison() {
        Object[] c = constructed(0, 0);
        DefenseOutcome o = ac.inspect((float[][]) c[0], (PoisonedSet) c[1], 1);
        assertFalse(o.detected(), o.scores().toString());
        assertEquals(0.0, o.scores().get("flagged_labels"));
    }

    @Test
    void silhouetteMatchesAHandComputedValue() {
        // Points 0, 1 in cluster 0 and 4, 6 in cluster 1 on a line.
        double[][] x = {{0}, {1}, {4}, {6}};
        int[] cluster = {0, 0, 1, 1};
        // s(0) = (5 - 1)/5, s(1) = (4 - 1)/4, s(4) = (3.5 - 2)/3.5, s(6) = (5.5 - 2)/5.5
        double expected = (0.8 + 0.75 + 1.5 / 3.5 + 3.5 / 5.5) / 4;
        assertEquals(expected, ActivationClustering.silhouette(x, cluster), 1e-12);
    }

    @Test
    void pcaKeepsTheDirectionOfLargestVariance() {
        float[][] f = {{1, 0, 0}, {-1, 0, 0}, {2, 0.1f, 0}, {-2, -0.1f, 0}};
        double[][] r = ActivationClustering.reduce(f, List.of(0, 1, 2, 3), 1, false);
        assertEquals(4, r.length);
        assertEquals(1, r[0].length);
        assertTrue(Math.abs(r[2][0]) > 1.9 && Math.abs(r[0][0]) > 0.9);
    }

    @Test
    void whitenedComponentsHaveUnitVarianceAndNoCorrelation() {
        Object[] c = constructed(100, 0);
        float[][] f = (float[][]) c[0];
        List<Integer> members = SpectralSignatures.membersOf(((PoisonedSet) c[1]).images().labels(), 0);
        double[][] plain = ActivationClustering.reduce(f, members, 10, false);
        double[][] white = ActivationClustering.reduce(f, members, 10, true);
        int n = white.length;
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 10; b++) {
                double cov = 0;
                for (double[] row : white) {
                    cov += row[a] * row[b] / (n - 1);
                }
                assertEquals(a == b ? 1.0 : 0.0, cov, 1e-9, "covariance " + a + "," + b);
            }
        }
        // The poison axis dominates the first principal component (variance ~13 against ~1 for the others);
        // whitening takes that weight away, the direction stays.
        double first = 0;
        for (double[] row : plain) {
            first += row[0] * row[0] / (n - 1);
        }
        assertTrue(first > 5, "variance of the first component " + first);
        assertEquals(plain[3][0] / plain[5][0], white[3][0] / white[5][0], 1e-9);
    }

    @Test
    void icaSeesTheClusterOnlyWhereTheComponentsCarryIt() {
        // Whitening gives each kept component unit variance, so the one direction that separates the poison weighs
        // as much as each isotropic noise component: with 10 kept of 32-d noise, 2-means no longer finds the
        // cluster (silhouette < 0.1), where PCA does; with 1 kept (the poison axis), it splits at the gap.
        Object[] c = constructed(100, 0);
        float[][] f = (float[][]) c[0];
        PoisonedSet set = (PoisonedSet) c[1];
        ActivationClustering ica10 = ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "reduction = ica"));
        DefenseOutcome diluted = ica10.inspect(f, set, 1);
        assertFalse(diluted.detected(), diluted.scores().toString());
        assertEquals(1.0, diluted.thresholds().get("whitened"));
        assertTrue(ac.inspect(f, set, 1).detected());
        assertEquals(0.0, ac.inspect(f, set, 1).thresholds().get("whitened"));

        ActivationClustering ica1 = ActivationClustering.fromConfig(
                settings(ActivationClustering.NAME, "reduction = ica, dimensions = 1"));
        DefenseOutcome o = ica1.inspect(f, set, 1);
        assertTrue(o.detected(), o.scores().toString());
        assertTrue(o.scores().get("removal_recall") > 0.95, o.scores().toString());
        assertEquals(0.0, o.scores().get("non_target_flagged"), o.scores().toString());
    }

    /**
     * {@link #constructed} with 100 poisoned samples in label 0 and, in label 1, a legitimate sub-population: 80
     * of its clean samples shifted by 8 along another axis (a GTSRB label's few physical signs). Each sample's
     * first pixel holds the label its image really shows — its source label for a poisoned one.
     */
    private static Object[] withLegitimateSubPopulation() {
        Object[] c = constructed(100, 0);
        float[][] features = (float[][]) c[0];
        PoisonedSet set = (PoisonedSet) c[1];
        int[] labels = set.images().labels();
        byte[] pixels = set.images().pixels();
        int shifted = 0;
        for (int i = 0; i < labels.length; i++) {
            pixels[i * ImageSet.IMAGE_BYTES] = (byte) (set.poisoned()[i] ? 1 + i % 3 : labels[i]);
            if (labels[i] == 1 && shifted < 80) {
                features[i][12] += 8;
                shifted++;
            }
        }
        return c;
    }

    /** A retrained model that reads the label an image shows (the first pixel): one that learned no backdoor. */
    private static int[] showsItsSource(ImageSet excluded) {
        int[] predicted = new int[excluded.size()];
        for (int k = 0; k < predicted.length; k++) {
            predicted[k] = excluded.pixels()[k * ImageSet.IMAGE_BYTES];
        }
        return predicted;
    }

    @Test
    void exclusionaryReclassificationClearsALegitimateSubPopulationAndKeepsThePoison() {
        Object[] c = withLegitimateSubPopulation();
        float[][] f = (float[][]) c[0];
        PoisonedSet set = (PoisonedSet) c[1];
        DefenseOutcome plain = ac.inspect(f, set, 1);
        assertTrue(plain.detected());
        assertEquals(1.0, plain.scores().get("non_target_flagged"), "the sub-population passes both thresholds");

        ActivationClustering confirming = ActivationClustering.fromConfig(
                settings(ActivationClustering.NAME, "confirm = exclusionary-reclassification"));
        int[] seen = new int[2];
        DefenseOutcome o = confirming.inspect(f, set, 1, (kept, excluded) -> {
            seen[0] = kept.size();
            seen[1] = excluded.size();
            assertEquals(0, kept.poisonedCount(), "every poisoned sample was in the suspicious cluster");
            return showsItsSource(excluded);
        });
        assertEquals(set.size(), seen[0] + seen[1]);
        assertEquals(180, seen[1], 3, "the two suspicious clusters: 100 poisoned, 80 shifted");
        assertTrue(o.detected(), o.scores().toString());
        assertEquals(2.0, o.scores().get("suspicious_labels"));
        assertEquals(0.0, o.scores().get("non_target_flagged"), o.scores().toString());
        assertEquals(1.0, o.scores().get("reclassified_own_01"), 1e-9);
        assertEquals(0.0, o.scores().get("reclassified_own_00"), 0.02);
        assertTrue(o.scores().get("removal_precision") > 0.95, o.scores().toString());
        assertEquals(1.0, o.thresholds().get("reclassification_threshold"));
        assertEquals(0.0, plain.thresholds().get("reclassification_threshold"));
    }

    @Test
    void exclusionaryReclassificationClearsTheTargetWhenTheRetrainedModelStillObeysTheTrigger() {
        Object[] c = withLegitimateSubPopulation();
        ActivationClustering confirming = ActivationClustering.fromConfig(
                settings(ActivationClustering.NAME, "confirm = exclusionary-reclassification"));
        // Every excluded sample comes back to the label it carries, as from a model that learned the trigger.
        PoisonedSet set = (PoisonedSet) c[1];
        DefenseOutcome o = confirming.inspect((float[][]) c[0], set, 1, (kept, excluded) -> {
            int[] labels = excluded.labels();
            return java.util.Arrays.copyOf(labels, labels.length);
        });
        assertFalse(o.detected(), o.scores().toString());
        assertEquals(0.0, o.scores().get("flagged_labels"));
        assertEquals(1.0, o.scores().get("reclassified_own_00"), 1e-9);
    }

    @Test
    void outOfRangeThresholdsNameTheirKey() {
        assertEquals("defenses.activation-clustering.confirm", assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "confirm = retrain"))).key());
        assertEquals("defenses.activation-clustering.reclassification-threshold", assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "reclassification-threshold = 0"))).key());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "size-threshold = 0.7")));
        assertEquals("defenses.activation-clustering.size-threshold", e.key());
        e = assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "dimensions = 0")));
        assertEquals("defenses.activation-clustering.dimensions", e.key());
        e = assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "reduction = tsne")));
        assertEquals("defenses.activation-clustering.reduction", e.key());
        e = assertThrows(InvalidConfigException.class,
                () -> ActivationClustering.fromConfig(settings(ActivationClustering.NAME, "dimensions = ten")));
        assertEquals("defenses.activation-clustering.dimensions", e.key());
        assertTrue(e.getMessage().contains("must be an integer"), e.getMessage());
    }
}
