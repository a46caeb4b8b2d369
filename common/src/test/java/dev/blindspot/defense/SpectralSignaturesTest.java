package dev.blindspot.defense;

import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.blindspot.defense.SpectralSignatures.Scoring.CENTRED;
import static dev.blindspot.defense.SpectralSignatures.Scoring.RAW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpectralSignaturesTest {
    private static final int DIM = 16;
    private static final int PER_LABEL = 300;
    private static final int POISONED = 100;
    private final SpectralSignatures auto = new SpectralSignatures(new SpectralSignatures.Params(Double.NaN, 1.5, 0.5, CENTRED));

    /**
     * Four labels of 300 clean samples, N(0, I) in 16-d, plus 100 poisoned samples labelled 0 whose
     * representations are shifted by {@code shift} along one axis (a backdoor's separate cluster).
     */
    private static Object[] constructed(double shift, boolean withPoison) {
        return constructed(shift, withPoison ? POISONED : 0, 0);
    }

    /** As above with {@code poisonedCount} poisoned samples and every coordinate offset by {@code offset}. */
    private static Object[] constructed(double shift, int poisonedCount, double offset) {
        int n = 4 * PER_LABEL + poisonedCount;
        SplittableRandom rng = new SplittableRandom(11);
        float[][] features = new float[n][DIM];
        int[] labels = new int[n];
        boolean[] poisoned = new boolean[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < DIM; j++) {
                features[i][j] = (float) (offset + rng.nextGaussian());
            }
            if (i < 4 * PER_LABEL) {
                labels[i] = i % 4;
            } else {
                labels[i] = 0;
                poisoned[i] = true;
                features[i][3] += (float) shift;
            }
        }
        PoisonedSet set = new PoisonedSet(new ImageSet(new byte[n * ImageSet.IMAGE_BYTES], labels, 4), poisoned,
                new BadNet(3, 0.1, 0));
        return new Object[] {features, set};
    }

    @Test
    void removesNearlyAllPoisonedSamplesOfASeparateCluster() {
        Object[] c = constructed(6.0, true);
        DefenseOutcome out = auto.inspect((float[][]) c[0], (PoisonedSet) c[1]);
        assertTrue(out.detected());
        assertTrue(out.scores().get("removal_recall") >= 0.95, "recall " + out.scores());
        assertTrue(out.scores().get("score_auroc") > 0.95, "auroc " + out.scores());
        assertEquals(100.0 / 1300, out.thresholds().get("epsilon"), 1e-12, "auto epsilon = the true poison rate");
        // 1.5 * epsilon * n = 150 removed from every label
        assertEquals(4 * 150, out.scores().get("removed"), 1e-9);
    }

    @Test
    void missesPoisonThatIsNotSeparableInFeatureSpace() {
        Object[] c = constructed(0.0, true);
        DefenseOutcome out = auto.inspect((float[][]) c[0], (PoisonedSet) c[1]);
        assertFalse(out.detected(), "no signal, yet detected: " + out.scores());
        assertTrue(out.scores().get("removal_recall") < 0.5);
    }

    @Test
    void flagsNothingOnACleanSetWithTheTrueRate() {
        Object[] c = constructed(6.0, false);
        DefenseOutcome out = auto.inspect((float[][]) c[0], (PoisonedSet) c[1]);
        assertFalse(out.detected());
        assertEquals(0.0, out.scores().get("removed"));
        assertEquals(0.0, out.scores().get("removal_fpr"));
    }

    @Test
    void anAssumedRateOnACleanSetOnlyRemovesCleanSamples() {
        Object[] c = constructed(6.0, false);
        DefenseOutcome out = new SpectralSignatures(new SpectralSignatures.Params(0.1, 1.5, 0.5, CENTRED))
                .inspect((float[][]) c[0], (PoisonedSet) c[1]);
        assertFalse(out.detected());
        // 1.5 * 0.1 * 1200 = 180 of each label's 300 clean samples
        assertEquals(0.6, out.scores().get("removal_fpr"), 1e-9);
    }

    /**
     * Post-ReLU-like representations (every coordinate around 8) of a label that is 23% poisoned, the poison
     * shifted by 3 along one axis: the centred square spends part of the removal budget on the clean tail on the
     * other side of the label's mean; the raw projection removes only the far tail, where the poison is.
     */
    @Test
    void rawScoringRemovesTheOneTailWhereAMinorityOfPoisonSits() {
        Object[] c = constructed(3.0, 90, 8.0);
        float[][] features = (float[][]) c[0];
        PoisonedSet set = (PoisonedSet) c[1];
        DefenseOutcome centred = auto.inspect(features, set);
        DefenseOutcome raw = new SpectralSignatures(new SpectralSignatures.Params(Double.NaN, 1.5, 0.5, RAW))
                .inspect(features, set);
        double centredRecall = centred.scores().get("removal_recall");
        double rawRecall = raw.scores().get("removal_recall");
        assertTrue(rawRecall >= 0.9, "raw recall " + raw.scores());
        assertTrue(rawRecall - centredRecall >= 0.1, "centred " + centredRecall + " vs raw " + rawRecall);
        assertEquals(centred.scores().get("removed"), raw.scores().get("removed"), "the same budget");
        assertEquals(1.0, raw.thresholds().get("raw_scoring"));
        assertEquals(0.0, centred.thresholds().get("raw_scoring"));
    }

    @Test
    void rejectsAnUnknownScoringNamingTheKey() {
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseString(
                "epsilon = auto, removal-factor = 1.5, detect-share = 0.5, scoring = centered");
        String message = assertThrows(InvalidConfigException.class, () -> SpectralSignatures.fromConfig(c)).getMessage();
        assertTrue(message.startsWith("defenses.spectral-signatures.scoring"), message);
        Object[] constructed = constructed(6.0, true);
        DefenseOutcome raw = SpectralSignatures.fromConfig(c.withValue("scoring",
                        com.typesafe.config.ConfigValueFactory.fromAnyRef("raw")))
                .inspect((float[][]) constructed[0], (PoisonedSet) constructed[1]);
        assertEquals(1.0, raw.thresholds().get("raw_scoring"));
    }

    @Test
    void rejectsOutOfRangeSettingsNamingTheKey() {
        assertTrue(assertThrows(InvalidConfigException.class, () -> new SpectralSignatures.Params(1.5, 1.5, 0.5, CENTRED))
                .getMessage().startsWith("defenses.spectral-signatures.epsilon"));
        assertTrue(assertThrows(InvalidConfigException.class, () -> new SpectralSignatures.Params(0.1, 0, 0.5, CENTRED))
                .getMessage().startsWith("defenses.spectral-signatures.removal-factor"));
    }
}
