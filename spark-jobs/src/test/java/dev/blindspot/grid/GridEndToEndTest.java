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

    /** A defense that outlives any time limit unless interrupted, as a hung optimization would. */
    static final class PlantedHang implements Defense {
        @Override
        public String name() {
            return "planted-hang";
        }

        @Override
        public String mainScore() {
            return "none";
        }

        @Override
        public DefenseOutcome run(DefenseContext context) {
            for (int i = 0; i < 6000; i++) {
                dev.blindspot.util.Cancellation.check();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            throw new AssertionError("ran for ten minutes although its cell had a 15-second limit");
        }
    }

    @TempDir
    static Path tmp;
    static String outA;
    static String outB;
    static String stdoutA;
    static String stdoutRerun;
    static String stdoutRerunErrors;
    static List<Row> firstRun;
    static SparkSession reader;

    @BeforeAll
    static void runGridTwice() {
        if (!Defenses.registry().contains("planted-failure")) {
            Defenses.registry().register("planted-failure", c -> new PlantedFailure());
        }
        if (!Defenses.registry().contains("planted-hang")) {
            Defenses.registry().register("planted-hang", c -> new PlantedHang());
        }
        System.setProperty("spark.ui.enabled", "false");
        outA = tmp.resolve("a").toString();
        outB = tmp.resolve("b").toString();
        stdoutA = runGrid(outA);
        firstRun = readRows(outA);
        runGrid(outB);
        stdoutRerun = runGrid(outA);
        stdoutRerunErrors = runGrid(outA, "--rerun-errors");
        reader = SparkSession.builder().master("local[2]").appName("read-back").getOrCreate();
    }

    private static List<Row> readRows(String out) {
        SparkSession s = SparkSession.builder().master("local[1]").appName("read-first").getOrCreate();
        try {
            return s.read().parquet(out + "/cells").select("cellId", "runId", "status", "scores").orderBy("cellId")
                    .collectAsList();
        } finally {
            s.stop();
        }
    }

    @AfterAll
    static void stop() {
        if (reader != null) {
            reader.stop();
        }
    }

    private static String runGrid(String out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--master", "local[2]", "--out", out,
            "--set", "grid.seeds=[1,2]",
            "--set", "grid.precisions=[fp32,int4-sim]",
            "--set", "grid.defenses=[spectral-signatures,planted-failure]",
            "--set", "defenses.planted-failure={}",
            "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
            "--set", "defender.clean-split=40",
            "--set", "training={epochs=1,batch-size=64}"));
        args.addAll(List.of(extra));
        return execute(args);
    }

    static String execute(List<String> args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Blindspot.execute(args.toArray(String[]::new), new PrintWriter(o, true), new PrintWriter(e, true));
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
    void aRerunOfAFinishedGridRecomputesNothing() {
        assertTrue(stdoutA.contains("2 models ready (2 trained, 0 reused"), stdoutA);
        assertTrue(stdoutA.contains("phase 2: 8/8 cells, 4 errors"), stdoutA);
        assertTrue(stdoutRerun.contains("resume: 8 of 8 cells have rows in " + outA + "/rows (4 ok, 4 error); 0 to run"
                + " (error cells kept; --rerun-errors retries them)"), stdoutRerun);
        assertFalse(stdoutRerun.contains("phase 1"), "no model is even loaded:\n" + stdoutRerun);
        assertFalse(stdoutRerun.contains("phase 2"), stdoutRerun);
        assertTrue(stdoutRerun.contains("8 cells: 4 ok, 4 error"), stdoutRerun);
    }

    @Test
    void rerunErrorsRecomputesOnlyTheErrorCellsOnTheStoredModels() {
        assertTrue(stdoutRerunErrors.contains("(4 ok, 4 error); 4 to run (error cells again)"), stdoutRerunErrors);
        assertTrue(stdoutRerunErrors.contains("2 models ready (0 trained, 2 reused"), stdoutRerunErrors);
        assertTrue(stdoutRerunErrors.contains("phase 2: 4/4 cells, 4 errors"), stdoutRerunErrors);
        List<Row> now = rows(outA).select("cellId", "runId", "status", "scores").orderBy("cellId").collectAsList();
        assertEquals(8, now.size(), "every cell exactly once after three runs");
        for (int i = 0; i < now.size(); i++) {
            Row before = firstRun.get(i);
            Row after = now.get(i);
            assertEquals(before.getString(0), after.getString(0));
            if ("ok".equals(before.getString(2))) {
                assertEquals(before, after, "an ok row is kept as the first run wrote it, run id included");
            } else {
                assertFalse(before.getString(1).equals(after.getString(1)), "an error row is recomputed by the new run");
            }
        }
    }

    @Test
    void aModelThatCannotBeTrainedBecomesErrorRowsAndTheOtherModelsRun() {
        // A network whose output layer does not match the labels: its training throws, as a diverging one would.
        if (!dev.blindspot.model.Architectures.registry().contains("planted-untrainable")) {
            dev.blindspot.model.Architectures.registry().register("planted-untrainable", v -> new dev.blindspot.model.Architecture() {
                @Override
                public String name() {
                    return "planted-untrainable";
                }

                @Override
                public org.deeplearning4j.nn.graph.ComputationGraph build(int numClasses,
                        dev.blindspot.model.TrainingConfig training, long seed, dev.blindspot.model.LayerFlavor flavor) {
                    return new dev.blindspot.model.CompactCnn().build(numClasses + 1, training, seed, flavor);
                }
            });
        }
        String out = tmp.resolve("untrainable").toString();
        String stdout = execute(List.of("run", "--master", "local[2]", "--out", out,
                "--set", "grid.models=[compact-cnn,planted-untrainable]", "--set", "grid.seeds=[1]",
                "--set", "grid.precisions=[fp32]", "--set", "grid.defenses=[spectral-signatures]",
                "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
                "--set", "defender.clean-split=40", "--set", "training={epochs=1,batch-size=64}"));
        assertTrue(stdout.contains("phase 1: 1 models ready (1 trained, 0 reused from " + out
                + "/models); 1 failed, their cells become error rows"), stdout);
        assertTrue(stdout.contains("2 cells: 1 ok, 1 error"), stdout);
        Row broken = rows(out).where(col("model").equalTo("planted-untrainable")).first();
        assertEquals("error", broken.getAs("status"));
        assertTrue(((String) broken.getAs("error")).contains("training of model"), (String) broken.getAs("error"));
        assertTrue(broken.isNullAt(broken.fieldIndex("detected")));
    }

    @Test
    void exclusionaryReclassificationRetrainsTheCellsModelInsideTheCell() {
        // Thresholds that make every label's smaller cluster suspicious, so the cell must retrain without them.
        String out = tmp.resolve("reclassify").toString();
        String stdout = execute(List.of("run", "--master", "local[1]", "--out", out,
                "--set", "grid.seeds=[1]", "--set", "grid.precisions=[int4-sim]",
                "--set", "grid.defenses=[activation-clustering]",
                "--set", "defenses.activation-clustering={confirm=exclusionary-reclassification,"
                        + "size-threshold=0.5,silhouette-threshold=-1}",
                "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
                "--set", "defender.clean-split=40", "--set", "training={epochs=1,batch-size=64}"));
        assertTrue(stdout.contains("1 cells: 1 ok, 0 error"), stdout);
        Row row = rows(out).first();
        scala.collection.Map<String, Object> scores = row.getMap(row.fieldIndex("scores"));
        assertEquals(4.0, (double) scores.apply("suspicious_labels"), "every label's smaller cluster is suspicious");
        for (int label = 0; label < 4; label++) {
            double own = (double) scores.apply("reclassified_own_0" + label);
            assertTrue(own >= 0 && own <= 1, "label " + label + ": " + own);
        }
        scala.collection.Map<String, Object> thresholds = row.getMap(row.fieldIndex("thresholds"));
        assertEquals(1.0, (double) thresholds.apply("reclassification_threshold"));
    }

    @Test
    void aCellPastItsTimeLimitIsAnErrorRowAndTheGridGoesOn() {
        String out = tmp.resolve("timeout").toString();
        String stdout = execute(List.of("run", "--master", "local[1]", "--out", out,
                "--set", "grid.seeds=[1]", "--set", "grid.precisions=[fp32]",
                "--set", "grid.defenses=[planted-hang,spectral-signatures]", "--set", "defenses.planted-hang={}",
                "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
                "--set", "defender.clean-split=40", "--set", "training={epochs=1,batch-size=64}",
                "--set", "run.cell-timeout=15s")); // generous for the real cell on a loaded machine
        assertTrue(stdout.contains("2 cells: 1 ok, 1 error"), stdout);
        Row hung = rows(out).where(col("defense").equalTo("planted-hang")).first();
        assertEquals("error", hung.getAs("status"));
        // Without the limit the cell would end after ten minutes with an AssertionError, not this message.
        assertTrue(((String) hung.getAs("error")).contains("run.cell-timeout = 15s"), (String) hung.getAs("error"));
        assertTrue(hung.isNullAt(hung.fieldIndex("detected")));
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

    @Test
    void theRunEndsWithItsReport() throws Exception {
        assertTrue(stdoutA.contains("report: file:" + outA + "/report.html"), stdoutA);
        String md = Files.readString(Path.of(outA, "report.md"));
        assertTrue(md.contains("| spectral-signatures | "), md);
        assertTrue(md.contains("| planted-failure | – (2 errors) | – (2 errors) |"), "all-error groups have no rate:\n" + md);
        assertTrue(md.contains("error: synthetic / compact-cnn / fp32 / planted-failure / seed 1: "
                + "java.lang.IllegalStateException: planted failure for the test"), md);
        assertTrue(md.contains("× 2 precisions (fp32, int4-sim) × 2 defenses (spectral-signatures, planted-failure) "
                + "× 2 seeds (1, 2) = **8 cells**: 4 ok, 4 error, 0 missing"), md);
        assertEquals(1 + 4, Files.readAllLines(Path.of(outA, "summary.csv")).size(), "header + 2 precisions × 2 defenses");
    }

    /** Chromium (headless) loads a copy of report.html with a check appended that reports tables and images. */
    private static Map<String, Integer> openInChromium(String html, Path page) throws Exception {
        String check = "<script>window.addEventListener('load',()=>{const i=[...document.images];"
                + "document.body.setAttribute('data-check',[document.querySelectorAll('table').length,i.length,"
                + "i.filter(x=>!(x.complete&&x.naturalWidth>0)).length].join('/'));});</script></body>";
        Files.writeString(page, html.replace("</body>", check));
        Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--virtual-time-budget=5000", "--dump-dom", page.toUri().toString()).redirectErrorStream(false).start();
        p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        String dom = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "chromium failed (make test installs Debian's chromium)");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-check=\"(\\d+)/(\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the page did not load:\n" + dom.substring(0, Math.min(500, dom.length())));
        return Map.of("tables", Integer.parseInt(m.group(1)), "images", Integer.parseInt(m.group(2)),
                "broken", Integer.parseInt(m.group(3)));
    }

    @Test
    void reportHtmlOpensInChromiumWithEveryTableAndImage() throws Exception {
        String html = Files.readString(Path.of(outA, "report.html"));
        Map<String, Integer> loaded = openInChromium(html, tmp.resolve("report-check.html"));
        assertEquals(3, loaded.get("tables"), "detection, accuracy, main score");
        assertEquals(2, loaded.get("images"), "heatmap and accuracy bars");
        assertEquals(0, loaded.get("broken"));
        // The check itself sees a broken image when there is one.
        Map<String, Integer> control = openInChromium(html.replace("</h1>", "</h1><img src=\"data:image/png;base64,AAAA\">"),
                tmp.resolve("report-broken.html"));
        assertEquals(1, control.get("broken"));
    }

    @Test
    void theNotebookRunsHeadlessOnTheResults() throws Exception {
        Path notebook = Path.of(System.getProperty("blindspot-test.root", ".."), "notebooks", "blindspot-results.ipynb");
        Path executed = tmp.resolve("executed.ipynb");
        ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=300", notebook.toAbsolutePath().toString(), "--output", executed.toString())
                .redirectErrorStream(true);
        pb.environment().put("BLINDSPOT_RESULTS", outA);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "the notebook failed (make test installs Debian's jupyter):\n" + log);
        String out = Files.readString(executed);
        assertTrue(out.contains("8 cells from"), "it read the cell rows");
        assertEquals(2, out.split("\"image/png\"", -1).length - 1, "heatmap and accuracy plot");
    }
}
