package dev.blindspot.model;

/** Which layer implementations a network is built from; both compute the same function. */
public enum LayerFlavor {
    /** Blindspot's fused BatchNorm+ReLU layer: what training and the grid use. */
    FUSED,
    /** DL4J's stock layers only: the reference the fused path is tested against. */
    STOCK
}
