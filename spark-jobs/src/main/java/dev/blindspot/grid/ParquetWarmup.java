package dev.blindspot.grid;

import dev.blindspot.result.CellResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes and reads back one throw-away row with the grid's own Parquet write and summary read, on a driver
 * thread while phase 1 runs. The first Spark SQL write of a JVM costs seconds of class loading and code
 * generation (measured on a loaded 2-core machine: a 4-row write took 7.7 s the first time, 1.0 s the second
 * time in the same JVM); done here, that cost overlaps the trainings instead of following the last cell. Its one
 * task queues behind the running phase's tasks (FIFO) and fills a slot left idle at the phase's tail.
 *
 * <p>Only a warm-up: its failure changes nothing but the time of the real write, so it is logged, never thrown.
 * The row lands in {@code <out>/parquet-warmup} (not '_'-prefixed: Spark's reader would ignore it), deleted at
 * {@link #close()}; nothing reads the run's directory as a whole.
 */
final class ParquetWarmup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetWarmup.class);
    private final Thread thread;
    private final String dir;

    private ParquetWarmup(Thread thread, String dir) {
        this.thread = thread;
        this.dir = dir;
    }

    static ParquetWarmup start(SparkSession spark, String outDir) {
        String dir = outDir + "/parquet-warmup";
        Thread t = new Thread(() -> {
            try {
                spark.sparkContext().setJobDescription("warm-up: Spark SQL's Parquet writer and reader");
                CellResult row = new CellResult();
                row.setDataset("warmup");
                row.setPrecision("warmup");
                row.setScores(Map.of("warmup", 0.0));
                row.setThresholds(Map.of("warmup", 0.0));
                spark.createDataset(List.of(row), Encoders.bean(CellResult.class))
                        .write().mode(SaveMode.Overwrite).partitionBy(GridJob.PARTITIONS).parquet(dir);
                GridJob.summaryColumns(spark.read().parquet(dir)).collectAsList();
            } catch (RuntimeException e) {
                LOG.warn("Parquet warm-up failed ({}); the grid's write is only slower", e.toString());
            }
        }, "blindspot-parquet-warmup");
        t.setDaemon(true);
        t.start();
        return new ParquetWarmup(t, dir);
    }

    /** Waits for the warm-up (it is short) and deletes its directory. */
    @Override
    public void close() {
        try {
            thread.join(TimeUnit.MINUTES.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path p = new Path(dir);
        try {
            p.getFileSystem(new Configuration()).delete(p, true);
        } catch (IOException e) {
            LOG.warn("could not delete the Parquet warm-up directory {}: {}", dir, e.getMessage());
        }
    }
}
