package dev.blindspot.report;

import dev.blindspot.cli.Blindspot;
import dev.blindspot.result.CellResult;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Results directories the report cannot use give one clear line and exit 2, never a stack trace. */
class ReportInputTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("report-input").config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static void writeRows(Path dir, List<CellResult> rows) {
        spark.createDataset(rows, Encoders.bean(CellResult.class)).write().mode(SaveMode.Append)
                .parquet(dir.resolve("cells").toString());
    }

    private static String[] report(Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Blindspot.execute(new String[] {"report", "--results", dir.toString(), "--master", "local[1]"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    private static void assertUsageError(String[] result, String... phrases) {
        assertEquals("2", result[0], result[1] + result[2]);
        for (String p : phrases) {
            assertTrue(result[2].contains(p), "expected '" + p + "' in: " + result[2]);
        }
        assertFalse(result[2].contains("\tat "), "no stack trace: " + result[2]);
    }

    @Test
    void aDirectoryWithoutRows() throws Exception {
        Path none = Files.createDirectories(tmp.resolve("none"));
        assertUsageError(report(none), "--results " + none, "no cell rows", "blindspot run --out");
        Path empty = Files.createDirectories(tmp.resolve("empty").resolve("cells"));
        assertUsageError(report(empty.getParent()), "holds no cell rows");
    }

    @Test
    void rowsOfTwoConfigs() {
        Path mixed = tmp.resolve("mixed");
        CellResult a = AggregationTest.row("fp32", "strip", 1, "ok", true, null, 0.8, 0.9, 0);
        CellResult b = AggregationTest.row("fp32", "strip", 2, "ok", true, null, 0.8, 0.9, 0);
        b.setConfigHash("other");
        writeRows(mixed, List.of(a, b));
        assertUsageError(report(mixed), "rows of 2 different configs", "h=1", "other=1", "own --out");
        assertFalse(Files.exists(mixed.resolve("report.html")), "nothing is written from mixed rows");
    }

    @Test
    void rowsWrittenByAnOlderVersion() {
        Path old = tmp.resolve("old");
        CellResult a = AggregationTest.row("fp32", "strip", 1, "ok", true, null, 0.8, 0.9, 0);
        a.setCodeVersion("0123abc");
        // An older schema: before asr_all and the target identification existed.
        spark.createDataset(List.of(a), Encoders.bean(CellResult.class)).drop("asrAll", "targetIdentified")
                .write().parquet(old.resolve("cells").toString());
        assertUsageError(report(old), "another version of Blindspot", "0123abc", "missing columns asrAll, targetIdentified");
    }

    @Test
    void handMadeRowsGiveTheFilesAndTheTables() throws Exception {
        Path ok = tmp.resolve("ok");
        writeRows(ok, List.of(
                AggregationTest.row("fp32", "neural-cleanse", 1, "ok", true, true, 0.8, 0.9, 3),
                AggregationTest.row("fp32", "neural-cleanse", 2, "ok", false, false, 0.6, 0.7, 1),
                AggregationTest.row("fp32", "neural-cleanse-paper", 1, "ok", false, null, 0.8, 0.9, 0),
                AggregationTest.row("fp32", "neural-cleanse-paper", 2, "error", null, null, 0.6, 0.7, 0)));
        String[] result = report(ok);
        assertEquals("0", result[0], result[2]);
        assertTrue(result[1].contains("report: file:" + ok.resolve("report.html")), result[1]);
        String md = Files.readString(ok.resolve("report.md"));
        assertTrue(md.contains("| neural-cleanse | 50% [9–91] (2) |"), md);
        assertTrue(md.contains("| neural-cleanse-paper | 0% [0–79] (1, 1 error) |"), md);
        assertTrue(md.contains("error: synthetic / compact-cnn / fp32 / neural-cleanse-paper / seed 2"), md);
        for (String f : List.of("summary.csv", "cells.csv", "report.html",
                "plots/detection-synthetic-compact-cnn.png", "plots/accuracy-synthetic-compact-cnn.png",
                "plots/reference-vs-paper-neural-cleanse-synthetic-compact-cnn.png")) {
            assertTrue(Files.size(ok.resolve(f)) > 0, f);
        }
        assertEquals(3, Files.readAllLines(ok.resolve("summary.csv")).size(), "header + 2 groups");
        assertEquals(2, spark.read().parquet(ok.resolve("summary").toString()).count());
    }
}
