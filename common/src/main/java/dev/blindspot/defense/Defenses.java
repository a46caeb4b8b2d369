package dev.blindspot.defense;

import com.typesafe.config.Config;
import dev.blindspot.util.Registry;

/**
 * The defense axis: name → factory. Each factory receives the defense's own subtree
 * ({@code defenses.<name>}, already merged with its documented defaults) and validates it.
 */
public final class Defenses {
    private static final Registry<Config, Defense> REGISTRY = new Registry<Config, Defense>("defense")
            .register(NeuralCleanse.NAME, NeuralCleanse::fromConfig)
            .register(NeuralCleansePaper.NAME, NeuralCleansePaper::fromConfig)
            .register(ActivationClustering.NAME, ActivationClustering::fromConfig)
            .register(ActivationClusteringPaper.NAME, ActivationClusteringPaper::fromConfig)
            .register(SpectralSignatures.NAME, SpectralSignatures::fromConfig)
            .register(SpectralSignaturesPaper.NAME, SpectralSignaturesPaper::fromConfig)
            .register(Strip.NAME, Strip::fromConfig)
            .register(StripPaper.NAME, StripPaper::fromConfig)
            .register(FinePruning.NAME, FinePruning::fromConfig)
            .register(FinePruningPaper.NAME, FinePruningPaper::fromConfig);

    private Defenses() {
    }

    public static Registry<Config, Defense> registry() {
        return REGISTRY;
    }

    /** Builds defense {@code name} from the {@code defenses} subtree of the grid config. */
    public static Defense create(String name, Config defenses) {
        if (!REGISTRY.contains(name)) {
            throw new IllegalArgumentException(REGISTRY.unknown(name));
        }
        return REGISTRY.create(name, defenses.getConfig("\"" + name + "\""));
    }
}
