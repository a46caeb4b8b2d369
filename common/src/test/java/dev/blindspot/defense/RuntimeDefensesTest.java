package dev.blindspot.defense;

import dev.blindspot.model.Architecture;
import dev.blindspot.model.Classifier;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static dev.blindspot.defense.NeuralCleanseTest.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** STRIP and Fine-Pruning, both variants, on models with and without a planted trigger. */
class RuntimeDefensesTest {
    private final Strip strip = Strip.fromConfig(settings(Strip.NAME, "blends = 100, inputs = 200"));
    /** The same with the authors' unclipped sums. */
    private final Strip additive = Strip.fromConfig(settings(Strip.NAME, "blends = 100, inputs = 200, superimpose = additive"));

    /** STRIP (defaults, clipped sums) on the striped backdoored fixture, computed once: it is the costly part. */
    private static DefenseOutcome stripOnBackdoored;

    private synchronized DefenseOutcome stripOnBackdoored() {
        if (stripOnBackdoored == null) {
            stripOnBackdoored = strip.run(PlantedModels.stripedBackdoored().context(9));
        }
        return stripOnBackdoored;
    }

    @Test
    void stripRanksTriggeredInputsOfABackdooredModelBelowCleanOnes() {
        DefenseOutcome o = stripOnBackdoored();
        System.out.println("STRIP, clipped sums, on the striped backdoored fixture: " + o.scores());
        // The ranking holds (tinted images: AUROC 0.002). How many fall below the 1%-FRR threshold depends on the
        // clean entropies' lowest 1%, which moves with the training run: 81% caught with PyTorch's init, 1.3%
        // with He's (AUROC 0.99 and 0.98). So the catch rate is asserted where it is stable, unclipped, below.
        assertTrue(o.scores().get("entropy_auroc") > 0.9, o.scores().toString());
        assertTrue(o.scores().get("mean_entropy_triggered") < o.scores().get("mean_entropy_clean"));
        assertTrue(o.scores().get("frr") <= 0.1, "the threshold sits at 1% FRR of the clean split: " + o.scores());
        assertTrue(o.thresholds().get("entropy") > 0);
    }

    @Test
    void stripWithUnclippedSumsCatchesTriggeredInputsOfABackdooredModel() {
        DefenseOutcome o = additive.run(PlantedModels.stripedBackdoored().context(9));
        DefenseOutcome clipped = stripOnBackdoored();
        assertEquals(0.0, o.thresholds().get("clipped"));
        assertEquals(1.0, clipped.thresholds().get("clipped"));
        System.out.println("STRIP, unclipped sums, on the striped backdoored fixture: " + o.scores());
        assertTrue(o.detected(), o.scores().toString());
        // 100% with PyTorch's init, 98.7% with He's.
        assertTrue(o.scores().get("triggered_detected") >= 0.9, "the literature's bar: " + o.scores());
        assertTrue(o.scores().get("entropy_auroc") > 0.9, o.scores().toString());
        // Same inputs, same blend partners (same seed): only the sums differ, and so do the entropies.
        assertNotEquals(clipped.scores().get("mean_entropy_clean"), o.scores().get("mean_entropy_clean"));
    }

    @Test
    void stripReportsItsCatchRateOnTheInputsTheBackdoorSendsToTheTarget() {
        DefenseOutcome o = stripOnBackdoored();
        // The first 200 test images' triggered copies: the share sent to the target is that subset's ASR.
        double effective = o.scores().get("triggered_effective");
        assertTrue(effective > 0.5 && effective <= 1, o.scores().toString());
        double caught = o.scores().get("triggered_detected");
        double caughtEffective = o.scores().get("effective_triggered_detected");
        // caught = effective * caughtEffective + (1 - effective) * (catch rate on the others)
        assertTrue(caught >= effective * caughtEffective - 1e-12, o.scores().toString());
        assertTrue(caught <= effective * caughtEffective + (1 - effective) + 1e-12, o.scores().toString());
    }

