package dev.blindspot.model;

import dev.blindspot.nd4j.NativeKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast path (oneDNN helpers and the fused BatchNorm+ReLU layer) computes what DL4J's plain path
 * computes (stock layers, no helpers): outputs in training and inference mode, the loss, every parameter
 * gradient, and the running statistics, within 1e-4.
 */
class FastPathEquivalenceTest {
    private static final double TOL = 1e-4;

    @BeforeAll
    static void kernels() {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
    }

    private static ComputationGraph build(Architecture arch, LayerFlavor flavor, boolean helpers) {
        String old = System.getProperty(NativeKernels.HELPERS_PROPERTY);
        System.setProperty(NativeKernels.HELPERS_PROPERTY, helpers ? "false" : "true");
        try {
            return arch.build(10, new TrainingConfig(10, 16, 0.05, 0.9, 5e-4), 3, flavor);
        } finally {
            System.setProperty(NativeKernels.HELPERS_PROPERTY, old == null ? "false" : old);
        }
    }

    private static void check(Architecture arch, int batch) {
        ComputationGraph fast = build(arch, LayerFlavor.FUSED, true);
        ComputationGraph plain = build(arch, LayerFlavor.STOCK, false);
        assertEquals(fast.params().length(), plain.params().length(), "same parameter layout");
        // Non-trivial BatchNorm parameters, identical in both.
        INDArray p = fast.params().dup();
        plain.setParams(p);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32).muli(1.5).addi(0.3);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 7) % 10, 1f);
        }
        assertClose("inference output", plain.outputSingle(false, x), fast.outputSingle(false, x));

        for (ComputationGraph net : new ComputationGraph[] {fast, plain}) {
            net.setInputs(x);
            net.setLabels(y);
            net.computeGradientAndScore();
        }
        assertEquals(plain.score(), fast.score(), TOL, "loss");
        // Trainable parameters' gradients. (The stock BatchNorm reports its running-statistics update as
        // the "gradient" of mean/var; the fused layer updates them in place. Both are compared below,
        // through the parameters after a training step.)
        int compared = 0;
        for (String key : plain.gradient().gradientForVariable().keySet()) {
            if (key.endsWith("_mean") || key.endsWith("_var")) {
                continue;
            }
            INDArray gf = fast.gradient().getGradientFor(key);
            assertNotNull(gf, "fast path has no gradient for " + key);
            INDArray gp = plain.gradient().getGradientFor(key);
            assertTrue(gp.norm2Number().doubleValue() > 1e-6, key + ": gradients must not be trivially zero");
            assertClose("gradient of " + key, gp, gf);
            compared++;
        }
        assertTrue(compared >= 10, "compared only " + compared + " gradients");

        // One training step each: the running statistics and all parameters move the same way.
        fast.setParams(p.dup());
        plain.setParams(p.dup());
        fast.fit(new INDArray[] {x}, new INDArray[] {y});
        plain.fit(new INDArray[] {x}, new INDArray[] {y});
        for (String key : plain.paramTable().keySet()) {
            INDArray after = fast.getParam(key);
            INDArray stock = plain.getParam(key);
            if (!key.endsWith("_var")) {
                assertClose(key + " after a step", stock, after);
                continue;
            }
            // Running variance: PyTorch (and the fused layer) feed it the unbiased batch variance,
            // DL4J's stock layer the biased one, so the new contributions differ by m/(m-1) >= 1.
            INDArray old = p.dup();
            ComputationGraph before = build(arch, LayerFlavor.STOCK, false);
            before.setParams(old);
            INDArray base = before.getParam(key).mul(0.9);
            double[] ratio = after.sub(base).div(stock.sub(base)).castTo(DataType.DOUBLE).toDoubleVector();
            for (double r : ratio) {
                assertTrue(r >= 1 - 1e-3 && r < 1.02, key + ": fused/stock running-variance update ratio " + r);
            }
        }
        assertClose("training-mode output", plain.outputSingle(true, x), fast.outputSingle(true, x));
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        assertEquals(expected.length(), actual.length(), what);
        double worst = abs(expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)))
                .maxNumber().doubleValue();
        assertTrue(worst <= TOL, what + ": max |plain - fast| = " + worst);
    }

    private static INDArray abs(INDArray a) {
        return org.nd4j.linalg.ops.transforms.Transforms.abs(a, false);
    }

    @Test
    void compactCnn() {
        check(new CompactCnn(), 12);
    }

    @Test
    void preActResNet18() {
        check(new PreActResNet18(), 4);
    }
}
