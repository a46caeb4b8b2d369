package dev.blindspot.grid;

import com.typesafe.config.ConfigFactory;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void aDistributedTrainingIsAnotherModelAndLocalKeysHaveNoModeInThem() {
        GridSpec s = spec(BASE);
        var data = s.prepareDatasets(prepared.toString());
        String local = s.trainings(data, TrainingMode.Resolved.LOCAL).get(0).key();
        // Local mode adds nothing to the key (as before training.mode existed).
        String before = Hashes.of("training-v2", "synthetic:" + data.get("synthetic").contentHash(), "compact-cnn",
                s.attack().spec(), s.training().spec(), "clean-split=50", "1");
        assertEquals(before, local);
        String two = s.trainings(data, new TrainingMode.Resolved(true, 2, 1)).get(0).key();
        assertNotEquals(local, two);
        assertNotEquals(two, s.trainings(data, new TrainingMode.Resolved(true, 4, 1)).get(0).key());
        assertNotEquals(two, s.trainings(data, new TrainingMode.Resolved(true, 2, 5)).get(0).key());
        assertEquals("distributed(workers=2,averaging=1)", s.trainings(data, new TrainingMode.Resolved(true, 2, 1))
                .get(0).mode().spec());
    }

    @Test
    void autoTrainsAcrossTheClusterOnlyWhereThatFinishesSooner() {
        TrainingMode auto = spec(BASE + "blindspot.training.mode = auto").trainingMode();
        assertEquals(0.5, auto.efficiency(), "the default measured on local[2]");
        // 1 training on 2 slots: 1 / (2 x 0.5) = 1 round either way, so local (no averaging rounds to pay).
        assertFalse(auto.resolve(1, 2).distributed());
        // 1 training on 8 slots: 1 / (8 x 0.5) = 0.25 of a local training's time.
        assertEquals(new TrainingMode.Resolved(true, 8, 1), auto.resolve(1, 8));
        assertEquals(new TrainingMode.Resolved(true, 2, 1),
                spec(BASE + "blindspot.training { mode = auto, distributed.efficiency = 0.7 }").trainingMode().resolve(1, 2));
        // As many trainings as slots keep every slot busy in local mode.
        assertFalse(auto.resolve(8, 8).distributed());
        assertFalse(auto.resolve(1, 1).distributed(), "one slot cannot average anything");
        TrainingMode distributed = spec(BASE + "blindspot.training.mode = distributed").trainingMode();
        assertEquals(new TrainingMode.Resolved(true, 3, 1), distributed.resolve(10, 3));
        assertEquals("training.mode", assertThrows(InvalidConfigException.class, () -> distributed.resolve(1, 1)).key());
        assertFalse(spec(BASE).trainingMode().resolve(1, 64).distributed(), "local is the default");
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
        // The key a bad setting is reported under, and the setting.
        String[][] cases = {
            {"training.epochs", "blindspot.training.epochs = 0"},
            {"defenses.spectral-signatures.epsilon", "blindspot.defenses.spectral-signatures.epsilon = 7"},
            {"precisions.calibration-images", "blindspot.grid.precisions = [int8]\nblindspot.precisions.calibration-images = 0"},
            {"runtime.fast-kernels", "blindspot.runtime.fast-kernels = maybe"},
            {"training.mode", "blindspot.training.mode = parallel"},
            {"training.distributed.workers", "blindspot.training.distributed.workers = 1"},
            {"training.distributed.averaging-frequency", "blindspot.training.distributed.averaging-frequency = 0"},
            {"training.distributed.efficiency", "blindspot.training.distributed.efficiency = 1.5"},
        };
        for (String[] c : cases) {
            assertEquals(c[0], assertThrows(InvalidConfigException.class, () -> spec(BASE + c[1])).key(), c[1]);
        }
    }

    @Test
    void theRenderedSpecRoundTrips() {
        GridSpec s = spec(BASE + "blindspot.grid.precisions = [fp32, int4-sim]");
        GridSpec back = GridSpec.parse(s.render());
        assertEquals(s.configHash(), back.configHash());
        assertEquals(s.cells(trainings(s)), back.cells(trainings(back)));
    }

    @Test
    void cellIdsChangeWithWhatChangesTheCellAndTheConfigHashIgnoresWhereItIsWritten() {
        String a = spec(BASE).cells(trainings(spec(BASE))).get(0).id();
        assertEquals(a, spec(BASE).cells(trainings(spec(BASE))).get(0).id());
        GridSpec moreCalibration = spec(BASE + "blindspot.precisions.calibration-images = 7");
        assertNotEquals(a, moreCalibration.cells(trainings(moreCalibration)).get(0).id());
        GridSpec otherEpsilon = spec(BASE + "blindspot.defenses.spectral-signatures.epsilon = 0.2");
        assertNotEquals(a, otherEpsilon.cells(trainings(otherEpsilon)).get(0).id());
        assertEquals(spec(BASE).configHash(), spec(BASE + "blindspot.run { out = elsewhere, cell-timeout = 2h }").configHash());
        assertNotEquals(spec(BASE).configHash(), otherEpsilon.configHash());
    }

    @Test
    void cellsRunCostliestFirstAndTiesKeepTheGridOrder() {
        GridSpec s = spec(BASE + "blindspot.grid { defenses = [spectral-signatures, neural-cleanse, strip] }");
        List<Cell> cells = s.cells(trainings(s));
        List<Cell> ordered = GridJob.costliestFirst(cells, s, java.util.Map.of("synthetic", 11));
        // 11 labels: Neural Cleanse 0.6 × 11 = 6.6 > STRIP 6 > Spectral Signatures 1.
        assertEquals(List.of("neural-cleanse", "neural-cleanse", "strip", "strip", "spectral-signatures",
                "spectral-signatures"), ordered.stream().map(Cell::defense).toList());
        assertEquals(List.of(1L, 2L), List.of(ordered.get(4).training().seed(), ordered.get(5).training().seed()),
                "ties keep the grid order");
        List<Cell> fewLabels = GridJob.costliestFirst(cells, s, java.util.Map.of("synthetic", 4));
        assertEquals("strip", fewLabels.get(0).defense(), "with 4 labels Neural Cleanse (2.4) is cheaper than STRIP (6)");
    }

    @Test
    void runTimeLimitsAreValidated() {
        assertEquals("run.cell-timeout", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.run.cell-timeout = soon")).key());
        assertEquals("run.cell-timeout", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.run.cell-timeout = -5s")).key());
        assertEquals("run.progress-interval", assertThrows(InvalidConfigException.class,
                () -> spec(BASE + "blindspot.run.progress-interval = 0s")).key());
        assertEquals(java.time.Duration.ofHours(2), spec(BASE + "blindspot.run.cell-timeout = 2h").cellTimeout());
    }
}
