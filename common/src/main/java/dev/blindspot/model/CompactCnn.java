package dev.blindspot.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * {@code compact-cnn} (DESIGN.md §4): conv3×3 32-32 · maxpool · 64-64 · maxpool · 128 · maxpool, each conv
 * followed by BatchNorm and ReLU; global average pool (the penultimate features, 128-d); dense → classes.
 * About 29 MMAC per 32×32 image, sized for CPUs.
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
        GraphBuilder g = Blocks.start(training, seed);
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
        return Blocks.finish(g, x, numClasses, flavor);
    }
}
