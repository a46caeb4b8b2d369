package dev.blindspot.grid;

/**
 * One model to train in phase 1: a distinct (dataset, model, attack, seed, training) of the grid.
 *
 * @param key     content hash of everything that determines the trained model; the model store's name
 * @param dataset dataset name
 * @param model   architecture name
 * @param seed    master seed of the model (init, order, augmentation, poisoning, clean split)
 * @param mode    local (one task) or distributed (parameter averaging across the cluster)
 */
public record TrainingJob(String key, String dataset, String model, long seed, TrainingMode.Resolved mode)
        implements java.io.Serializable {
}
