package dev.blindspot.grid;

/**
 * What phase 1 reports for a trained model: where it is, its checksum, and how the FP32 model performs, so
 * that phase 2 records the FP32 figures beside the quantized ones without evaluating the FP32 model once per
 * cell.
 *
 * @param reused whether the model came from the store rather than from a training in this run
 */
public record TrainingOutcome(String key, String modelPath, String sha256, double cleanAcc, double asr,
                              double asrAll, double trainSeconds, boolean reused) implements java.io.Serializable {
}
