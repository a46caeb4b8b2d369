package dev.blindspot.model;

import dev.blindspot.nd4j.NativeKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassicalMomentumTest {
    @BeforeAll
    static void kernels() {
        NativeKernels.enable(NativeKernels.Policy.WARN, 2);
    }

    private static ClassicalMomentum rate(double lr, double momentum) {
        return new ClassicalMomentum(new MapSchedule(ScheduleType.EPOCH, Map.of(0, lr)), momentum);
    }

    /** PyTorch's SGD: v1 = g1, v2 = μ·v1 + g2, step = lr·v (Nesterov's first step would be (1 + μ)·lr·g1). */
    @Test
    void stepsAreTheLearningRateTimesTheHeavyBallBuffer() {
        GradientUpdater<?> u = rate(0.1, 0.9).instantiate(Nd4j.zeros(DataType.DOUBLE, 1, 3), true);
        INDArray g1 = Nd4j.createFromArray(1.0, -2.0, 0.5).reshape(1, 3);
        u.applyUpdater(g1, 0, 0);
        assertArrayEquals(new double[] {0.1, -0.2, 0.05}, g1.toDoubleVector(), 1e-12);
        INDArray g2 = Nd4j.createFromArray(3.0, 0.0, -1.0).reshape(1, 3);
        u.applyUpdater(g2, 1, 0);
        // v2 = 0.9·(1, −2, 0.5) + (3, 0, −1) = (3.9, −1.8, −0.55)
        assertArrayEquals(new double[] {0.39, -0.18, -0.055}, g2.toDoubleVector(), 1e-12);
    }

    @Test
    void theEpochScheduleAndAFixedRateBothSetTheStep() {
        ClassicalMomentum c = new ClassicalMomentum(new MapSchedule(ScheduleType.EPOCH, Map.of(0, 0.1, 2, 0.01)), 0);
        assertEquals(0.1, c.getLearningRate(50, 1), 0);
        assertEquals(0.01, c.getLearningRate(60, 2), 0);
        c.setLrAndSchedule(0.003, null); // what ComputationGraph.setLearningRate(double) does (Fine-Pruning's fine-tune)
        assertEquals(0.003, c.getLearningRate(60, 2), 0);
    }

    /** Through DL4J's own training loop: the first step moves a bias by exactly lr times its mean gradient. */
    @Test
    void aNetworkTrainedWithItStepsAsPyTorchsSgdAndSavesItsMomentum() throws IOException {
        TrainingConfig tc = new TrainingConfig(4, 8, 0.1, 0.9, 5e-4);
        ComputationGraph net = new CompactCnn().build(3, tc, 11, LayerFlavor.STOCK);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1);
        }
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        // DL4J's gradient is summed over the batch; the updater sees it divided by the batch size.
        double[] meanGradient = net.gradient().gradientForVariable().get("output_b").dup().divi(8).toDoubleVector();
        double[] before = net.getLayer(Architecture.OUTPUT).getParam("b").dup().toDoubleVector();
        net.fit(new INDArray[] {x}, new INDArray[] {y});
        double[] after = net.getLayer(Architecture.OUTPUT).getParam("b").toDoubleVector();
        for (int k = 0; k < 3; k++) {
            assertEquals(-0.1 * meanGradient[k], after[k] - before[k], 1e-6, "output bias " + k);
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.getUpdater().getStateViewArray(), back.getUpdater().getStateViewArray());
        net.fit(new INDArray[] {x}, new INDArray[] {y});
        back.fit(new INDArray[] {x}, new INDArray[] {y});
        assertEquals(net.params(), back.params(), "a restored model continues with the same momentum");
    }
}
