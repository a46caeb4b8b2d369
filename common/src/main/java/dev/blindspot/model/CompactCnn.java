package dev.blindspot.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;

/**
 * {@code compact-cnn} (DESIGN.md §4): conv3×3 32-32 · maxpool · 64-64 · maxpool · 128 · maxpool, each conv
 * followed by BatchNorm and ReLU; global average pool (the penultimate features, 128-d); dense → classes.
 * About 29 MMAC per 32×32 image, sized for CPUs.
 *
 * <p>Initialised as He et al. (normal, std √(2/fan-in)) with a Xavier classifier, not as PyTorch's default
 * (U(±1/√fan-in), 2.4× smaller): a BatchNorm after every conv makes the step a conv weight takes relative to
 * its size grow as 1/‖w‖², so the smaller init trains ~6× faster in effect. Measured (both with PyTorch's
 * classical momentum; synthetic glyphs, 10 classes, 3,000 images, 4 epochs at rate 0.1, seed 3):
 * PyTorch's init ends as a constant classifier (clean accuracy 10.0%; 24.4% at rate 0.05, 34.0% at 0.02),
 * He's learns (62.4%).
 */
public final class CompactCnn implements Architecture {
    public static final String NAME = "compact-cnn";
    /** Channels per conv, 0 for a 2×2 max-pool. */
    private static final int[] PLAN = {32, 32, 0, 64, 64, 0, 128, 0};

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ComputationGraph build(int numClasses, TrainingConfig training, long seed, LayerFlavor flavor) {
        GraphBuilder g = Blocks.start(training, seed, WeightInit.RELU);
        String x = INPUT;
        int conv = 0;
        int pool = 0;
        for (int width : PLAN) {
            if (width == 0) {
                x = Blocks.maxPool(g, "pool" + (++pool), x, flavor);
            } else {
                conv++;
                x = Blocks.conv(g, "conv" + conv, x, width, 3, 1, flavor);
                x = Blocks.bnRelu(g, "bn" + conv, x, flavor);
            }
        }
        return Blocks.finish(g, x, numClasses, flavor, WeightInit.XAVIER);
    }
}
