package dev.blindspot.defense;

import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.model.Classifier;

/**
 * What a defense gets (DESIGN.md §6).
 *
 * @param model       the quantized model under test
 * @param trainingSet the poisoned training set the model was trained on, with ground truth for scoring
 *                    (data-inspection defenses read it; the ground truth is only for metrics)
 * @param cleanSplit  clean held-out training images the defender owns (never the evaluation test images)
 * @param testSet     clean evaluation test images (only the study's variants look at these)
 * @param seed        the defense's own seed
 */
public record DefenseContext(Classifier model, PoisonedSet trainingSet, ImageSet cleanSplit, ImageSet testSet,
                             long seed) {
}
