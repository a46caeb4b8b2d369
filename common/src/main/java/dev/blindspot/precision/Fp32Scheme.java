package dev.blindspot.precision;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;

/** {@code fp32}: the trained model as it is (a copy, so downstream code can never alter the original). */
public final class Fp32Scheme implements PrecisionScheme {
    public static final String NAME = "fp32";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String specification() {
        return "fp32(weights=float32,activations=float32)";
    }

    @Override
    public Classifier apply(Classifier fp32, ImageSet calibration) {
        return fp32.copy();
    }
}
