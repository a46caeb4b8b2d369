package dev.blindspot.datasets;

import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;

/**
 * A loaded dataset.
 *
 * @param name          the dataset's registry name
 * @param train         the full training split (the defender's clean split is carved out of it later)
 * @param test          the evaluation test split
 * @param normalization per-channel mean/std applied to every batch
 * @param augmentation  training-time augmentation
 */
public record DatasetSplits(String name, ImageSet train, ImageSet test, Normalization normalization,
                            Augmentation augmentation) {
}
