package dev.blindspot.precision;

import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;

/**
 * One point of the precision axis: a named, documented transformation of a trained FP32 model into the
 * artifact that would be deployed. Quantization is simulated in float (quantize, then dequantize).
 * Implementations never modify the model they are given.
 */
public interface PrecisionScheme {
    String name();

    /** The scheme's full specification as a short canonical string, recorded with every result row. */
    String specification();

    /**
     * The quantized model.
     *
     * @param fp32        the trained model; left untouched
     * @param calibration clean training images for schemes that calibrate activation ranges
     */
    Classifier apply(Classifier fp32, ImageSet calibration);
}
