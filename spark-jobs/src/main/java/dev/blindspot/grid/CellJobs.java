package dev.blindspot.grid;

import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.result.CellResult;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * Phase 2 of a grid: the cells of each model as one Spark job, one cell per partition in the given order
 * (costliest first), submitted asynchronously as soon as the model is ready so that cells run while other
 * models still train. Each finished cell's row is stored by its task ({@link RowStore}) and counted for the
 * progress line, which starts with the first submitted job.
 */
final class CellJobs implements AutoCloseable {
    private final JavaSparkContext jsc;
    private final long total;
    private final String renderedSpec;
    private final RunInfo run;
    private final Map<String, PreparedDataset.Ref> data;
    private final int threadsPerTask;
    private final RowStore rows;
    private final Duration interval;
    private final PrintWriter out;
    private final LongAccumulator done;
    private final LongAccumulator errors;
    private final List<JavaFutureAction<Void>> running = new ArrayList<>();
    private Progress progress;

    CellJobs(JavaSparkContext jsc, long total, String renderedSpec, RunInfo run, Map<String, PreparedDataset.Ref> data,
             int threadsPerTask, RowStore rows, Duration interval, PrintWriter out) {
        this.jsc = jsc;
        this.total = total;
        this.renderedSpec = renderedSpec;
        this.run = run;
        this.data = data;
        this.threadsPerTask = threadsPerTask;
        this.rows = rows;
        this.interval = interval;
        this.out = out;
        this.done = jsc.sc().longAccumulator("phase 2 done");
        this.errors = jsc.sc().longAccumulator("phase 2 errors");
    }

    /** Starts the cells of one model (a failed training's cells become error rows); returns at once. */
    void submit(TrainingOutcome model, List<Cell> cells) {
        if (cells == null || cells.isEmpty()) {
            return;
        }
        if (progress == null) {
            progress = new Progress("phase 2", "cells", total, done::value, errors::value, interval, out);
        }
        // Locals only in the task's closure: this object stays on the driver.
        String rendered = renderedSpec;
        RunInfo run = this.run;
        Map<String, PreparedDataset.Ref> data = this.data;
        int threads = threadsPerTask;
        RowStore rows = this.rows;
        LongAccumulator done = this.done;
        LongAccumulator errors = this.errors;
        jsc.setJobDescription("phase 2: " + cells.size() + " cells of model " + model.key()
                + " (quantize, evaluate, defend), costliest first");
        running.add(jsc.parallelize(cells, cells.size()).foreachPartitionAsync(it -> {
            CellWork work = new CellWork(GridSpec.parse(rendered), run, data, threads);
            while (it.hasNext()) {
                CellResult row = work.runWithTimeout(it.next(), model);
                rows.save(row);
                done.add(1);
                if (!"ok".equals(row.getStatus())) {
                    errors.add(1);
                }
            }
        }));
    }

    /** Waits for every submitted job; a job that fails (beyond Spark's task retries) fails the grid. */
    void awaitAll() {
        try {
            for (JavaFutureAction<Void> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for phase 2's cells", e);
        } catch (ExecutionException e) {
            throw GridJob.sparkFailure(e);
        }
    }

    /** Cancels what is still running (after a failure) and prints the phase's last progress line. */
    @Override
    public void close() {
        running.forEach(f -> f.cancel(true));
        if (progress != null) {
            progress.close();
        }
    }
}
