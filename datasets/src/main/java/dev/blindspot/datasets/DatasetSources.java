package dev.blindspot.datasets;

import dev.blindspot.util.Registry;

/** The dataset axis: name → source. */
public final class DatasetSources {
    private static final Registry<Void, DatasetSource> REGISTRY = new Registry<Void, DatasetSource>("dataset")
            .register(SyntheticGlyphs.NAME, v -> new SyntheticGlyphs())
            .register(Cifar10.NAME, v -> new Cifar10())
            .register(Gtsrb.NAME, v -> new Gtsrb());

    private DatasetSources() {
    }

    public static Registry<Void, DatasetSource> registry() {
        return REGISTRY;
    }

    public static DatasetSource byName(String name) {
        return REGISTRY.create(name, null);
    }
}
