package dev.blindspot.defense;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DefensesTest {
    @Test
    void everyDefenseAndItsStudyVariantIsRegisteredAndBuildsFromTheDocumentedDefaults() {
        var defaults = ConfigFactory.defaultReference().getConfig("blindspot.defenses");
        Set<String> names = new TreeSet<>(Defenses.registry().names());
        assertEquals(new TreeSet<>(Set.of("neural-cleanse", "neural-cleanse-paper", "activation-clustering",
                "activation-clustering-paper", "spectral-signatures", "spectral-signatures-paper", "strip",
                "strip-paper", "fine-pruning", "fine-pruning-paper")), names);
        for (String name : names) {
            assertEquals(name, Defenses.create(name, defaults).name());
        }
    }
}