    @Test
    void stripDoesNotFlagTriggeredInputsOfACleanModel() {
        DefenseOutcome o = strip.run(PlantedModels.stripedClean().context(9));
        assertFalse(o.detected(), o.scores().toString());
        // The variant that catches 90% of the backdoored model's triggered inputs flags none of these.
        DefenseOutcome a = additive.run(PlantedModels.stripedClean().context(9));
        assertFalse(a.detected(), a.scores().toString());
        assertTrue(a.scores().get("triggered_detected") < 0.1, a.scores().toString());
    }

    @Test
    void stripPaperNeverDetectsEvenABackdooredModel() {
        StripPaper paper = StripPaper.fromConfig(settings(StripPaper.NAME, "images = 200"));
        DefenseOutcome o = paper.run(PlantedModels.stripedBackdoored().context(9));
        assertFalse(o.detected());
        // the share below its own 5th percentile is 5% by construction (ties aside)
        assertTrue(o.scores().get("share_below") <= 0.1, o.scores().toString());
    }

    @Test
    void finePruningPrunesWithinTheAccuracyBudgetAndLeavesTheDeployedModelAlone() {
        PlantedModels.Planted p = PlantedModels.backdoored();
        INDArray before = p.model().network().params().dup();
        FinePruning fp = FinePruning.fromConfig(settings(FinePruning.NAME, "fine-tune-epochs = 2"));
        DefenseOutcome o = fp.run(p.context(4));
        assertEquals(before, p.model().network().params(), "the defense works on copies");
        double pruned = o.scores().get("pruned_channels");
        assertTrue(pruned >= 1 && pruned < o.scores().get("channels"), o.scores().toString());
        assertTrue(o.scores().get("defender_acc_before") - o.scores().get("defender_acc_pruned") <= 0.04 + 1e-9);
        assertEquals(PlantedModels.asr(p), o.scores().get("asr_before"), 1e-12);
        assertEquals(o.scores().get("asr_after") <= 0.2, o.detected());
        for (String share : new String[] {"trigger_push_pruned", "trigger_push_rank"}) {
            double v = o.scores().get(share);
            assertTrue(v >= 0 && v <= 1, share + " = " + v);
        }

        // The pruned-only model is the deployed one without exactly the pruned_channels least active channels.
        float[][] features = p.model().outputs(p.data().cleanSplit()).features();
        double[] mean = new double[features[0].length];
        for (float[] f : features) {
            for (int c = 0; c < mean.length; c++) {
                mean[c] += f[c] / (double) features.length;
            }
        }
        Integer[] order = java.util.stream.IntStream.range(0, mean.length).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, java.util.Comparator.comparingDouble((Integer c) -> mean[c]));
        Classifier prunedOnly = p.model().copy();
        for (int k = 0; k < (int) pruned; k++) {
            FinePruning.prune(prunedOnly.network(), order[k]);
        }
        PlantedModels.Planted prunedPlanted = new PlantedModels.Planted(prunedOnly, p.data(), p.test());
        assertEquals(PlantedModels.asr(prunedPlanted), o.scores().get("asr_pruned"), 1e-12);
        assertEquals(dev.blindspot.metrics.Metrics.accuracy(prunedOnly.predict(p.test()), p.test().labels()),
                o.scores().get("clean_acc_pruned"), 1e-12);
    }

    @Test
    void triggerPushIsTheTargetWeightTimesTheTriggersActivationShift() {
        // Row 1 is a target-class image, left out: its shift would move every channel's mean.
        float[][] clean = {{1, 0, 2, 1}, {0, 0, 0, 0}, {1, 2, 0, 1}};
        float[][] triggered = {{1, 3, 2, 2}, {9, 9, 9, 9}, {1, 3, 0, 2}};
        int[] rows = {0, 2};
        // Mean shift over rows 0 and 2 (0, 2, 0, 1), target weights (1, 0.5, 1, 2).
        double[] push = FinePruning.triggerPush(clean, triggered, rows, new double[] {1, 0.5, 1, 2});
        assertArrayEquals(new double[] {0, 1, 0, 2}, push, 1e-12);
        assertEquals(1.0 / 3, FinePruning.pushShare(push, new int[] {1}), 1e-12);
        assertEquals(2.0 / 3, FinePruning.pushShare(push, new int[] {0, 3}), 1e-12);
        assertEquals(0.0, FinePruning.pushShare(push, new int[] {0, 2}), 0);
        // Pruning order 1, 0, 2, 3: the push sits at positions 0 (weight 1) and 3 (weight 2) of 0..3.
        assertEquals(6.0 / 9, FinePruning.pushRank(push, new Integer[] {1, 0, 2, 3}), 1e-12);
        assertEquals(2.0 / 9, FinePruning.pushRank(push, new Integer[] {1, 3, 0, 2}), 1e-12);
        assertEquals(0.0, FinePruning.pushRank(new double[] {0, 1, 0, 0}, new Integer[] {1, 3, 0, 2}), 0,
                "all the push on the first channel pruned");
        // A channel that pulls away from the target (negative push) is not part of the backdoor's route.
        double[] pulled = FinePruning.triggerPush(clean, triggered, rows, new double[] {1, 0.5, 1, -2});
        assertEquals(1.0, FinePruning.pushShare(pulled, new int[] {1}), 1e-12);
        assertTrue(Double.isNaN(FinePruning.pushShare(new double[4], new int[] {1})), "nothing pushes: undefined");
        assertTrue(Double.isNaN(FinePruning.pushRank(new double[] {0, -1, 0, 0}, new Integer[] {1, 3, 0, 2})));
    }

    @Test
    void pruningAChannelZeroesItsContributionToTheLogits() {
        Classifier copy = PlantedModels.backdoored().model().copy();
        FinePruning.prune(copy.network(), 5);
        INDArray w = copy.network().getLayer(Architecture.OUTPUT).getParam("W");
        assertEquals(0.0, w.getRow(5).norm1Number().doubleValue(), 0);
        assertTrue(w.getRow(4).norm1Number().doubleValue() > 0);
    }

    @Test
    void finePruningPaperCountsDormantChannels() {
        PlantedModels.Planted p = PlantedModels.backdoored();
        FinePruningPaper paper = FinePruningPaper.fromConfig(settings(FinePruningPaper.NAME, "images = 100"));
        DefenseOutcome healthy = paper.run(p.context(1));
        double share = healthy.scores().get("dormant_share");
        assertTrue(share >= 0 && share <= 1);

        // Kill every filter of conv1, conv2, conv3 and conv4: their outputs are 0, far over 30% of all channels.
        Classifier dead = p.model().copy();
        for (String conv : new String[] {"conv1", "conv2", "conv3", "conv4"}) {
            dead.network().getLayer(conv).getParam("W").assign(0);
            if (dead.network().getLayer(conv).paramTable().containsKey("b")) {
                dead.network().getLayer(conv).getParam("b").assign(0);
            }
        }
        DefenseOutcome killed = paper.run(p.context(dead, m -> m, 1));
        assertTrue(killed.scores().get("dormant_share") > 0.3, killed.scores().toString());
        assertTrue(killed.detected());
        assertTrue(killed.scores().get("dormant_share") > share);
    }

    @Test
    void badRuntimeSettingsNameTheirKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Strip.fromConfig(settings(Strip.NAME, "frr = 0.7")));
        assertEquals("defenses.strip.frr", e.key());
        e = assertThrows(InvalidConfigException.class,
                () -> Strip.fromConfig(settings(Strip.NAME, "superimpose = alpha")));
        assertEquals("defenses.strip.superimpose", e.key());
        assertTrue(e.getMessage().contains("clipped, additive"), e.getMessage());
        e = assertThrows(InvalidConfigException.class,
                () -> FinePruning.fromConfig(settings(FinePruning.NAME, "mitigated-asr = 0")));
        assertEquals("defenses.fine-pruning.mitigated-asr", e.key());
    }
}
