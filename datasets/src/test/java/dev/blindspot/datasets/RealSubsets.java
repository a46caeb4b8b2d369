package dev.blindspot.datasets;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real dataset subsets in {@code ../shared/datasets}, read-only, never copied. */
final class RealSubsets {
    private RealSubsets() {
    }

    static Path dir(String relative) {
        Path p = Path.of(System.getProperty("blindspot-test.shared", "../shared"), "datasets", relative).normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("real dataset subset not found: " + p.toAbsolutePath());
        }
        return p;
    }

    /** The reference config of {@code dataset} with its path set. */
    static Config config(String dataset, Object path) {
        return ConfigFactory.defaultReference().getConfig("blindspot.datasets." + dataset)
                .withValue("path", ConfigValueFactory.fromAnyRef(path.toString()));
    }
}
