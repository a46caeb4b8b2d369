package dev.blindspot.model;

import dev.blindspot.util.Registry;

/** The model axis: architecture name → implementation. */
public final class Architectures {
    private static final Registry<Void, Architecture> REGISTRY = new Registry<Void, Architecture>("model")
            .register(CompactCnn.NAME, v -> new CompactCnn())
            .register(PreActResNet18.NAME, v -> new PreActResNet18());

    private Architectures() {
    }

    public static Registry<Void, Architecture> registry() {
        return REGISTRY;
    }

    public static Architecture byName(String name) {
        return REGISTRY.create(name, null);
    }
}
