package dev.blindspot.model;

import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.precision.PrecisionSchemes;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.SplittableRandom;

import static dev.blindspot.TestArrays.maxDifference;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The folded channels-last inference network computes what the trained network computes (probabilities and
 * penultimate features within 1e-4), follows parameter changes made in place, and is not used where it
 * cannot be exact (residual graphs, the precision schemes that quantize activations).
 */
class InferenceGraphsTest {
    private static final double TOL = 1e-4;

    @BeforeAll
    static void kernels() {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
    }

    /** compact-cnn with non-trivial BatchNorm statistics and scales (a few training steps on random data). */
    private static ComputationGraph trained() {
        ComputationGraph net = new CompactCnn().build(10, new TrainingConfig(10, 32, 0.05, 0.9, 5e-4), 7);
        Nd4j.getRandom().setSeed(11);
        for (int step = 0; step < 5; step++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 32, 3, 32, 32).muli(1.3).addi(0.2);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 10);
            for (int i = 0; i < 32; i++) {
                y.putScalar(i, (i * 3 + step) % 10, 1f);
            }
            net.fit(new INDArray[] {x}, new INDArray[] {y});
        }
        return net;
    }

    private static ImageSet images(int n, long seed) {
        byte[] pixels = new byte[n * ImageSet.IMAGE_BYTES];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        return new ImageSet(pixels, new int[n], 10);
    }

    private static final Normalization NORM = new Normalization(new float[] {0.49f, 0.48f, 0.45f},
            new float[] {0.25f, 0.24f, 0.26f});

    /** What the trained graph itself outputs: probabilities and features, NCHW, no folding. */
    private static float[][][] reference(ComputationGraph net, ImageSet set) {
        INDArray[] acts = net.output(List.of(Architecture.FEATURES, Architecture.OUTPUT), false,
                new INDArray[] {NORM.toInput(set.pixels(), 0, set.size())}, null);
        return new float[][][] {acts[1].toFloatMatrix(), acts[0].toFloatMatrix()};
    }

    @Test
    void theFoldedNetworkComputesWhatTheTrainedOneDoes() {
        ComputationGraph net = trained();
        assertTrue(InferenceGraphs.foldable(net.getConfiguration()));
        ImageSet set = images(300, 1); // more than one inference batch
        Classifier c = new Classifier(net, NORM);
        Classifier.Outputs fast = c.outputs(set);
        float[][][] ref = reference(net, set);
        assertTrue(maxDifference(ref[0], fast.probabilities()) <= TOL, "probabilities " + maxDifference(ref[0], fast.probabilities()));
        assertTrue(maxDifference(ref[1], fast.features()) <= TOL, "features " + maxDifference(ref[1], fast.features()));
        double spread = 0; // over every feature: a single channel may be dead (ReLU) in a briefly trained net
        for (float[] f : ref[1]) {
            for (int k = 0; k < f.length; k++) {
                spread = Math.max(spread, Math.abs(f[k] - ref[1][0][k]));
            }
        }
        assertTrue(spread > 1e-2, "the comparison is not between constants");
        // Inputs normalized by the caller (STRIP's unclipped sums) take the same path, in the same batches.
        Classifier.Outputs normalized = c.outputs(NORM.toInput(set.pixels(), 0, set.size()));
        assertEquals(0.0, maxDifference(fast.probabilities(), normalized.probabilities()));
        assertEquals(0.0, maxDifference(fast.features(), normalized.features()));

        // A parameter changed in place (as pruning does) reaches the next inference.
        INDArray w = net.getLayer("conv5").getParam("W");
        w.muli(-0.5);
        Classifier.Outputs after = c.outputs(set);
        float[][][] refAfter = reference(net, set);
        assertTrue(maxDifference(refAfter[0], after.probabilities()) <= TOL, "after an in-place change: " + maxDifference(refAfter[0], after.probabilities()) + " vs before " + maxDifference(ref[0], refAfter[0]));
        assertTrue(maxDifference(ref[0], after.probabilities()) > 1e-3, "the change changed the outputs");
    }

    @Test
    void graphsThatCannotBeFoldedExactlyAreLeftAsTheyAre() {
        TrainingConfig t = new TrainingConfig(10, 32, 0.05, 0.9, 5e-4);
        assertFalse(InferenceGraphs.foldable(new PreActResNet18().build(10, t, 1).getConfiguration()), "residual adds");
        assertFalse(InferenceGraphs.foldable(new CompactCnn().build(10, t, 1, LayerFlavor.STOCK).getConfiguration()),
                "stock BatchNorm + activation layers");
        Classifier fp32 = new Classifier(trained(), NORM);
        ImageSet calibration = images(64, 2);
        for (String scheme : List.of("int8-dynamic", "int8", "int4")) {
            Classifier q = PrecisionSchemes.byName(scheme).apply(fp32, calibration);
            assertFalse(InferenceGraphs.foldable(q.network().getConfiguration()), scheme + " quantizes activations");
            ImageSet set = images(40, 4);
            assertEquals(0.0, maxDifference(reference(q.network(), set)[0], q.outputs(set).probabilities()), scheme
                    + ": the classifier runs the quantized graph itself");
        }
        // int4-sim quantizes weights only: folding its BatchNorms is exact arithmetic on the quantized weights.
        Classifier sim = PrecisionSchemes.byName("int4-sim").apply(fp32, calibration);
        ImageSet set = images(50, 3);
        float[][][] ref = reference(sim.network(), set);
        assertTrue(maxDifference(ref[0], sim.outputs(set).probabilities()) <= TOL, "int4-sim folded");
        assertEquals(0, InferenceGraphs.fold(new PreActResNet18().build(10, t, 1)).stream().count());
    }
}
