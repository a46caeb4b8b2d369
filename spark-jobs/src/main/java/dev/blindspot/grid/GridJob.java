package dev.blindspot.grid;

import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.defense.Defenses;
import dev.blindspot.model.Architectures;
import dev.blindspot.result.CellResult;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * The grid on Spark, as a short story: expand the cross product; look up which cells a previous run of the
 * same config already finished (their rows are kept, see {@link RowStore}); phase 1 trains each distinct model
 * that a remaining cell needs, once (one task per model, or across the cluster in distributed mode, see
 * {@link TrainingMode}), or reuses it from the model store; phase 2 runs one
 * task per remaining cell, costliest first, each storing its row the moment it ends — in local training mode a
 * model's cells start as soon as that model is ready ({@link CellJobs}), while the other models still train;
 * finally the Parquet is rebuilt from the stored rows, partitioned by dataset and precision, read back, and
 * summarised (Spark SQL warmed up meanwhile by {@link ParquetWarmup}).
 */
public final class GridJob {
    /** The cell Parquet's partition columns. */
    static final String[] PARTITIONS = {"dataset", "precision"};

    private GridJob() {
    }

    /** The columns of the driver's summary table ({@link SummaryTable#print}), in its order. */
    static Dataset<Row> summaryColumns(Dataset<Row> cells) {
        return cells.select(col("dataset"), col("model"), col("precision"), col("defense"), col("seed"),
                col("status"), col("cleanAccFp32"), col("cleanAcc"), col("asrFp32"), col("asr"), col("detected"),
                col("error"), col("targetIdentified"), col("scores"), col("defenseSeconds"));
    }

    /**
     * How to treat what an earlier run in the same output directory left.
     *
     * @param fresh       forget every stored row and retrain every model instead of reusing them
     * @param rerunErrors run again the cells whose stored row is an {@code error}
     */
    public record Options(boolean fresh, boolean rerunErrors) {
        public static final Options RESUME = new Options(false, false);
    }

    /** What a finished grid wrote, and how much of it this run computed. */
    public record Outcome(long cells, long ok, long errors, String cellsPath, long cellsRun, long trainingsRun) {
    }

    public static Outcome run(SparkSession spark, GridSpec spec, RunInfo run, Map<String, PreparedDataset.Ref> data,
                              PrintWriter out) {
        return run(spark, spec, run, data, Options.RESUME, out);
    }

