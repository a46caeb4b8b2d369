package dev.blindspot.precision;

import dev.blindspot.nd4j.NativeKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The precision schemes against PyTorch's own quantization (golden vectors in {@code ../shared/golden}):
 * {@code int8-dynamic} and {@code int4-sim} within 1e-4 per logit, {@code int8} within 0.006 with the same
 * argmax on at least 96% of inputs — and the float model fails the int8 comparisons, so they can fail.
 */
class GoldenSchemesTest {
    @BeforeAll
    static void kernels() {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return org.nd4j.linalg.ops.transforms.Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false)
                .maxNumber().doubleValue();
    }

    private static double argmaxAgreement(INDArray a, INDArray b) {
        INDArray am = a.argMax(1);
        INDArray bm = b.argMax(1);
        int same = 0;
        for (int i = 0; i < am.length(); i++) {
            same += am.getInt(i) == bm.getInt(i) ? 1 : 0;
        }
        return (double) same / am.length();
    }

    @Test
    void theRebuiltFloatModelIsPyTorchsFloatModel() throws IOException {
        for (String f : List.of("int8-dynamic-mlp-qnnpack.json", "int4-sim-cnn.json", "int8-static-cnn-qnnpack.json")) {
            GoldenCase c = new GoldenCase(f);
            double d = maxDiff(c.net.outputSingle(false, c.input()), c.floatOut());
            assertTrue(d < 1e-4, f + ": float model differs from PyTorch's by " + d);
        }
    }

    @Test
    void int8DynamicMatchesPyTorch() throws IOException {
        GoldenCase c = new GoldenCase("int8-dynamic-mlp-qnnpack.json");
        ComputationGraph q = new Int8DynamicScheme().quantize(c.net);
        double d = maxDiff(q.outputSingle(false, c.input()), c.expected());
        assertTrue(d <= c.tolerance(), "int8-dynamic: max |ours - PyTorch| = " + d);
        double f = maxDiff(c.net.outputSingle(false, c.input()), c.expected());
        assertTrue(f > c.tolerance(), "the float model must fail this comparison, but differs by only " + f);
    }

    @Test
    void int4SimMatchesPyTorch() throws IOException {
        GoldenCase c = new GoldenCase("int4-sim-cnn.json");
        Int4SimScheme scheme = new Int4SimScheme();
        ComputationGraph q = scheme.apply(new dev.blindspot.model.Classifier(c.net, null), null).network();
        double d = maxDiff(q.outputSingle(false, c.input()), c.expected());
        assertTrue(d <= c.tolerance(), "int4-sim: max |ours - PyTorch| = " + d);
    }

    @Test
    void int8StaticMatchesPyTorch() throws IOException {
        GoldenCase c = new GoldenCase("int8-static-cnn-qnnpack.json");
        ComputationGraph q = StaticQuantScheme.int8().quantize(c.net, List.of(c.calibration()));
        INDArray ours = q.outputSingle(false, c.input());
        double d = maxDiff(ours, c.expected());
        double agree = argmaxAgreement(ours, c.expected());
        assertTrue(d <= c.tolerance(), "int8: max |ours - PyTorch| = " + d);
        assertTrue(agree >= 0.96, "int8: argmax agreement " + agree);
        INDArray flt = c.net.outputSingle(false, c.input());
        assertTrue(maxDiff(flt, c.expected()) > c.tolerance(), "the float model must fail the int8 comparison");
        assertEquals(c.input().size(0), ours.size(0));
    }
}
