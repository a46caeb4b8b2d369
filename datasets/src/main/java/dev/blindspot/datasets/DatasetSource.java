package dev.blindspot.datasets;

import com.typesafe.config.Config;

/**
 * One dataset on the dataset axis. Implementations read (or generate) the train and test splits and say
 * how batches are normalized and augmented. Bad input fails with a message naming the file and problem.
 */
public interface DatasetSource {
    String name();

    /**
     * Loads the dataset described by its config subtree ({@code datasets.<name>}).
     */
    DatasetSplits load(Config config);

    /**
     * A short string that changes whenever the loaded data would change (settings, file checksums):
     * part of a model's identity. Must be cheap compared with {@link #load}.
     */
    String fingerprint(Config config);
}