    /**
     * @param data the grid's datasets, prepared on the driver ({@link GridSpec#prepareDatasets})
     */
    public static Outcome run(SparkSession spark, GridSpec spec, RunInfo run, Map<String, PreparedDataset.Ref> data,
                              Options options, PrintWriter out) {
        long start = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        TaskClock clock = new TaskClock();
        spark.sparkContext().addSparkListener(clock);
        int threadsPerTask = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        String rendered = spec.render();
        String configHash = spec.configHash();
        Duration interval = spec.config().getDuration("run.progress-interval");
        int slots = jsc.defaultParallelism();
        // The number of trainings, counted from the axes: the jobs themselves are keyed by the mode.
        TrainingMode.Resolved mode = spec.trainingMode().resolve(
                spec.datasets().size() * spec.models().size() * spec.seeds().size(), slots);
        List<TrainingJob> trainings = spec.trainings(data, mode);
        List<Cell> cells = spec.cells(trainings);
        out.printf("run %s: %d datasets x %d models x %d seeds = %d trainings; x %d precisions x %d defenses = %d cells%n",
                run.runId(), spec.datasets().size(), spec.models().size(), spec.seeds().size(), trainings.size(),
                spec.precisions().size(), spec.defenses().size(), cells.size());
        out.printf("training: %s (training.mode = %s, %d task slots)%n", mode.spec(),
                spec.trainingMode().setting().name().toLowerCase(java.util.Locale.ROOT), slots);

        RowStore rows = new RowStore(run.rowsDir());
        if (options.fresh()) {
            rows.clear();
        }
        jsc.setJobDescription("resume: read the rows already stored in " + rows.dir());
        Map<String, String> stored = new HashMap<>(rows.read(jsc)
                .filter(r -> configHash.equals(r.getConfigHash()))
                .mapToPair(r -> new scala.Tuple2<>(r.getCellId(), r.getStatus()))
                .collectAsMap());
        List<Cell> pending = new ArrayList<>();
        for (Cell c : cells) {
            String status = stored.get(c.id());
            if (status == null || ("error".equals(status) && options.rerunErrors())) {
                pending.add(c);
            }
        }
        if (pending.size() < cells.size() || !stored.isEmpty()) {
            long ok = cells.stream().filter(c -> "ok".equals(stored.get(c.id()))).count();
            long errors = cells.stream().filter(c -> "error".equals(stored.get(c.id()))).count();
            out.printf("resume: %d of %d cells have rows in %s (%d ok, %d error); %d to run%s%n", ok + errors,
                    cells.size(), rows.dir(), ok, errors, pending.size(), errors == 0 ? ""
                            : options.rerunErrors() ? " (error cells again)" : " (error cells kept; --rerun-errors retries them)");
        }

        clock.phaseDone("resume");

        long trainedNow = 0;
        // Phase 1: only the models a remaining cell needs.
        Map<String, TrainingJob> needed = new LinkedHashMap<>();
        for (Cell c : pending) {
            needed.putIfAbsent(c.training().key(), c.training());
        }
        List<TrainingJob> toTrain = new ArrayList<>(needed.values());
        toTrain.sort(Comparator.comparingDouble((TrainingJob t) -> Architectures.byName(t.model()).relativeCost())
                .reversed());
        // Phase 2 overlaps phase 1: a model's cells are one Spark job, submitted the moment the model is ready;
        // Spark's FIFO scheduler still runs the trainings' tasks first, the cells fill the slots they leave.
        Map<String, Integer> classes = new HashMap<>();
        data.forEach((name, ref) -> classes.put(name, ref.numClasses()));
        Map<String, List<Cell>> cellsByModel = new LinkedHashMap<>();
        for (Cell c : costliestFirst(pending, spec, classes)) {
            cellsByModel.computeIfAbsent(c.training().key(), k -> new ArrayList<>()).add(c);
        }
        // Spark SQL's first write in this JVM costs seconds: paid on a driver thread while the executors work.
        try (ParquetWarmup warmup = pending.isEmpty() ? null : ParquetWarmup.start(spark, run.outDir());
             CellJobs cellJobs = new CellJobs(jsc, pending.size(), rendered, run, data, threadsPerTask, rows,
                     interval, out)) {
            if (!toTrain.isEmpty()) {
                LongAccumulator trainDone = jsc.sc().longAccumulator("phase 1 done");
                LongAccumulator trainErrors = jsc.sc().longAccumulator("phase 1 errors");
                List<TrainingOutcome> trained;
                boolean retrain = options.fresh();
                try (Progress p = new Progress("phase 1", "models", toTrain.size(), trainDone::value,
                        trainErrors::value, interval, out)) {
                    if (mode.distributed()) {
                        // Every round of a distributed training needs every slot: cells wait for the last model.
                        jsc.setJobDescription("phase 1: train " + toTrain.size() + " models");
                        trained = trainAcrossCluster(jsc, spec, run, data, toTrain, retrain, threadsPerTask,
                                trainDone, trainErrors);
                        trained.forEach(t -> cellJobs.submit(t, cellsByModel.get(t.key())));
                    } else {
                        trained = trainLocally(jsc, toTrain, job -> attempt(job, () -> new CellWork(
                                GridSpec.parse(rendered), run, data, threadsPerTask).train(job, retrain),
                                trainDone, trainErrors), t -> cellJobs.submit(t, cellsByModel.get(t.key())));
                    }
                }
                long reused = trained.stream().filter(TrainingOutcome::reused).count();
                long failed = trained.stream().filter(t -> !t.ok()).count();
                trainedNow = trained.size() - reused - failed;
                out.printf("phase 1: %d models ready (%d trained, %d reused from %s)%s%n", trained.size() - failed,
                        trainedNow, reused, run.modelDir(), failed == 0 ? ""
                                : "; " + failed + " failed, their cells become error rows");
            }
            clock.phaseDone("train");
            cellJobs.awaitAll();
        }
        clock.phaseDone("cells");

        // The Parquet, rebuilt from the stored rows: every cell of this grid exactly once.
        jsc.setJobDescription("write: " + run.cellsDir() + " from the stored rows");
        Set<String> ids = new HashSet<>();
        cells.forEach(c -> ids.add(c.id()));
        Broadcast<Set<String>> gridIds = jsc.broadcast(ids);
        spark.createDataset(rows.read(jsc)
                        .filter(r -> configHash.equals(r.getConfigHash()) && gridIds.value().contains(r.getCellId()))
                        .rdd(), Encoders.bean(CellResult.class))
                .write().mode(SaveMode.Overwrite)
                .partitionBy(PARTITIONS)
                .parquet(run.cellsDir());

        clock.phaseDone("parquet");
        jsc.setJobDescription("summary: read back " + run.cellsDir());
        Dataset<Row> back = spark.read().parquet(run.cellsDir());
        // Sorted here, not by Spark: a grid's rows fit the driver, and an orderBy costs a sampling job and a shuffle.
        List<Row> summary = new ArrayList<>(summaryColumns(back).collectAsList());
        summary.sort(Comparator.comparing((Row r) -> r.getString(0)).thenComparing(r -> r.getString(1))
                .thenComparing(r -> r.getString(2)).thenComparing(r -> r.getString(3))
                .thenComparingLong(r -> ((Number) r.get(4)).longValue()));
        Map<String, String> mainScores = new HashMap<>();
        for (String d : spec.defenses()) {
            mainScores.put(d, Defenses.create(d, spec.config().getConfig("defenses")).mainScore());
        }
        SummaryTable.print(summary, mainScores, out);
        long ok = summary.stream().filter(r -> "ok".equals(r.getString(5))).count();
        out.printf("%d cells: %d ok, %d error; rows in %s%n", summary.size(), ok, summary.size() - ok, run.cellsDir());
        if (summary.size() != cells.size()) {
            out.printf("warning: %d of the grid's %d cells have no row in %s%n", cells.size() - summary.size(),
                    cells.size(), rows.dir());
        }
        clock.phaseDone("summary");
        out.println(clock.line((System.nanoTime() - start) / 1e9, spark.sparkContext().defaultParallelism()));
        out.println(clock.phasesLine());
        spark.sparkContext().removeSparkListener(clock);
        return new Outcome(summary.size(), ok, summary.size() - ok, run.cellsDir(), pending.size(), trainedNow);
    }

