package dev.blindspot.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;

/**
 * {@code preact-resnet18}, the study's model (He, Zhang, Ren and Sun, "Identity Mappings in Deep Residual
 * Networks", ECCV 2016; the CIFAR variant used by BackdoorBench): conv3×3 3→64; four stages of two
 * pre-activation basic blocks at 64/128/256/512 channels with strides 1/2/2/2; average pool over the final
 * 4×4 map (the 512-d features); dense 512→classes. About 0.56 GMAC per image.
 *
 * <p>A pre-activation block computes {@code a = relu(bn1(x))}, {@code y = conv2(relu(bn2(conv1(a))))} and
 * adds the shortcut: {@code x} itself, or a strided 1×1 conv of {@code a} where the shape changes.
 *
 * <p>Initialised as PyTorch initialises the study's model by default: {@link WeightInit#UNIFORM} is
 * U(−1/√fan-in, 1/√fan-in) (PyTorch's kaiming_uniform with a = √5), for every conv and the classifier. He's
 * normal init (std √(2/fan-in), 2.4× larger) diverged at the study's rate 0.1, in PyTorch as in DL4J: the
 * residual stream reaches the classifier without a normalization ({@link ClassicalMomentum} has the figures).
 *
 * <p>This init does not make the study's rate safe either. Trained at 0.1 with classical momentum (the CIFAR-10
 * subset, 3% BadNet, seed 1) this model went NaN at step 133 of its first epoch; PyTorch itself, with the same
 * architecture, init and optimizer on the subset's 20,000 images, went NaN at step 45 for one data order and for
 * two others was still at or above chance loss (2.1, and 2.9–8.4 with weights grown 2.7×) at step 150
 * ({@code spark-jobs/src/bench/python/preact_stability.py default classical 160 S}, S = 1, 2, 3). Such a
 * training stops with a "training diverged" error; a lower {@code training.learning-rate} is the remedy.
 */
public final class PreActResNet18 implements Architecture {
    public static final String NAME = "preact-resnet18";
    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final int[] STRIDES = {1, 2, 2, 2};

    /** make bench: 13–19× slower than compact-cnn to train and run on CPU. */
    @Override
    public double relativeCost() {
        return 15;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ComputationGraph build(int numClasses, TrainingConfig training, long seed, LayerFlavor flavor) {
        GraphBuilder g = Blocks.start(training, seed, WeightInit.UNIFORM);
        String x = Blocks.conv(g, "stem", INPUT, 64, 3, 1, flavor);
        int inWidth = 64;
        for (int stage = 0; stage < WIDTHS.length; stage++) {
            for (int block = 0; block < 2; block++) {
                int stride = block == 0 ? STRIDES[stage] : 1;
                x = block(g, "s" + (stage + 1) + "b" + (block + 1), x, inWidth, WIDTHS[stage], stride, flavor);
                inWidth = WIDTHS[stage];
            }
        }
        return Blocks.finish(g, x, numClasses, flavor, WeightInit.UNIFORM);
    }

    private static String block(GraphBuilder g, String name, String x, int inWidth, int width, int stride,
                                LayerFlavor flavor) {
        String a = Blocks.bnRelu(g, name + "_bn1", x, flavor);
        String shortcut = stride != 1 || inWidth != width ? Blocks.conv(g, name + "_short", a, width, 1, stride, flavor) : x;
        String c1 = Blocks.conv(g, name + "_conv1", a, width, 3, stride, flavor);
        String b2 = Blocks.bnRelu(g, name + "_bn2", c1, flavor);
        String c2 = Blocks.conv(g, name + "_conv2", b2, width, 3, 1, flavor);
        g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), c2, shortcut);
        return name + "_add";
    }
}
