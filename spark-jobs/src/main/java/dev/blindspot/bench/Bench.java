package dev.blindspot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.blindspot.grid.GridJob;
import dev.blindspot.grid.GridSpec;
import dev.blindspot.grid.LocalGridRunner;
import dev.blindspot.grid.RunInfo;
import dev.blindspot.model.LayerFlavor;
import dev.blindspot.result.CellResult;
import org.apache.spark.sql.SparkSession;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code make bench}: Blindspot's training, backprop and inference throughput next to PyTorch's, for the
 * same architectures and batch, measured in one run on this machine, with the ratios; then a small grid's
 * throughput on Spark {@code local[2]} next to the same cells run one after another in one JVM.
 *
 * <p>Both sides get their best use of the 2 cores: one process with 2 threads, or 2 independent workers
 * with 1 thread each (2 processes for PyTorch, 2 concurrent tasks for Blindspot, as Spark runs them).
 */
public final class Bench {
    private static final int BATCH = 128;

    private Bench() {
    }

    /** args: path of torch_bench.py, then optional "quick" (fewer steps, 1 epoch) and "grid" (the grid only). */
    public static void main(String[] args) throws Exception {
        Path torchScript = Path.of(args.length > 0 ? args[0] : "spark-jobs/src/bench/python/torch_bench.py");
        List<String> modes = List.of(args).subList(Math.min(1, args.length), args.length);
        boolean quick = modes.contains("quick");
        boolean gridOnly = modes.contains("grid"); // make bench-grid: only the grid's throughput
        PrintWriter out = new PrintWriter(System.out, true);
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf("Blindspot bench: %d cores, batch %d, %s%n%n", cores, BATCH, quick ? "quick" : "full");

        if (gridOnly) {
            gridThroughput(out, quick);
            return;
        }
        List<String[]> table = new ArrayList<>();
        for (String arch : List.of("compact-cnn", "preact-resnet18")) {
            boolean small = arch.equals("compact-cnn");
            int steps = quick ? (small ? 5 : 2) : (small ? 20 : 4);
            int warmup = small ? 3 : 1;
            ModelThroughput.Rates torch2 = torch(torchScript, arch, 2, 1, steps, warmup);
            ModelThroughput.Rates torch11 = torch(torchScript, arch, 1, 2, steps, warmup);
            List<ModelThroughput.Setup> setups = new ArrayList<>();
            if (small) {
                setups.add(new ModelThroughput.Setup(arch, LayerFlavor.STOCK, false, 2, 1)); // DL4J out of the box
                setups.add(new ModelThroughput.Setup(arch, LayerFlavor.STOCK, true, 2, 1));  // + oneDNN helpers
            }
            setups.add(new ModelThroughput.Setup(arch, LayerFlavor.FUSED, true, 2, 1));
            setups.add(new ModelThroughput.Setup(arch, LayerFlavor.FUSED, true, 1, 2));
            ModelThroughput.Rates best = null;
            for (ModelThroughput.Setup s : setups) {
                int ourSteps = s.helpers() ? steps : Math.max(2, steps / 5); // the slow path is slow
                ModelThroughput.Rates r = ModelThroughput.measure(s, BATCH, s.helpers() ? warmup : 1, ourSteps);
                table.add(row("blindspot " + s.describe(), r));
                out.println(String.join(" | ", table.get(table.size() - 1)));
                if (s.flavor() == LayerFlavor.FUSED) {
                    best = best == null ? r : max(best, r);
                }
            }
            ModelThroughput.Rates torchBest = max(torch2, torch11);
            table.add(row("pytorch " + arch + " 1x2thr", torch2));
            table.add(row("pytorch " + arch + " 2x1thr", torch11));
            table.add(new String[] {"RATIO " + arch + " blindspot best / pytorch best",
                ratio(best.trainIps(), torchBest.trainIps()), ratio(best.backpropIps(), torchBest.backpropIps()),
                ratio(best.inferIps(), torchBest.inferIps())});
        }
        out.println();
        out.printf("%-58s %12s %12s %12s%n", "images/s (batch " + BATCH + ")", "train", "backprop", "infer");
        for (String[] r : table) {
            out.printf("%-58s %12s %12s %12s%n", (Object[]) r);
        }
        out.println("(backprop = forward + backward without update: Neural Cleanse's inner step)");
        out.println();
        gridThroughput(out, quick);
    }

