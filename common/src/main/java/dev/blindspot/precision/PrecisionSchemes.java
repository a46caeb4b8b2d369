package dev.blindspot.precision;

import dev.blindspot.util.Registry;

/** The precision axis: scheme name → implementation. */
public final class PrecisionSchemes {
    private static final Registry<Void, PrecisionScheme> REGISTRY = new Registry<Void, PrecisionScheme>("precision")
            .register(Fp32Scheme.NAME, v -> new Fp32Scheme())
            .register(Int8DynamicScheme.NAME, v -> new Int8DynamicScheme())
            .register(StaticQuantScheme.INT8, v -> StaticQuantScheme.int8())
            .register(Int4SimScheme.NAME, v -> new Int4SimScheme())
            .register(StaticQuantScheme.INT4, v -> StaticQuantScheme.int4());

    private PrecisionSchemes() {
    }

    public static Registry<Void, PrecisionScheme> registry() {
        return REGISTRY;
    }

    public static PrecisionScheme byName(String name) {
        return REGISTRY.create(name, null);
    }
}
