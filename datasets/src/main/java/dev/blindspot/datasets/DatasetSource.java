package dev.blindspot.datasets;

import com.typesafe.config.Config;

/**
 * One dataset on the dataset axis. Implementations read (or generate) the train and test splits and say
 * how batches are normalized and augmented. Bad input fails with a message naming the file and problem.
 */
public interface DatasetSource {
    String name();

    /** Checks the config subtree ({@code datasets.<name>}) without reading data; cheap, run on the driver. */
    void validate(Config config);

    /** Loads the dataset described by its config subtree ({@code datasets.<name>}). */
    DatasetSplits load(Config config);
}
