package dev.blindspot.grid;

import com.typesafe.config.ConfigFactory;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GridSpecTest {
    private static GridSpec spec(String hocon) {
        return GridSpec.load(ConfigFactory.parseString(hocon), ConfigFactory.empty());
    }

    private static final String BASE = "blindspot.grid.seeds = [1, 2]\n"
            + "blindspot.datasets.synthetic { train-size = 200, test-size = 40 }\n"
            + "blindspot.defender.clean-split = 50\n";

    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path prepared;

    private static List<TrainingJob> trainings(GridSpec s) {
        return s.trainings(s.prepareDatasets(prepared.toString()));
    }

    @Test
    void expandsTheCrossProductWithOneTrainingPerDistinctModel() {
        GridSpec s = spec(BASE + "blindspot.grid { precisions = [fp32, int4-sim], seeds = {from = 3, to = 7} }");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), s.seeds());
        List<TrainingJob> trainings = trainings(s);
        assertEquals(5, trainings.size());
        List<Cell> cells = s.cells(trainings);
        assertEquals(10, cells.size());
        Set<String> ids = new HashSet<>();
        cells.forEach(c -> ids.add(c.id()));
        assertEquals(10, ids.size(), "cell ids must be unique");
    }

    @Test
    void trainingKeyChangesWithAnythingThatChangesTheModel() {
        String a = trainings(spec(BASE)).get(0).key();
        assertEquals(a, trainings(spec(BASE)).get(0).key());
        assertNotEquals(a, trainings(spec(BASE + "blindspot.training.epochs = 2")).get(0).key());
        assertNotEquals(a, trainings(spec(BASE + "blindspot.attack.poison-rate = 0.05")).get(0).key());
        assertNotEquals(a, trainings(spec(BASE + "blindspot.datasets.synthetic.seed = 5")).get(0).key());
        assertNotEquals(a, trainings(spec(BASE + "blindspot.defender.clean-split = 10")).get(0).key());
    }

    @Test
    void unknownNamesFailWithTheKeyAndTheAllowedValues() {
        for (String[] c : new String[][] {
            {"datasets", "imagenet", "synthetic"}, {"models", "vgg", "compact-cnn"},
            {"precisions", "int2", "int4-sim"}, {"defenses", "magic", "spectral-signatures"}}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> spec(BASE + "blindspot.grid." + c[0] + " = [" + c[1] + "]"));
            assertEquals("grid." + c[0], e.key());
            assertTrue(e.getMessage().contains("'" + c[1] + "'") && e.getMessage().contains(c[2]), e.getMessage());
        }
    }

    @Test
    void emptyAxesAndBadSeedRangesFail() {
        InvalidConfigException empty = assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.grid.precisions = []"));
        assertTrue(empty.getMessage().contains("grid.precisions") && empty.getMessage().contains("fp32"));
        InvalidConfigException range = assertThrows(InvalidConfigException.class,
                () -> spec("blindspot.grid.seeds = {from = 5, to = 2}"));
        assertEquals("grid.seeds.to", range.key());
        assertThrows(InvalidConfigException.class, () -> spec("blindspot.grid.seeds = []"));
        assertThrows(InvalidConfigException.class, () -> spec("blindspot.grid.seeds = {from = 5}"));
    }

    @Test
    void componentSettingsAreValidatedUpFront() {
        assertEquals("training.epochs",
                assertThrows(InvalidConfigException.class, () -> spec(BASE + "blindspot.training.epochs = 0")).key());
        assertEquals("defenses.spectral-signatures.epsilon", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.defenses.spectral-signatures.epsilon = 7")).key());
        assertEquals("precisions.calibration-images", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.grid.precisions = [int8]\nblindspot.precisions.calibration-images = 0")).key());
        assertEquals("runtime.fast-kernels", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.runtime.fast-kernels = maybe")).key());
    }

    @Test
    void theRenderedSpecRoundTrips() {
        GridSpec s = spec(BASE + "blindspot.grid.precisions = [fp32, int4-sim]");
        GridSpec back = GridSpec.parse(s.render());
        assertEquals(s.configHash(), back.configHash());
        assertEquals(s.cells(trainings(s)), back.cells(trainings(back)));
    }
}
