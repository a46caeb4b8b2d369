package dev.blindspot.grid;

/**
 * What phase 1 reports for a trained model: where it is, its checksum, and how the FP32 model performs, so
 * that phase 2 records the FP32 figures beside the quantized ones without evaluating the FP32 model once per
 * cell.
 *
 * @param reused whether the model came from the store rather than from a training in this run
 * @param error  why the training failed (then there is no model and every cell of it is an error row); null if ok
 */
public record TrainingOutcome(String key, String modelPath, String sha256, double cleanAcc, double asr,
                              double asrAll, double trainSeconds, boolean reused, String error)
        implements java.io.Serializable {

    public TrainingOutcome(String key, String modelPath, String sha256, double cleanAcc, double asr, double asrAll,
                           double trainSeconds, boolean reused) {
        this(key, modelPath, sha256, cleanAcc, asr, asrAll, trainSeconds, reused, null);
    }

    /** A training that threw: its cells become error rows carrying {@code error}; the other models go on. */
    static TrainingOutcome failed(String key, Throwable e) {
        return new TrainingOutcome(key, null, null, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false,
                CellWork.describe(e));
    }

    public boolean ok() {
        return error == null;
    }
}
