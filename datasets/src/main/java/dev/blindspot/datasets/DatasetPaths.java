package dev.blindspot.datasets;

import com.typesafe.config.Config;
import dev.blindspot.util.InvalidConfigException;

/** The {@code path} key every file-backed dataset has. */
final class DatasetPaths {
    private DatasetPaths() {
    }

    static String require(Config config, String dataset) {
        String key = "datasets." + dataset + ".path";
        if (!config.hasPath("path") || config.getString("path").isBlank()) {
            throw new InvalidConfigException(key, "not set: the directory holding the dataset (any Hadoop URI)");
        }
        return config.getString("path");
    }
}
