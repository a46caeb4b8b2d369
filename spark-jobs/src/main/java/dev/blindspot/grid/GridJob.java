package dev.blindspot.grid;

import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.result.CellResult;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The grid on Spark, as a short story: expand the cross product; phase 1 trains each distinct model once
 * (one task per model) and stores it; phase 2 runs one task per cell on the stored models; the rows are
 * written as Parquet partitioned by dataset and precision, read back, and summarised.
 */
public final class GridJob {
    private GridJob() {
    }

    /** What a finished grid wrote. */
    public record Outcome(long cells, long ok, long errors, String cellsPath) {
    }

    /**
     * @param data the grid's datasets, prepared on the driver ({@link GridSpec#prepareDatasets})
     */
    public static Outcome run(SparkSession spark, GridSpec spec, RunInfo run, Map<String, PreparedDataset.Ref> data,
                              PrintWriter out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int threadsPerTask = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        String rendered = spec.render();
        List<TrainingJob> trainings = spec.trainings(data);
        List<Cell> cells = spec.cells(trainings);
        out.printf("run %s: %d datasets x %d models x %d seeds = %d trainings; x %d precisions x %d defenses = %d cells%n",
                run.runId(), spec.datasets().size(), spec.models().size(), spec.seeds().size(), trainings.size(),
                spec.precisions().size(), spec.defenses().size(), cells.size());

        jsc.setJobDescription("phase 1: train " + trainings.size() + " models");
        List<TrainingOutcome> trained = jsc.parallelize(trainings, trainings.size())
                .map(job -> new CellWork(GridSpec.parse(rendered), run, data, threadsPerTask).train(job))
                .collect();
        Map<String, TrainingOutcome> byKey = new HashMap<>();
        for (TrainingOutcome t : trained) {
            byKey.put(t.key(), t);
        }
        Broadcast<Map<String, TrainingOutcome>> models = jsc.broadcast(byKey);
        long reused = trained.stream().filter(TrainingOutcome::reused).count();
        out.printf("phase 1: %d models ready (%d trained, %d reused from %s)%n", trained.size(),
                trained.size() - reused, reused, run.modelDir());

        jsc.setJobDescription("phase 2: " + cells.size() + " cells (quantize, evaluate, defend)");
        JavaRDD<CellResult> rows = jsc.parallelize(cells, cells.size()).mapPartitions(it -> {
            CellWork work = new CellWork(GridSpec.parse(rendered), run, data, threadsPerTask);
            List<CellResult> results = new ArrayList<>();
            while (it.hasNext()) {
                Cell cell = it.next();
                results.add(work.run(cell, models.value().get(cell.training().key())));
            }
            return results.iterator();
        });
        spark.createDataset(rows.rdd(), Encoders.bean(CellResult.class))
                .write().mode(SaveMode.Overwrite)
                .partitionBy("dataset", "precision")
                .parquet(run.cellsDir());

        jsc.setJobDescription("summary: read back " + run.cellsDir());
        Dataset<Row> back = spark.read().parquet(run.cellsDir());
        List<Row> summary = back.select(col("dataset"), col("model"), col("precision"), col("defense"), col("seed"),
                        col("status"), col("cleanAccFp32"), col("cleanAcc"), col("asrFp32"), col("asr"),
                        col("detected"), col("error"), col("targetIdentified"), col("scores"), col("defenseSeconds"))
                .orderBy(col("dataset"), col("model"), col("precision"), col("defense"), col("seed"))
                .collectAsList();
        Map<String, String> mainScores = new HashMap<>();
        for (String d : spec.defenses()) {
            mainScores.put(d, dev.blindspot.defense.Defenses.create(d, spec.config().getConfig("defenses")).mainScore());
        }
        SummaryTable.print(summary, mainScores, out);
        long ok = summary.stream().filter(r -> "ok".equals(r.getString(5))).count();
        out.printf("%d cells: %d ok, %d error; rows in %s%n", summary.size(), ok, summary.size() - ok, run.cellsDir());
        return new Outcome(summary.size(), ok, summary.size() - ok, run.cellsDir());
    }
}
