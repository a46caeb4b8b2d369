package dev.blindspot.model;

import dev.blindspot.TestImages;
import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.nd4j.NativeKernels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerTest {
    private static final TrainingConfig ONE_EPOCH = new TrainingConfig(1, 32, 0.05, 0.9, 5e-4);
    private static PoisonedSet data;
    private static Normalization norm;

    @BeforeAll
    static void setUp() {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
        ImageSet train = TestImages.random(160, 4, 5);
        data = new BadNet(3, 0.1, 0).poison(train, 1);
        norm = Normalization.of(train);
    }

    private static Classifier train(long seed) {
        return Trainer.train(new CompactCnn(), data, norm, Augmentation.CROP_FLIP, ONE_EPOCH, seed);
    }

    @Test
    void sameSeedGivesTheSameModelBitForBit() {
        float[] a = train(7).network().params().toFloatVector();
        float[] b = train(7).network().params().toFloatVector();
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.hashCode(a), java.util.Arrays.hashCode(train(8).network().params().toFloatVector()));
    }

    @Test
    void aDivergedTrainingStopsWithAnErrorNamingTheLearningRate() {
        TrainingConfig absurd = new TrainingConfig(3, 32, 1e12, 0.9, 5e-4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.train(new CompactCnn(), data, norm, Augmentation.NONE, absurd, 7));
        assertTrue(e.getMessage().startsWith("training diverged: the loss is ") && e.getMessage().contains(
                "training.learning-rate = 1.0E12"), e.getMessage());
    }

    @Test
    void anUpdateAfterTheLastLossThatBreaksTheParametersIsCaught() {
        // One step per epoch: its loss is finite (computed before the update), and the update at a rate beyond
        // float's range leaves infinite and NaN parameters that only the check after the epoch can see.
        TrainingConfig oneStep = new TrainingConfig(1, data.images().size(), 1e39, 0.9, 5e-4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.train(new CompactCnn(), data, norm, Augmentation.NONE, oneStep, 7));
        assertTrue(e.getMessage().startsWith("training diverged: the parameters are not finite after epoch 1"),
                e.getMessage());
    }

    @Test
    void oneNonFiniteParameterIsADivergedTraining() {
        Classifier model = train(3);
        Trainer.checkParametersFinite(model.network(), 0, ONE_EPOCH);
        model.network().params().putScalar(1234, Float.NaN);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Trainer.checkParametersFinite(model.network(), 4, ONE_EPOCH));
        assertTrue(e.getMessage().startsWith("training diverged: the parameters are not finite after epoch 5"),
                e.getMessage());
    }

    @Test
    void aSavedModelLoadsWithTheSameOutputs() throws IOException {
        Classifier model = train(3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.save(bytes);
        Classifier back = Classifier.load(new ByteArrayInputStream(bytes.toByteArray()), norm);
        ImageSet probe = TestImages.random(20, 4, 99);
        assertArrayEquals(model.outputs(probe).probabilities()[3], back.outputs(probe).probabilities()[3]);
        assertEquals(4, back.numClasses());
    }

    @Test
    void everyArchitectureAppliesItsReLUs() {
        // The features are an average of ReLU outputs (compact-cnn) or of a residual sum that a final
        // linear layer reads (preact-resnet18); a lost ReLU makes compact-cnn's features go negative.
        ImageSet probe = TestImages.random(16, 4, 2);
        for (float[] f : train(3).outputs(probe).features()) {
            for (float v : f) {
                org.junit.jupiter.api.Assertions.assertTrue(v >= 0, "negative feature " + v + ": a ReLU is missing");
            }
        }
    }

    @Test
    void penultimateFeaturesAreTheGlobalPoolOutput() {
        Classifier.Outputs out = train(3).outputs(TestImages.random(5, 4, 1));
        assertEquals(128, out.features()[0].length);
        assertEquals(4, out.probabilities()[0].length);
        float sum = 0;
        for (float p : out.probabilities()[0]) {
            sum += p;
        }
        assertEquals(1f, sum, 1e-5f);
    }
}
