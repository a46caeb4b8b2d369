package dev.blindspot.grid;

import dev.blindspot.cli.Blindspot;
import dev.blindspot.defense.Defense;
import dev.blindspot.defense.DefenseContext;
import dev.blindspot.defense.DefenseOutcome;
import dev.blindspot.defense.Defenses;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a tiny real grid through the command line on Spark {@code local[2]} twice, reads the Parquet back
 * with Spark, and checks rows, schema, statuses, error handling and determinism.
 */
class GridEndToEndTest {
    /** A defense that fails, as a buggy or overwhelmed defense would: its cells must become error rows. */
    static final class PlantedFailure implements Defense {
        @Override
        public String name() {
            return "planted-failure";
        }

        @Override
        public String mainScore() {
            return "none";
        }

        @Override
        public DefenseOutcome run(DefenseContext context) {
            throw new IllegalStateException("planted failure for the test");
        }
    }

    @TempDir
    static Path tmp;
    static String outA;
    static String outB;
    static String stdoutA;
    static String stdoutRerun;
    static SparkSession reader;

    @BeforeAll
    static void runGridTwice() {
        if (!Defenses.registry().contains("planted-failure")) {
            Defenses.registry().register("planted-failure", c -> new PlantedFailure());
        }
        System.setProperty("spark.ui.enabled", "false");
        outA = tmp.resolve("a").toString();
        outB = tmp.resolve("b").toString();
        stdoutA = runGrid(outA);
        runGrid(outB);
        stdoutRerun = runGrid(outA);
        reader = SparkSession.builder().master("local[2]").appName("read-back").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (reader != null) {
            reader.stop();
        }
    }

    private static String runGrid(String out) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Blindspot.execute(new String[] {"run", "--master", "local[2]", "--out", out,
            "--set", "grid.seeds=[1,2]",
            "--set", "grid.precisions=[fp32,int4-sim]",
            "--set", "grid.defenses=[spectral-signatures,planted-failure]",
            "--set", "defenses.planted-failure={}",
            "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
            "--set", "defender.clean-split=40",
            "--set", "training={epochs=1,batch-size=64}"}, new PrintWriter(o, true), new PrintWriter(e, true));
        assertEquals(0, code, "grid failed:\n" + o + "\n" + e);
        return o.toString();
    }

    private static Dataset<Row> rows(String out) {
        return reader.read().parquet(out + "/cells");
    }

    @Test
    void oneRowPerCellPartitionedByDatasetAndPrecision() throws java.io.IOException {
        Dataset<Row> rows = rows(outA);
        assertEquals(8, rows.count(), "2 seeds x 2 precisions x 2 defenses");
        assertEquals(8, rows.select("cellId").distinct().count());
        assertTrue(Files.isDirectory(Path.of(outA, "cells", "dataset=synthetic", "precision=int4-sim")));
        assertEquals(2, Files.list(Path.of(outA, "models")).filter(p -> p.toString().endsWith(".zip")).count(),
                "one model per seed, shared by all its cells");
        assertTrue(stdoutA.contains("8 cells: 4 ok, 4 error"), stdoutA);
    }

    @Test
    void aRerunReusesTheStoredModelsInsteadOfTrainingThem() {
        assertTrue(stdoutA.contains("2 models ready (2 trained, 0 reused"), stdoutA);
        assertTrue(stdoutRerun.contains("2 models ready (0 trained, 2 reused"), stdoutRerun);
        assertEquals(8, rows(outA).count(), "the rerun's rows replace the first run's, once each");
    }

    @Test
    void schemaHasIdentityAxesMetricsAndDecision() {
        StructType schema = rows(outA).schema();
        for (String f : List.of("runId", "cellId", "configHash", "codeVersion", "dataset", "model", "attack", "seed",
                "precision", "precisionSpec", "defense", "status", "error", "cleanAccFp32", "asrFp32", "asrAllFp32",
                "cleanAcc", "asr", "asrAll", "detected", "targetIdentified", "scores", "thresholds", "trainSeconds",
                "defenseSeconds", "host", "javaVersion", "nd4jBackend", "sparkVersion")) {
            assertTrue(List.of(schema.fieldNames()).contains(f), "missing column " + f);
        }
        assertEquals(DataTypes.LongType, schema.apply("seed").dataType());
        assertEquals(DataTypes.BooleanType, schema.apply("detected").dataType());
        assertEquals(DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType),
                schema.apply("scores").dataType());
    }

    @Test
    void aDefenseThatThrowsIsAnErrorRowNeverANotDetected() {
        List<Row> failed = rows(outA).where(col("defense").equalTo("planted-failure")).collectAsList();
        assertEquals(4, failed.size());
        for (Row r : failed) {
            assertEquals("error", r.getAs("status"));
            assertTrue(((String) r.getAs("error")).contains("planted failure for the test"));
            assertTrue(r.isNullAt(r.fieldIndex("detected")), "an error must not read as a decision");
            // what was measured before the defense ran is kept
            assertFalse(Double.isNaN(r.<Double>getAs("cleanAcc")));
        }
        List<Row> ok = rows(outA).where(col("defense").equalTo("spectral-signatures")).collectAsList();
        assertEquals(4, ok.size());
        for (Row r : ok) {
            assertEquals("ok", r.getAs("status"), String.valueOf(r.<String>getAs("error")));
            assertFalse(r.isNullAt(r.fieldIndex("detected")));
            Map<String, Double> scores = r.getJavaMap(r.fieldIndex("scores"));
            assertNotNull(scores.get("removal_recall"));
            assertTrue(r.<Double>getAs("cleanAcc") >= 0 && r.<Double>getAs("cleanAcc") <= 1);
            assertEquals(36, (int) r.<Integer>getAs("poisoned"), "10% of the 360 training images");
        }
    }

    @Test
    void sameConfigAndSeedGiveIdenticalMetrics() {
        String[] metrics = {"cellId", "cleanAccFp32", "asrFp32", "cleanAcc", "asr", "asrAll", "detected", "scores"};
        Map<String, String> a = byCell(rows(outA).select(metrics[0], java.util.Arrays.copyOfRange(metrics, 1, metrics.length)));
        Map<String, String> b = byCell(rows(outB).select(metrics[0], java.util.Arrays.copyOfRange(metrics, 1, metrics.length)));
        assertEquals(a, b);
        // and the seeds really differ
        List<Row> fp32 = rows(outA).where(col("precision").equalTo("fp32").and(col("defense").equalTo("spectral-signatures")))
                .orderBy("seed").collectAsList();
        assertFalse(fp32.get(0).getAs("scores").equals(fp32.get(1).getAs("scores")));
    }

    private static Map<String, String> byCell(Dataset<Row> rows) {
        return rows.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), Row::toString));
    }
}
