package dev.blindspot.bench;

import dev.blindspot.model.Architecture;
import dev.blindspot.model.Architectures;
import dev.blindspot.model.TrainingConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Images per second of one architecture on random data, batch as given: a training step (forward,
 * backward, SGD update), an inference pass, and a backprop step without update (the cost of Neural
 * Cleanse's inner optimisation step). Same measurement as {@code torch_bench.py}.
 */
public final class ModelThroughput {
    /** Measured rates in images per second. */
    public record Rates(String arch, double trainIps, double inferIps, double backpropIps) {
    }

    private ModelThroughput() {
    }

    public static Rates measure(String archName, int batch, int warmup, int steps) {
        Architecture arch = Architectures.byName(archName);
        ComputationGraph net = arch.build(10, new TrainingConfig(100, batch, 0.01, 0.9, 5e-4), 0);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        INDArray[] xs = {x};
        INDArray[] ys = {y};
        double train = rate(() -> net.fit(xs, ys), warmup, steps, batch);
        double backprop = rate(() -> {
            net.setInputs(xs);
            net.setLabels(ys);
            net.computeGradientAndScore();
        }, warmup, steps, batch);
        double infer = rate(() -> net.output(false, xs), warmup, steps, batch);
        return new Rates(archName, train, infer, backprop);
    }

    private static double rate(Runnable step, int warmup, int steps, int batch) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        return steps * (double) batch / ((System.nanoTime() - t0) / 1e9);
    }
}
