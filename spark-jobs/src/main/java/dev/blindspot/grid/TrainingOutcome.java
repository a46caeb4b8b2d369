package dev.blindspot.grid;

/**
 * What phase 1 reports for a trained model: where it is and how the FP32 model performs, so that phase 2
 * records the FP32 figures beside the quantized ones without evaluating the FP32 model once per cell.
 */
public record TrainingOutcome(String key, String modelPath, double cleanAcc, double asr, double asrAll,
                              double trainSeconds) implements java.io.Serializable {
}
