package dev.blindspot.model;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A network architecture on the model axis of the grid. Implementations build an initialised, untrained
 * graph with one input {@value #INPUT} (NCHW 3×32×32, normalized), a penultimate feature vertex
 * {@value #FEATURES} (what the defenses read) and a softmax output layer {@value #OUTPUT}.
 */
public interface Architecture {
    String INPUT = "input";
    String FEATURES = "features";
    String OUTPUT = "output";

    String name();

    /** A fresh network for {@code numClasses} classes, weights initialised from {@code seed}, fast layers. */
    default ComputationGraph build(int numClasses, TrainingConfig training, long seed) {
        return build(numClasses, training, seed, LayerFlavor.FUSED);
    }

    /** The same network built from the given layer implementations (same parameters either way). */
    ComputationGraph build(int numClasses, TrainingConfig training, long seed, LayerFlavor flavor);

    /**
     * Expected cost of training or running it relative to {@code compact-cnn} (= 1); orders the grid's cells,
     * longest first. Never affects a result.
     */
    default double relativeCost() {
        return 1;
    }
}
