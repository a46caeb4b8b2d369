package dev.blindspot.grid;

/**
 * One model to train in phase 1: a distinct (dataset, model, attack, seed, training) of the grid.
 *
 * @param key     content hash of everything that determines the trained model; the model store's name
 * @param dataset dataset name
 * @param model   architecture name
 * @param seed    master seed of the model (init, order, augmentation, poisoning, clean split)
 */
public record TrainingJob(String key, String dataset, String model, long seed) implements java.io.Serializable {
}
