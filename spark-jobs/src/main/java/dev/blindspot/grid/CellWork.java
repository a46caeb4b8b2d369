package dev.blindspot.grid;

import dev.blindspot.attack.BadNet;
import dev.blindspot.attack.PoisonedSet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.datasets.DatasetSplits;
import dev.blindspot.defense.DefenseContext;
import dev.blindspot.defense.DefenseOutcome;
import dev.blindspot.defense.Defenses;
import dev.blindspot.experiment.PreparedData;
import dev.blindspot.metrics.Metrics;
import dev.blindspot.model.Architectures;
import dev.blindspot.model.Classifier;
import dev.blindspot.model.Trainer;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.precision.PrecisionScheme;
import dev.blindspot.precision.PrecisionSchemes;
import dev.blindspot.result.CellResult;
import dev.blindspot.util.Seeds;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.time.Instant;
import java.util.Map;

/**
 * The work of one task, free of Spark so it can be tested and run on its own: phase 1 trains a model and
 * stores it, phase 2 runs one cell on a stored model. Built on the executor from the grid's rendered config.
 */
final class CellWork {
    private final GridSpec spec;
    private final RunInfo run;
    private final Map<String, PreparedDataset.Ref> data;
    private final int threadsPerTask;

    CellWork(GridSpec spec, RunInfo run, Map<String, PreparedDataset.Ref> data, int threadsPerTask) {
        this.spec = spec;
        this.run = run;
        this.data = data;
        this.threadsPerTask = threadsPerTask;
    }

    private NativeKernels.Status runtime() {
        int threads = spec.nd4jThreads() > 0 ? spec.nd4jThreads() : threadsPerTask;
        return ExecutorRuntime.ensure(spec.fastKernels(), threads);
    }

    /** The prepared dataset, loaded once per JVM however many tasks use it. */
    private DatasetSplits data(String dataset) {
        return PreparedDataset.load(data.get(dataset).path());
    }

    /** Phase 1: reuses the stored model of this key if it verifies; otherwise trains, evaluates at FP32, stores. */
    TrainingOutcome train(TrainingJob job) {
        return train(job, false);
    }

    /** Phase 1, with {@code retrain} ({@code --fresh}) ignoring and replacing a stored model; trains in this task. */
    TrainingOutcome train(TrainingJob job, boolean retrain) {
        return train(job, retrain, (j, prepared, d) -> trainHere(j, prepared.training(), d));
    }

    /** The job's model trained in this task on {@code set}, with the grid's recipe and the job's seed. */
    private Classifier trainHere(TrainingJob job, PoisonedSet set, DatasetSplits d) {
        return Trainer.train(Architectures.byName(job.model()), set, d.normalization(), d.augmentation(),
                spec.training(), job.seed());
    }

    /** How a model is trained: in this task ({@link Trainer}) or across the cluster ({@link DistributedTrainer}). */
    @FunctionalInterface
    interface ModelTrainer {
        Classifier train(TrainingJob job, PreparedData prepared, DatasetSplits data);
    }

    /** Phase 1 with the given way of training; the store lookup, FP32 evaluation and storing are the same. */
    TrainingOutcome train(TrainingJob job, boolean retrain, ModelTrainer trainer) {
        ModelStore store = new ModelStore(run.modelDir());
        java.util.Optional<TrainingOutcome> stored = retrain ? java.util.Optional.empty() : store.find(job.key());
        if (stored.isPresent()) {
            return stored.get();
        }
        runtime();
        DatasetSplits d = data(job.dataset());
        PreparedData prepared = PreparedData.prepare(d.train(), spec.attack(), spec.cleanSplit(), job.seed());
        long t0 = System.nanoTime();
        Classifier model = trainer.train(job, prepared, d);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Evaluation fp32 = evaluate(model, d.test(), spec.attack());
        return store.save(job.key(), model, fp32, seconds);
    }

    /** Clean accuracy and both ASR figures of a model on the test set. */
    record Evaluation(double cleanAcc, double asr, double asrAll) {
    }

    static Evaluation evaluate(Classifier model, ImageSet test, BadNet attack) {
        int[] clean = model.predict(test);
        int[] triggered = model.predict(attack.stampAll(test));
        return new Evaluation(Metrics.accuracy(clean, test.labels()),
                Metrics.attackSuccess(triggered, test.labels(), attack.target(), true),
                Metrics.attackSuccess(triggered, test.labels(), attack.target(), false));
    }

