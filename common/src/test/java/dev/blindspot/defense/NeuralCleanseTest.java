package dev.blindspot.defense;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.InputGradients;
import dev.blindspot.precision.Int8DynamicScheme;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuralCleanseTest {
    /** The documented defaults with a small budget: the planted trigger is easy to find. */
    static Config settings(String defense, String overrides) {
        return ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.defaultReference().getConfig("blindspot.defenses").getConfig("\"" + defense + "\""));
    }

    @Test
    void theInputGradientIsThatOfTheSummedLoss() {
        // TriggerReversal divides by the batch size on this premise; a finite difference of the mean loss checks it.
        PlantedModels.Planted p = PlantedModels.backdoored();
        Classifier model = p.model();
        int b = 8;
        INDArray x = model.normalization().toInput(p.test().pixels(), 0, b);
        INDArray y = Nd4j.zeros(DataType.FLOAT, b, PlantedModels.CLASSES);
        for (int i = 0; i < b; i++) {
            y.putScalar(i, (i + 1) % PlantedModels.CLASSES, 1f);
        }
        InputGradients gradients = new InputGradients(model);
        INDArray g = gradients.gradient(x, y).dup();
        int[] probes = {5, 1000, 2 * 3072 + 77, 3 * 3072 + 3000, 6 * 3072 + 1500};
        for (int idx : probes) {
            double h = 1e-2;
            INDArray plus = x.dup();
            plus.putScalar(idx, x.getDouble(idx) + h);
            INDArray minus = x.dup();
            minus.putScalar(idx, x.getDouble(idx) - h);
            gradients.gradient(plus, y);
            double lp = gradients.loss();
            gradients.gradient(minus, y);
            double lm = gradients.loss();
            double numeric = (lp - lm) / (2 * h); // of the mean loss
            // The loss is a float: the difference cannot resolve less than its two roundings (an ulp each; at a
            // loss of 8-16 that is 7.6e-4 of the summed gradient here, more than a small gradient).
            double resolution = b * (Math.ulp((float) lp) + Math.ulp((float) lm)) / (2 * h);
            assertEquals(numeric * b, g.getDouble(idx), 0.15 * Math.abs(numeric * b) + 1e-4 + resolution,
                    "input " + idx);
        }
    }

    @Test
    void findsThePlantedTriggerAndNamesItsTarget() {
        PlantedModels.Planted p = PlantedModels.backdoored();
        assertTrue(PlantedModels.asr(p) > 0.9, "the fixture must carry a working backdoor");
        DefenseOutcome o = NeuralCleanse.fromConfig(settings(NeuralCleanse.NAME, "steps = 120, batch-per-label = 24"))
                .run(p.context(3));
        double target = o.scores().get("mask_norm_00");
        for (int l = 1; l < PlantedModels.CLASSES; l++) {
            assertTrue(target < o.scores().get("mask_norm_0" + l), "target mask " + target + " vs label " + l
                    + " " + o.scores());
        }
        assertTrue(o.detected(), o.scores().toString());
        assertEquals(Boolean.TRUE, o.targetIdentified());
        assertEquals(2.0, o.thresholds().get("anomaly_index"));
    }

    @Test
    void doesNotNameTheTargetOfACleanModel() {
        DefenseOutcome o = NeuralCleanse.fromConfig(settings(NeuralCleanse.NAME, "steps = 120, batch-per-label = 24"))
                .run(PlantedModels.clean().context(3));
        assertEquals(Boolean.FALSE, o.targetIdentified(), o.scores().toString());
    }

    @Test
    void thePaperVariantAtInt8DynamicEndsWithEqualNormsAndDetectsNothing() {
        PlantedModels.Planted p = PlantedModels.backdoored();
        Classifier dynamic = new Int8DynamicScheme().apply(p.model(), null);
        NeuralCleansePaper paper = NeuralCleansePaper.fromConfig(settings(NeuralCleansePaper.NAME, "epochs = 3, batch-size = 32"));
        DefenseOutcome cut = paper.run(p.context(dynamic, m -> m, 5));
        assertEquals(1.0, cut.scores().get("model_gradient_cut"));
        double first = cut.scores().get("mask_norm_00");
        for (int l = 1; l < PlantedModels.CLASSES; l++) {
            assertEquals(first, cut.scores().get("mask_norm_0" + l), 0.0, "only the L1 term moves the masks");
        }
        assertEquals(0.0, cut.scores().get("mask_norm_mad"));
        assertFalse(cut.detected());

        // The same variant on the FP32 model: the gradient flows and the norms differ.
        DefenseOutcome fp32 = paper.run(p.context(5));
        assertEquals(0.0, fp32.scores().get("model_gradient_cut"));
        assertTrue(fp32.scores().get("mask_norm_mad") > 0, fp32.scores().toString());
    }

    @Test
    void aZeroBudgetIsRejectedWithItsKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> NeuralCleanse.fromConfig(settings(NeuralCleanse.NAME, "steps = 0")));
        assertEquals("defenses.neural-cleanse.steps", e.key());
        e = assertThrows(InvalidConfigException.class,
                () -> NeuralCleanse.fromConfig(settings(NeuralCleanse.NAME, "success-threshold = 1.5")));
        assertEquals("defenses.neural-cleanse.success-threshold", e.key());
    }
}
