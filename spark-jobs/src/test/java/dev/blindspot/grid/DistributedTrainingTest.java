package dev.blindspot.grid;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code training.mode = distributed} on Spark {@code local[2]}: the model is trained by dl4j-spark's
 * parameter averaging over two workers (seen in the Spark jobs it runs), learns (losing at most 5 points of
 * clean accuracy to the same model trained in one task), is another model (its own key, its mode in every
 * row), and is reproducible bit for bit.
 */
class DistributedTrainingTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    /** Tasks of each stage that ran under a "distributed training" job description. */
    static final Map<Integer, Integer> trainingStageTasks = new ConcurrentHashMap<>();

    static final List<String> GRID = List.of("--master", "local[2]", "--no-report",
            "--set", "grid.seeds=[3]",
            "--set", "grid.precisions=[fp32]",
            "--set", "grid.defenses=[spectral-signatures]",
            "--set", "datasets.synthetic={classes=4,train-size=3000,test-size=500}",
            "--set", "defender.clean-split=100",
            // Comparing two trainings needs models that learned the task. At the study's rate 0.1 these 132
            // steps do not reliably: of 10 classes (8 epochs) local models ended at 89.8 / 80.6 / 69.8% over
            // seeds 3-5 and distributed ones at 81.4 / 72.8 / 79.0%; of 4 classes, seed 5 at 49.6% (DL4J's
            // Nesterov momentum: 25.0%, a constant classifier). At rate 0.05, 4 classes, 6 epochs: local 93.2 /
            // 93.6 / 82.2%, distributed 90.0 / 92.6 / 89.6% (seeds 3-5): a training run's own spread is several
            // points, so the test asks that averaging lose at most 5, not that it match.
            "--set", "training.learning-rate=0.05",
            "--set", "training.epochs=6");

    /** A smaller grid for the reproducibility check, with rounds of two steps per worker. */
    static final List<String> SMALL = List.of("--set", "datasets.synthetic={classes=4,train-size=700,test-size=100}",
            "--set", "training.epochs=1", "--set", "training.distributed.averaging-frequency=2");

    @BeforeAll
    static void session() {
        // The commands use this running session (and leave it running), so the test can watch its jobs.
        spark = SparkSession.builder().master("local[2]").appName("distributed-training-test")
                .config("spark.ui.enabled", "false").getOrCreate();
        Map<Integer, Boolean> trainingStages = new ConcurrentHashMap<>();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                String description = job.properties() == null ? null : job.properties().getProperty("spark.job.description");
                if (description != null && description.contains("distributed training")) {
                    scala.collection.Iterator<Object> ids = job.stageIds().iterator();
                    while (ids.hasNext()) {
                        trainingStages.put((Integer) ids.next(), true);
                    }
                }
            }

            @Override
            public void onStageCompleted(SparkListenerStageCompleted stage) {
                if (trainingStages.containsKey(stage.stageInfo().stageId())) {
                    trainingStageTasks.put(stage.stageInfo().stageId(), stage.stageInfo().numTasks());
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static String run(String name, String mode, List<String> more) {
        List<String> args = new ArrayList<>(List.of("run", "--out", tmp.resolve(name).toString(),
                "--set", "training.mode=" + mode));
        args.addAll(GRID);
        args.addAll(more);
        return GridEndToEndTest.execute(args);
    }

    private static Row row(String name) {
        List<Row> rows = spark.read().parquet(tmp.resolve(name).resolve("cells").toString())
                .select("cleanAccFp32", "asrFp32", "trainingMode", "cellId", "status").collectAsList();
        assertEquals(1, rows.size());
        assertEquals("ok", rows.get(0).getString(4));
        return rows.get(0);
    }

    /** The model store's metadata of the run's one model. */
    private static Properties model(String name) throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve(name).resolve("models"))) {
            List<Path> meta = files.filter(p -> p.toString().endsWith(".properties")).toList();
            assertEquals(1, meta.size(), "one model");
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(meta.get(0))) {
                p.load(r);
            }
            p.setProperty("file", meta.get(0).getFileName().toString());
            return p;
        }
    }

    /** The run's one model's parameters (the zip itself carries file times). */
    private static float[] parameters(String name) throws IOException {
        String zip = model(name).getProperty("file").replace(".properties", ".zip");
        return org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                tmp.resolve(name).resolve("models").resolve(zip).toFile(), false).params().toFloatVector();
    }

    @Test
    void aDistributedTrainingAveragesOverTwoWorkersLearnsAsALocalOneAndIsReproducible() throws IOException {
        // Synchronous data-parallel SGD (averaging after every step, each worker half of the batch) keeps the
        // local recipe: same updates per epoch, same batch per update; only BatchNorm sees half-batches.
        String localOut = run("local", "local", List.of());
        assertTrue(localOut.contains("training: local (training.mode = local, 2 task slots)"), localOut);
        assertTrue(trainingStageTasks.isEmpty(), "local mode runs no distributed training job");

        String distributedOut = run("distributed", "distributed", List.of());
        assertTrue(distributedOut.contains("training: distributed(workers=2,averaging=1)"), distributedOut);
        assertTrue(distributedOut.contains("1 models ready (1 trained"), distributedOut);
        // 2,900 training images, a batch of 128 shared by 2 workers (64 each), averaged after every step:
        // one round (two tasks, one per worker) per step, 22 or more per epoch, 6 epochs.
        long rounds = trainingStageTasks.values().stream().filter(tasks -> tasks == 2).count();
        assertTrue(rounds >= 132, "parameter-averaging rounds over 2 workers: " + rounds + " " + trainingStageTasks);

        Row local = row("local");
        Row distributed = row("distributed");
        assertEquals("local", local.getString(2));
        assertEquals("distributed(workers=2,averaging=1)", distributed.getString(2));
        assertNotEquals(local.getString(3), distributed.getString(3), "a distributed model makes other cells");
        assertNotEquals(model("local").getProperty("file"), model("distributed").getProperty("file"),
                "the mode is part of the model's key");
        double caLocal = local.getDouble(0);
        double caDistributed = distributed.getDouble(0);
        assertTrue(caLocal > 0.8, "the local model learned (4 classes): " + caLocal);
        System.out.printf("clean accuracy: local %.4f, distributed %.4f%n", caLocal, caDistributed);
        assertTrue(caDistributed >= caLocal - 0.05,
                "distributed training lost more than 5 points of clean accuracy: " + caDistributed + " vs local " + caLocal);
        assertTrue(distributed.getDouble(1) > 0.6, "the backdoor was learned too: ASR " + distributed.getDouble(1));

        run("small", "distributed", SMALL);
        run("small-again", "distributed", SMALL);
        float[] first = parameters("small");
        float[] again = parameters("small-again");
        assertTrue(first.length > 10_000 && java.util.Arrays.equals(first, again),
                "the same seed gives the same distributed model, bit for bit");
    }
}
