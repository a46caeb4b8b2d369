package dev.blindspot.bench;

import dev.blindspot.model.Architectures;
import dev.blindspot.model.InferenceGraphs;
import dev.blindspot.model.LayerFlavor;
import dev.blindspot.model.TrainingConfig;
import dev.blindspot.nd4j.NativeKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Consumer;

/**
 * Images per second of one architecture on random data, measured the way {@code torch_bench.py} measures
 * PyTorch: a training step (forward, backward, SGD update), a backprop step without update (the cost of
 * Neural Cleanse's inner optimisation step) and an inference pass, each after warm-up steps.
 *
 * <p>With {@code workers > 1}, that many threads each run their own network concurrently (as Spark tasks
 * of one executor do) and the rate is their total images over the wall time.
 */
public final class ModelThroughput {
    /** A configuration of our side. */
    public record Setup(String arch, LayerFlavor flavor, boolean helpers, int threadsPerWorker, int workers) {
        public String describe() {
            return arch + " " + flavor.name().toLowerCase(java.util.Locale.ROOT) + (helpers ? "+onednn" : " (no helpers)")
                    + " " + workers + "x" + threadsPerWorker + "thr";
        }
    }

    /** Measured rates in images per second. */
    public record Rates(double trainIps, double backpropIps, double inferIps) {
    }

    private ModelThroughput() {
    }

    public static Rates measure(Setup s, int batch, int warmup, int steps) {
        NativeKernels.enable(NativeKernels.Policy.WARN, s.threadsPerWorker());
        List<ComputationGraph> nets = new ArrayList<>();
        String old = System.getProperty(NativeKernels.HELPERS_PROPERTY);
        System.setProperty(NativeKernels.HELPERS_PROPERTY, s.helpers() ? "false" : "true");
        try {
            for (int w = 0; w < s.workers(); w++) {
                nets.add(Architectures.byName(s.arch()).build(10, new TrainingConfig(100, batch, 0.01, 0.9, 5e-4), w, s.flavor()));
            }
        } finally {
            System.setProperty(NativeKernels.HELPERS_PROPERTY, old == null ? "false" : old);
        }
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        INDArray[] xs = {x};
        INDArray[] ys = {y};
        int threads = s.threadsPerWorker();
        double train = concurrently(nets, threads, net -> net.fit(xs, ys), warmup, steps, batch);
        double backprop = concurrently(nets, threads, net -> {
            net.setInputs(xs);
            net.setLabels(ys);
            net.computeGradientAndScore();
        }, warmup, steps, batch);
        // Inference as Classifier runs it: on the folded channels-last copy where the graph allows (InferenceGraphs).
        List<ComputationGraph> inference = new ArrayList<>();
        for (ComputationGraph net : nets) {
            inference.add(InferenceGraphs.fold(net).orElse(net)); // empty for the stock flavor: it is not foldable
        }
        double infer = concurrently(inference, threads, net -> net.output(false, xs), warmup, steps, batch);
        return new Rates(train, backprop, infer);
    }

    private static double concurrently(List<ComputationGraph> nets, int threadsPerWorker, Consumer<ComputationGraph> step,
                                       int warmup, int steps, int batch) {
        CyclicBarrier start = new CyclicBarrier(nets.size() + 1);
        CyclicBarrier end = new CyclicBarrier(nets.size() + 1);
        List<Thread> threads = new ArrayList<>();
        for (ComputationGraph net : nets) {
            Thread t = new Thread(() -> {
                try {
                    // OpenMP's thread count is per thread: a new thread would otherwise use every core, and
                    // two workers "of one thread" would oversubscribe the CPU (as Spark tasks did before).
                    NativeKernels.useThreadsOnThisThread(threadsPerWorker);
                    for (int i = 0; i < warmup; i++) {
                        step.accept(net);
                    }
                    start.await();
                    for (int i = 0; i < steps; i++) {
                        step.accept(net);
                    }
                    end.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        try {
            start.await(30, java.util.concurrent.TimeUnit.MINUTES);
            long t0 = System.nanoTime();
            end.await(30, java.util.concurrent.TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - t0) / 1e9;
            for (Thread t : threads) {
                t.join();
            }
            return nets.size() * steps * (double) batch / seconds;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark worker failed", e);
        }
    }
}