    /** Threads that run time-limited cells; daemons, so a cell that ignores its interrupt cannot hold the JVM. */
    private static final ExecutorService CELL_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "blindspot-cell");
        t.setDaemon(true);
        return t;
    });

    /**
     * Phase 2 under {@code run.cell-timeout}: past the limit the cell is interrupted (its loops stop at the next
     * {@link dev.blindspot.util.Cancellation#check()}) and its row becomes an {@code error} that names the limit.
     */
    CellResult runWithTimeout(Cell cell, TrainingOutcome trained) {
        Duration limit = spec.cellTimeout();
        if (limit.isZero()) {
            return run(cell, trained);
        }
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        Future<CellResult> future = CELL_THREADS.submit(() -> {
            try {
                return run(cell, trained);
            } finally {
                ended.countDown();
            }
        });
        try {
            return future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            CellResult r = new CellResult();
            identify(r, cell, trained);
            fail(r, "TimeoutException: the cell exceeded run.cell-timeout = " + spec.config().getString("run.cell-timeout"));
            try {
                // Let the interrupted cell reach its next cancellation check before the next cell starts, so
                // two cells do not share the task's cores; one stuck in a native call is left behind after a minute.
                ended.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return r;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while cell " + cell.id() + " ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cell " + cell.id() + " failed outside its error handling", e.getCause());
        }
    }

    /**
     * Phase 2: quantizes the stored model, evaluates it, runs the defense. Any failure becomes a row with
     * status {@code error} and the message; what was measured before the failure is kept.
     */
    CellResult run(Cell cell, TrainingOutcome trained) {
        CellResult r = new CellResult();
        identify(r, cell, trained);
        try {
            if (!trained.ok()) {
                throw new IllegalStateException("training of model " + trained.key() + " failed: " + trained.error());
            }
            NativeKernels.Status kernels = runtime();
            r.setNd4jBackend(kernels.describe());
            DatasetSplits d = data(cell.training().dataset());
            PreparedData prepared = PreparedData.prepare(d.train(), spec.attack(), spec.cleanSplit(), cell.training().seed());
            r.setTrainSize(prepared.training().size());
            r.setPoisoned(prepared.training().poisonedCount());
            r.setTestSize(d.test().size());
            r.setCleanSplitSize(prepared.cleanSplit().size());

            Classifier fp32 = ModelStore.load(trained, d.normalization());
            long t0 = System.nanoTime();
            PrecisionScheme scheme = PrecisionSchemes.byName(cell.precision());
            int calibrationSize = Math.min(prepared.cleanSplit().size(), spec.config().getInt("precisions.calibration-images"));
            ImageSet calibration = prepared.cleanSplit().subset(java.util.stream.IntStream.range(0, calibrationSize).toArray());
            Classifier quantized = scheme.apply(fp32, calibration);
            long t1 = System.nanoTime();
            r.setQuantizeSeconds((t1 - t0) / 1e9);

            Evaluation q = evaluate(quantized, d.test(), spec.attack());
            r.setCleanAcc(q.cleanAcc());
            r.setAsr(q.asr());
            r.setAsrAll(q.asrAll());
            long t2 = System.nanoTime();
            r.setEvalSeconds((t2 - t1) / 1e9);

            DefenseOutcome outcome = Defenses.create(cell.defense(), spec.config().getConfig("defenses"))
                    .run(new DefenseContext(quantized, fp32, m -> scheme.apply(m, calibration), prepared.training(),
                            prepared.cleanSplit(), d.test(),
                            Seeds.derive(cell.training().seed(), "defense:" + cell.defense()),
                            set -> trainHere(cell.training(), set, d)));
            r.setDefenseSeconds((System.nanoTime() - t2) / 1e9);
            r.setDetected(outcome.detected());
            r.setTargetIdentified(outcome.targetIdentified());
            r.setScores(outcome.scores());
            r.setThresholds(outcome.thresholds());
            r.setStatus("ok");
        } catch (Exception | LinkageError | AssertionError e) {
            fail(r, describe(e));
        }
        return r;
    }

    /** An error row: the message, and no decision (never a "not detected"); figures measured so far stay. */
    private static void fail(CellResult r, String error) {
        r.setStatus("error");
        r.setError(error);
        r.setDetected(null);
        r.setTargetIdentified(null);
    }

    /** How a failure reads in a row: the exception's class and message. */
    static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private void identify(CellResult r, Cell cell, TrainingOutcome trained) {
        r.setRunId(run.runId());
        r.setCellId(cell.id());
        r.setConfigHash(spec.configHash());
        r.setCodeVersion(run.codeVersion());
        r.setSparkVersion(run.sparkVersion());
        r.setDataset(cell.training().dataset());
        r.setModel(cell.training().model());
        r.setAttack(spec.attack().spec());
        r.setTraining(spec.training().spec());
        r.setTrainingMode(cell.training().mode().spec());
        r.setSeed(cell.training().seed());
        r.setPrecision(cell.precision());
        r.setPrecisionSpec(PrecisionSchemes.byName(cell.precision()).specification());
        r.setDefense(cell.defense());
        r.setCleanAccFp32(trained.cleanAcc());
        r.setAsrFp32(trained.asr());
        r.setAsrAllFp32(trained.asrAll());
        r.setTrainSeconds(trained.trainSeconds());
        r.setCleanAcc(Double.NaN);
        r.setAsr(Double.NaN);
        r.setAsrAll(Double.NaN);
        r.setQuantizeSeconds(Double.NaN);
        r.setEvalSeconds(Double.NaN);
        r.setDefenseSeconds(Double.NaN);
        r.setScores(Map.of());
        r.setThresholds(Map.of());
        r.setStartedAt(Instant.now().toString());
        r.setJavaVersion(System.getProperty("java.version") + " " + System.getProperty("os.name") + "/"
                + System.getProperty("os.arch"));
        try {
            r.setHost(InetAddress.getLocalHost().getHostName());
        } catch (java.io.IOException e) {
            r.setHost("unknown");
        }
    }
}
