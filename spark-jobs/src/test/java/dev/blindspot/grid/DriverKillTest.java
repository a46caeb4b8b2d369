package dev.blindspot.grid;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the driver (SIGKILL of a separate JVM running {@code blindspot run}) in the middle of phase 2, then runs
 * the same grid again: the cells that had finished are not recomputed, no model is retrained, and the Parquet
 * holds every cell exactly once.
 */
class DriverKillTest {
    @TempDir
    Path tmp;

    static final List<String> GRID = List.of("--master", "local[2]",
            "--set", "grid.seeds=[1,2]",
            "--set", "grid.precisions=[fp32,int8-dynamic,int4-sim]",
            "--set", "grid.defenses=[spectral-signatures,activation-clustering]",
            "--set", "datasets.synthetic={classes=4,train-size=400,test-size=100}",
            "--set", "defender.clean-split=40",
            "--set", "training={epochs=1,batch-size=64}");

    @Test
    void aKilledDriverLosesNoFinishedCellAndTheRerunRecomputesNone() throws Exception {
        String out = tmp.resolve("grid").toString();
        Path rowsDir = Path.of(out, "rows");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(StandaloneClusterTest.jvmOptions());
        command.addAll(List.of("-Xmx2g", "-Dspark.ui.enabled=false", "-cp", System.getProperty("java.class.path"),
                "dev.blindspot.cli.Blindspot", "run", "--out", out));
        command.addAll(GRID);
        File log = tmp.resolve("driver.log").toFile();
        Process driver = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        long deadline = System.nanoTime() + 240_000_000_000L;
        while (rowCount(rowsDir) < 2) {
            assertTrue(driver.isAlive(), "the driver ended before it could be killed:\n" + Files.readString(log.toPath()));
            assertTrue(System.nanoTime() < deadline, "no rows after 4 minutes:\n" + Files.readString(log.toPath()));
            Thread.sleep(50);
        }
        driver.destroyForcibly(); // SIGKILL: no shutdown hook, no chance to write the Parquet
        driver.waitFor();
        Map<String, String> before = storedRows(rowsDir);
        int finished = before.size();
        assertTrue(finished >= 2 && finished < 12, finished + " of 12 cells had finished when the driver was killed");
        assertTrue(!Files.exists(Path.of(out, "cells", "_SUCCESS")), "the killed run wrote no Parquet");

        List<String> rerun = new ArrayList<>(List.of("run", "--out", out));
        rerun.addAll(GRID);
        String stdout = GridEndToEndTest.execute(rerun);
        assertTrue(stdout.contains("resume: " + finished + " of 12 cells have rows"), stdout);
        assertTrue(stdout.contains((12 - finished) + " to run"), stdout);
        assertTrue(stdout.contains("2 models ready (0 trained, 2 reused"), "phase 1 had finished:\n" + stdout);
        assertTrue(stdout.contains("phase 2: " + (12 - finished) + "/" + (12 - finished) + " cells"), stdout);

        Map<String, String> after = storedRows(rowsDir);
        for (Map.Entry<String, String> e : before.entrySet()) {
            assertEquals(e.getValue(), after.get(e.getKey()), "a finished cell's row is never rewritten");
        }
        SparkSession reader = SparkSession.builder().master("local[1]").appName("read-back").getOrCreate();
        try {
            List<Row> rows = reader.read().parquet(out + "/cells").select("cellId", "status").collectAsList();
            assertEquals(12, rows.size());
            assertEquals(12, rows.stream().map(r -> r.getString(0)).distinct().count(), "every cell exactly once");
            assertTrue(rows.stream().allMatch(r -> "ok".equals(r.getString(1))));
        } finally {
            reader.stop();
        }
    }

    static long rowCount(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }

    private static Map<String, String> storedRows(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .collect(Collectors.toMap(p -> p.getFileName().toString(), p -> {
                        try {
                            return Files.readString(p);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
        }
    }
}
