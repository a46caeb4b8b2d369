package dev.blindspot.report;

import dev.blindspot.result.CellResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AggregationTest {
    static CellResult row(String precision, String defense, long seed, String status, Boolean detected,
                          Boolean target, double cleanAcc, double asr, double score) {
        CellResult r = new CellResult();
        r.setConfigHash("h");
        r.setDataset("synthetic");
        r.setModel("compact-cnn");
        r.setAttack("badnet");
        r.setPrecision(precision);
        r.setDefense(defense);
        r.setSeed(seed);
        r.setStatus(status);
        r.setDetected(detected);
        r.setTargetIdentified(target);
        r.setCleanAcc(cleanAcc);
        r.setAsr(asr);
        r.setAsrAll(asr);
        r.setCleanAccFp32(0.9);
        r.setAsrFp32(0.95);
        r.setScores(Map.of("target_anomaly_index", score));
        r.setDefenseSeconds(1);
        return r;
    }

    @Test
    void wilsonIntervalsMatchReferenceValues() {
        // statsmodels proportion_confint(2, 3, method="wilson") = (0.20766, 0.93851); (10, 10) = (0.72247, 1.0);
        // (0, 3) = (0.0, 0.56150): the interval stays inside [0, 1] and is not symmetric, unlike the normal one.
        double[] twoOfThree = Aggregation.wilson(3, 2);
        assertEquals(0.20766, twoOfThree[0], 1e-5);
        assertEquals(0.93851, twoOfThree[1], 1e-5);
        double[] all = Aggregation.wilson(10, 10);
        assertEquals(0.72247, all[0], 1e-5);
        assertEquals(1.0, all[1], 1e-12);
        double[] none = Aggregation.wilson(3, 0);
        assertEquals(0.0, none[0], 1e-12);
        assertEquals(0.56150, none[1], 1e-5);
        assertTrue(Double.isNaN(Aggregation.wilson(0, 0)[0]));
    }

    @Test
    void errorRowsAreCountedNotAveragedAndMissingCellsAreReported() {
        List<CellResult> rows = new ArrayList<>(List.of(
                row("fp32", "neural-cleanse", 1, "ok", true, true, 0.8, 0.9, 3.0),
                row("fp32", "neural-cleanse", 2, "ok", false, false, 0.6, 0.7, 1.0),
                // a failed defense: its (bad) figures must not move any mean, its null decision no rate
                row("fp32", "neural-cleanse", 3, "error", null, null, 0.1, 0.1, 99.0),
                row("int8", "neural-cleanse", 1, "ok", true, null, 0.7, 0.9, 2.5)));
        Aggregation.Result r = Aggregation.of(rows, d -> "target_anomaly_index");
        assertEquals(List.of(1L, 2L, 3L), r.axes().seeds());
        assertEquals(List.of("fp32", "int8"), r.axes().precisions(), "registry order, fp32 first");
        GroupSummary fp32 = r.groups().get(0);
        assertEquals("fp32", fp32.getPrecision());
        assertEquals(2, fp32.getSeeds());
        assertEquals(1, fp32.getErrors());
        assertEquals(0, fp32.getMissing());
        assertEquals(0.5, fp32.getDetectionRate(), 1e-12);
        assertEquals(Aggregation.wilson(2, 1)[0], fp32.getDetectionCiLow(), 1e-12);
        assertEquals(0.7, fp32.getCleanAccMean(), 1e-12);
        assertEquals(Math.sqrt(0.02), fp32.getCleanAccSd(), 1e-12, "sample sd of 0.8 and 0.6");
        assertEquals(0.8, fp32.getAsrMean(), 1e-12);
        assertEquals(2.0, fp32.getMainScoreMean(), 1e-12);
        assertEquals(2, fp32.getTargetNamed());
        assertEquals(0.5, fp32.getTargetIdentifiedRate(), 1e-12);

        GroupSummary int8 = r.groups().get(1);
        assertEquals(1, int8.getSeeds());
        assertEquals(2, int8.getMissing(), "seeds 2 and 3 have no int8 row");
        assertTrue(Double.isNaN(int8.getCleanAccSd()), "no sd from one value");
        assertEquals(0, int8.getTargetNamed());
        assertTrue(Double.isNaN(int8.getTargetIdentifiedRate()));
        assertEquals(List.of(new Aggregation.MissingCell("synthetic", "compact-cnn", "badnet", "int8", "neural-cleanse", 2),
                new Aggregation.MissingCell("synthetic", "compact-cnn", "badnet", "int8", "neural-cleanse", 3)), r.missing());
    }

    @Test
    void aCombinationWithNoRowsIsAGroupOfMissingCellsWithoutRates() {
        List<CellResult> rows = List.of(
                row("fp32", "strip", 1, "ok", true, null, 0.8, 0.9, 0.5),
                row("int8", "spectral-signatures", 1, "ok", false, null, 0.8, 0.9, 0.5));
        Aggregation.Result r = Aggregation.of(rows, d -> null);
        assertEquals(4, r.groups().size(), "2 precisions × 2 defenses, though only 2 have rows");
        GroupSummary empty = r.groups().stream().filter(g -> g.getPrecision().equals("fp32")
                && g.getDefense().equals("spectral-signatures")).findFirst().orElseThrow();
        assertEquals(0, empty.getSeeds());
        assertEquals(1, empty.getMissing());
        assertTrue(Double.isNaN(empty.getDetectionRate()) && Double.isNaN(empty.getDetectionCiLow()));
        assertEquals("– (1 missing)", Report.detectionCell(empty));
        assertEquals(2, r.missing().size());
        assertTrue(Double.isNaN(r.groups().get(0).getMainScoreMean()), "no main score for an unknown defense");
    }

    @Test
    void accuracyCountsEachSeedOnceAcrossDefenses() {
        List<CellResult> rows = List.of(
                row("fp32", "strip", 1, "ok", true, null, 0.8, 0.9, 0),
                row("fp32", "spectral-signatures", 1, "ok", true, null, 0.8, 0.9, 0),
                row("fp32", "strip", 2, "error", null, null, 0.4, 0.9, 0),
                row("fp32", "spectral-signatures", 2, "ok", true, null, 0.6, 0.5, 0));
        Aggregation.Accuracy a = Aggregation.of(rows, d -> null).accuracy().get(0);
        assertEquals(2, a.seeds());
        assertEquals(0.7, a.cleanAccMean(), 1e-12);
        assertEquals(0.7, a.asrMean(), 1e-12);
    }

    @Test
    void detectionCellsReadLikeAPaper() {
        GroupSummary g = Aggregation.summarize("d", "m", "a", "fp32", "x", List.of(
                row("fp32", "x", 1, "ok", true, null, 0.8, 0.9, 0),
                row("fp32", "x", 2, "ok", true, null, 0.8, 0.9, 0),
                row("fp32", "x", 3, "ok", false, null, 0.8, 0.9, 0),
                row("fp32", "x", 4, "error", null, null, 0.8, 0.9, 0)), 1, null);
        assertEquals("67% [21–94] (3, 1 error, 1 missing)", Report.detectionCell(g));
    }
}
