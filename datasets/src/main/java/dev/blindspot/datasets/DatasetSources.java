package dev.blindspot.datasets;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import dev.blindspot.util.Registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dataset axis: name → source, and a per-JVM cache so that the tasks an executor runs share one
 * parsed copy of each dataset instead of loading it per task.
 */
public final class DatasetSources {
    private static final Registry<Void, DatasetSource> REGISTRY = new Registry<Void, DatasetSource>("dataset")
            .register(SyntheticGlyphs.NAME, v -> new SyntheticGlyphs());

    private static final Map<String, DatasetSplits> CACHE = new ConcurrentHashMap<>();

    private DatasetSources() {
    }

    public static Registry<Void, DatasetSource> registry() {
        return REGISTRY;
    }

    public static DatasetSource byName(String name) {
        return REGISTRY.create(name, null);
    }

    /** Loads {@code name} with its config subtree, once per JVM per distinct config. */
    public static DatasetSplits loadCached(String name, Config config) {
        String key = name + "|" + config.root().render(ConfigRenderOptions.concise());
        return CACHE.computeIfAbsent(key, k -> byName(name).load(config));
    }
}
