package dev.blindspot.grid;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Phase 2 overlaps phase 1 in local training mode: with three models on two slots, the cells of the first
 * models run while the third one trains, instead of waiting for it; and the Parquet warm-up leaves nothing
 * behind but the grid's own output.
 */
class PipelinedPhasesTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    /** Spark job id → its description and its start/end times (ms), as the driver's listener saw them. */
    static final Map<Integer, String> descriptions = new ConcurrentHashMap<>();
    static final Map<Integer, Long> starts = new ConcurrentHashMap<>();
    static final Map<Integer, Long> ends = new ConcurrentHashMap<>();

    @BeforeAll
    static void session() {
        spark = SparkSession.builder().master("local[2]").appName("pipelined-phases-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                String d = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
                descriptions.put(job.jobId(), d == null ? "" : d);
                starts.put(job.jobId(), job.time());
            }

            @Override
            public void onJobEnd(SparkListenerJobEnd job) {
                ends.put(job.jobId(), job.time());
            }
        });
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void cellsOfReadyModelsRunWhileTheLastModelTrains() throws Exception {
        Path out = tmp.resolve("grid");
        String stdout = GridEndToEndTest.execute(List.of("run", "--master", "local[2]", "--no-report",
                "--out", out.toString(),
                "--set", "grid.seeds=[1, 2, 3]",
                "--set", "grid.precisions=[fp32, int4-sim]",
                "--set", "grid.defenses=[spectral-signatures]",
                "--set", "datasets.synthetic={classes=4,train-size=900,test-size=200}",
                "--set", "defender.clean-split=100",
                "--set", "training.epochs=2"));
        assertTrue(stdout.contains("6 cells: 6 ok, 0 error"), stdout);

        long lastTrainingEnd = descriptions.entrySet().stream().filter(e -> e.getValue().startsWith("phase 1: train"))
                .mapToLong(e -> ends.get(e.getKey())).max().orElseThrow();
        long firstCellsStart = descriptions.entrySet().stream().filter(e -> e.getValue().startsWith("phase 2:"))
                .mapToLong(e -> starts.get(e.getKey())).min().orElseThrow();
        assertEquals(3, descriptions.values().stream().filter(d -> d.startsWith("phase 1: train")).count(),
                "one job per model: " + descriptions);
        assertEquals(3, descriptions.values().stream().filter(d -> d.startsWith("phase 2:")).count(),
                "one job per model's cells: " + descriptions);
        assertTrue(firstCellsStart < lastTrainingEnd, "cells started " + (lastTrainingEnd - firstCellsStart)
                + " ms before the last model was ready? " + descriptions);

        assertEquals(6, spark.read().parquet(out.resolve("cells").toString()).count());
        assertFalse(Files.exists(out.resolve("parquet-warmup")), "the warm-up's row is deleted");
        assertTrue(descriptions.values().stream().anyMatch(d -> d.startsWith("warm-up:")), "the warm-up ran");
    }
}