    /**
     * Phase 1 in distributed mode: the models one after the other, each across every worker ({@link
     * DistributedTrainer}), driven from here; store lookup, FP32 evaluation and storing as in a local task.
     */
    private static List<TrainingOutcome> trainAcrossCluster(JavaSparkContext jsc, GridSpec spec, RunInfo run,
                                                            Map<String, PreparedDataset.Ref> data, List<TrainingJob> jobs,
                                                            boolean retrain, int threadsPerTask, LongAccumulator done,
                                                            LongAccumulator errors) {
        CellWork driver = new CellWork(spec, run, data, threadsPerTask);
        List<TrainingOutcome> outcomes = new ArrayList<>();
        for (TrainingJob job : jobs) {
            outcomes.add(attempt(job, () -> driver.train(job, retrain, (j, prepared, d) ->
                    DistributedTrainer.train(jsc, spec, j, data.get(j.dataset()), prepared, d, threadsPerTask)), done, errors));
        }
        return outcomes;
    }

    /**
     * Phase 1 in local mode: one single-task Spark job per model, all submitted at once, costliest first;
     * {@code ready} gets each outcome on the driver as soon as its job ends, in the order they end.
     */
    private static List<TrainingOutcome> trainLocally(JavaSparkContext jsc, List<TrainingJob> jobs,
                                                      Function<TrainingJob, TrainingOutcome> train,
                                                      Consumer<TrainingOutcome> ready) {
        List<JavaFutureAction<List<TrainingOutcome>>> running = new ArrayList<>();
        for (TrainingJob job : jobs) {
            jsc.setJobDescription("phase 1: train " + job.model() + " on " + job.dataset() + ", seed " + job.seed()
                    + " (" + job.key() + ")");
            running.add(jsc.parallelize(List.of(job), 1).map(train).collectAsync());
        }
        List<TrainingOutcome> outcomes = new ArrayList<>();
        try {
            while (!running.isEmpty()) {
                boolean any = false;
                for (var it = running.iterator(); it.hasNext(); ) {
                    JavaFutureAction<List<TrainingOutcome>> f = it.next();
                    if (f.isDone()) {
                        it.remove();
                        TrainingOutcome t = f.get().get(0);
                        outcomes.add(t);
                        ready.accept(t);
                        any = true;
                    }
                }
                if (!any) {
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training phase 1's models", e);
        } catch (ExecutionException e) {
            throw sparkFailure(e);
        } finally {
            running.forEach(f -> f.cancel(true));
        }
        return outcomes;
    }

    /** A Spark job's failure, as the blocking call that ran it would have thrown it. */
    static RuntimeException sparkFailure(ExecutionException e) {
        return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }

    /**
     * One model of phase 1, counted. One that cannot be trained (diverged, bad settings for it) must not sink the
     * sweep: it becomes a failed outcome, its cells error rows, and --rerun-errors tries it again.
     */
    private static TrainingOutcome attempt(TrainingJob job, java.util.function.Supplier<TrainingOutcome> training,
                                           LongAccumulator done, LongAccumulator errors) {
        TrainingOutcome t;
        try {
            t = training.get();
        } catch (Exception | LinkageError | AssertionError e) {
            t = TrainingOutcome.failed(job.key(), e);
            errors.add(1);
        }
        done.add(1);
        return t;
    }

    /**
     * The cells by expected wall time, longest first (its defense's cost for the dataset's labels × its model's
     * cost); ties keep the grid's order.
     */
    static List<Cell> costliestFirst(List<Cell> cells, GridSpec spec, Map<String, Integer> classesByDataset) {
        Map<String, Double> defenseCost = new HashMap<>();
        Map<String, Double> cost = new HashMap<>();
        for (Cell c : cells) {
            int k = classesByDataset.get(c.training().dataset());
            double d = defenseCost.computeIfAbsent(c.defense() + "/" + k, x ->
                    Defenses.create(c.defense(), spec.config().getConfig("defenses")).relativeCost(k));
            cost.put(c.id(), d * Architectures.byName(c.training().model()).relativeCost());
        }
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparingDouble((Cell c) -> -cost.get(c.id())));
        return sorted;
    }
}
