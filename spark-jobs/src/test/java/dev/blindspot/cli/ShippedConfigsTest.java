package dev.blindspot.cli;

import dev.blindspot.grid.GridSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every grid shipped in {@code conf/} loads and validates as {@code bin/blindspot run --config} would load it,
 * so a broken key, an unknown defense or a bad threshold in one of them fails here, not hours into a run.
 */
class ShippedConfigsTest {
    /** Surefire runs in the module directory; the configs sit at the repository's top. */
    private static final Path CONF = Path.of("..", "conf");
    private static final Pattern INCLUDE = Pattern.compile("^\\s*include\\s+\"([^\"]+)\"", Pattern.MULTILINE);

    /** The grid as {@code run --config conf} loads it: RunCommand's own loader, no overrides. */
    private static GridSpec load(Path conf) {
        RunCommand run = new RunCommand();
        run.config = conf.toFile();
        return run.loadGrid();
    }

    private static List<Path> configs() throws IOException {
        try (Stream<Path> files = Files.list(CONF)) {
            return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
    }

    @Test
    void everyShippedConfigLoadsAndValidates() throws IOException {
        List<Path> configs = configs();
        assertTrue(configs.size() >= 9, "expected the shipped configs in " + CONF.toAbsolutePath() + ", found " + configs);
        for (Path conf : configs) {
            GridSpec spec = assertDoesNotThrow(() -> load(conf), conf.toString());
            assertTrue(!spec.defenses().isEmpty() && !spec.seeds().isEmpty(), conf + ": an empty grid");
        }
    }

    /** HOCON ignores an include whose file is missing; a renamed base config would silently shrink a grid. */
    @Test
    void everyIncludeNamesAShippedConfig() throws IOException {
        int includes = 0;
        for (Path conf : configs()) {
            Matcher m = INCLUDE.matcher(Files.readString(conf));
            while (m.find()) {
                includes++;
                assertTrue(Files.isRegularFile(conf.resolveSibling(m.group(1))), conf + " includes a missing " + m.group(1));
            }
        }
        assertTrue(includes >= 3, "the literature variants include literature.conf; found " + includes + " includes");
    }

    @Test
    void theLowRateGridsPoisonAMinorityOfTheirTargetLabel() {
        GridSpec gtsrb = load(CONF.resolve("literature-lowrate-gtsrb.conf"));
        assertEquals(List.of("gtsrb"), gtsrb.datasets());
        assertEquals(2, gtsrb.attack().target(), "GTSRB's label 0 is too small to be a minority-poisoned target");
        assertEquals(0.02, gtsrb.attack().poisonRate());
        assertEquals(5, gtsrb.defenses().size(), "the five reference defenses, inherited from literature.conf");
    }

    /** The authors'-variant grids run on their base grid's models: same store, same model-determining settings. */
    @Test
    void theAuthorsVariantsReuseTheirBaseGridsModels() {
        for (String base : List.of("literature", "literature-lowrate", "literature-lowrate-gtsrb")) {
            GridSpec b = load(CONF.resolve(base + ".conf"));
            GridSpec a = load(CONF.resolve(base + "-authors.conf"));
            assertEquals(b.config().getString("run.out") + "/models", a.config().getString("run.models"), base);
            assertEquals(b.datasets(), a.datasets(), base);
            assertEquals(b.models(), a.models(), base);
            assertEquals(b.seeds(), a.seeds(), base);
            assertEquals(b.attack().spec(), a.attack().spec(), base);
            assertEquals(b.training().spec(), a.training().spec(), base);
            assertEquals(b.cleanSplit(), a.cleanSplit(), base);
            assertEquals("additive", a.config().getString("defenses.strip.superimpose"), base);
            assertEquals("ica", a.config().getString("defenses.activation-clustering.reduction"), base);
            assertEquals("raw", a.config().getString("defenses.spectral-signatures.scoring"), base);
        }
    }
}
