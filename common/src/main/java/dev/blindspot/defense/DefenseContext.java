package dev.blindspot.defense;

import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * What a defense gets (DESIGN.md §6).
 *
 * @param model       the quantized model under test (the deployed artifact)
 * @param fp32Model   the FP32 model it was quantized from, for mitigations that retrain and re-quantize
 * @param requantize  the cell's precision scheme with its calibration: FP32 model → deployed model
 * @param trainingSet the poisoned training set the model was trained on, with ground truth for scoring
 *                    (data-inspection defenses read it; the ground truth is only for metrics)
 * @param cleanSplit  clean held-out training images the defender owns (never the evaluation test images)
 * @param testSet     clean evaluation test images: where triggered inputs are measured, and the only data the
 *                    study's {@code paper} variants look at
 * @param seed        the defense's own seed
 * @param retrain     trains a fresh FP32 model of the cell's architecture, with the cell's recipe and model seed,
 *                    on a given training set (Activation Clustering's exclusionary reclassification)
 */
public record DefenseContext(Classifier model, Classifier fp32Model, UnaryOperator<Classifier> requantize,
                             PoisonedSet trainingSet, ImageSet cleanSplit, ImageSet testSet, long seed,
                             Function<PoisonedSet, Classifier> retrain) {

    /** A context whose defenses cannot retrain: asking for it is an error (a test harness without a trainer). */
    public DefenseContext(Classifier model, Classifier fp32Model, UnaryOperator<Classifier> requantize,
                          PoisonedSet trainingSet, ImageSet cleanSplit, ImageSet testSet, long seed) {
        this(model, fp32Model, requantize, trainingSet, cleanSplit, testSet, seed, set -> {
            throw new UnsupportedOperationException("this defense context has no trainer to retrain a model");
        });
    }

    /** The attack's target label. */
    public int target() {
        return trainingSet.attack().target();
    }

    /** The first {@code n} test images (all of them if there are fewer), as the study's variants take them. */
    public ImageSet firstTestImages(int n) {
        return testSet.subset(IntStream.range(0, Math.min(n, testSet.size())).toArray());
    }
}