    private static String[] row(String name, ModelThroughput.Rates r) {
        return new String[] {name, fmt(r.trainIps()), fmt(r.backpropIps()), fmt(r.inferIps())};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(double ours, double theirs) {
        return String.format(Locale.ROOT, "%.2fx", ours / theirs);
    }

    private static ModelThroughput.Rates max(ModelThroughput.Rates a, ModelThroughput.Rates b) {
        return new ModelThroughput.Rates(Math.max(a.trainIps(), b.trainIps()), Math.max(a.backpropIps(), b.backpropIps()),
                Math.max(a.inferIps(), b.inferIps()));
    }

    /** Runs {@code processes} concurrent PyTorch processes of {@code threads} threads; sums their rates. */
    private static ModelThroughput.Rates torch(Path script, String arch, int threads, int processes, int steps,
                                               int warmup) throws IOException, InterruptedException {
        List<Process> procs = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            procs.add(new ProcessBuilder("/usr/bin/python3", script.toString(), "--arch", arch, "--threads",
                    Integer.toString(threads), "--steps", Integer.toString(steps), "--warmup", Integer.toString(warmup),
                    "--batch", Integer.toString(BATCH)).redirectErrorStream(true).start());
        }
        double train = 0;
        double backprop = 0;
        double infer = 0;
        ObjectMapper json = new ObjectMapper();
        for (Process p : procs) {
            String last = null;
            StringBuilder all = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    all.append(line).append('\n');
                    if (line.startsWith("{")) {
                        last = line;
                    }
                }
            }
            if (p.waitFor() != 0 || last == null) {
                throw new IllegalStateException("PyTorch baseline failed (is python3-torch installed?):\n" + all);
            }
            JsonNode n = json.readTree(last);
            train += n.get("train_ips").asDouble();
            backprop += n.get("backprop_ips").asDouble();
            infer += n.get("infer_ips").asDouble();
        }
        return new ModelThroughput.Rates(train, backprop, infer);
    }

    /** A small synthetic grid: cells per minute on Spark local[2] vs one after another in one JVM. */
    private static void gridThroughput(PrintWriter out, boolean quick) throws IOException {
        // Four trainings and eight cells: a grid's fixed Spark costs (jobs, the Parquet writer's first use in the
        // JVM, the read-back) are a few seconds, which a two-cell grid would make the whole comparison.
        String conf = "blindspot { grid { seeds = [1, 2, 3, 4], precisions = [fp32, int4-sim], defenses = [spectral-signatures] }\n"
                + " training.epochs = " + (quick ? 1 : 2) + "\n defender.clean-split = 100\n"
                + " datasets.synthetic { train-size = 1200, test-size = 400 } }";
        GridSpec spec = GridSpec.load(ConfigFactory.parseString(conf), ConfigFactory.empty());
        int cells = spec.seeds().size() * spec.datasets().size() * spec.models().size() * spec.precisions().size()
                * spec.defenses().size();
        Path dir = Files.createTempDirectory("blindspot-bench");

        var data = spec.prepareDatasets(dir.resolve("prepared").toString());
        long t0 = System.nanoTime();
        List<CellResult> local = LocalGridRunner.run(spec, new RunInfo("bench-local", "bench", "none",
                dir.resolve("local").toString()), data, Runtime.getRuntime().availableProcessors());
        double sequential = (System.nanoTime() - t0) / 1e9;

        SparkSession spark = SparkSession.builder().master("local[2]").appName("blindspot-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        double onSpark;
        String overhead;
        try {
            t0 = System.nanoTime();
            java.io.StringWriter log = new java.io.StringWriter();
            GridJob.run(spark, spec, new RunInfo("bench-spark", "bench", spark.version(), dir.resolve("spark").toString()),
                    data, new PrintWriter(log));
            onSpark = (System.nanoTime() - t0) / 1e9;
            overhead = log.toString().lines().filter(l -> l.startsWith("spark:") || l.startsWith("wall by phase:"))
                    .collect(java.util.stream.Collectors.joining("\n  "));
        } finally {
            spark.stop();
        }
        out.printf("grid of %d trainings, %d cells (synthetic, %s):%n", spec.seeds().size(), cells,
                quick ? "1 epoch" : "2 epochs");
        out.printf("  one JVM, sequential, %d ND4J threads: %6.1f s = %6.2f cells/min (%d rows)%n",
                Runtime.getRuntime().availableProcessors(), sequential, cells * 60 / sequential, local.size());
        out.printf("  Spark local[2], 1 thread per task:   %6.1f s = %6.2f cells/min%n", onSpark, cells * 60 / onSpark);
        out.println("  " + overhead);
        out.printf("RATIO grid Spark local[2] / sequential: %.2fx%n", sequential / onSpark);
    }
}
