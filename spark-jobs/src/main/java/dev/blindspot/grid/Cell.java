package dev.blindspot.grid;

/**
 * One cell of the grid, one Spark task in phase 2: a trained model, a precision scheme, a defense.
 *
 * @param id        content hash of the cell's identity
 * @param training  the model the cell uses
 * @param precision precision scheme name
 * @param defense   defense name
 */
public record Cell(String id, TrainingJob training, String precision, String defense) implements java.io.Serializable {
}
