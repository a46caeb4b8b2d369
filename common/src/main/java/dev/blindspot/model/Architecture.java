package dev.blindspot.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A network architecture on the model axis of the grid. Implementations build an initialised, untrained
 * network whose second-to-last layer is the penultimate feature layer the defenses read and whose last
 * layer is a softmax output.
 */
public interface Architecture {
    String name();

    /** A fresh network for {@code numClasses} classes, weights initialised from {@code seed}. */
    MultiLayerNetwork build(int numClasses, TrainingConfig training, long seed);
}
