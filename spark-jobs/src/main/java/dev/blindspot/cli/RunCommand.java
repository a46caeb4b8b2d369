package dev.blindspot.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.blindspot.datasets.DatasetFormatException;
import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.grid.GridJob;
import dev.blindspot.grid.GridSpec;
import dev.blindspot.grid.RunInfo;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.util.InvalidConfigException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code blindspot run}: validates the grid, then runs it on Spark. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a grid: train each model once, then quantize, evaluate and defend every cell.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Grid config (HOCON), e.g. conf/default.conf. "
            + "Without it, the built-in defaults.")
    File config;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "Spark master (default: ${DEFAULT-VALUE}); ignored when launched by spark-submit.")
    String master;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory, any Hadoop URI "
            + "(default: the config's blindspot.run.out).")
    String out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. "
            + "--set grid.seeds=[1,2,3] (the 'blindspot.' prefix is optional). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--fresh", description = "Start over: forget the rows a previous run stored in --out and "
            + "retrain every model instead of reusing the model store. Default: resume, recomputing nothing finished.")
    boolean fresh;

    @Option(names = "--rerun-errors", description = "Run again the cells whose stored row is an error "
            + "(by default a rerun keeps them as they are).")
    boolean rerunErrors;

    @Option(names = "--no-report", description = "Do not write the report (summary, plots, report.html) at the end.")
    boolean noReport;

    @Override
    public Integer call() {
        GridSpec grid = loadGrid();
        String outDir = out != null ? out : grid.config().getString("run.out");
        checkOutput(outDir);
        // Fail before Spark starts if the fast kernels are required but unavailable.
        NativeKernels.enable(grid.fastKernels(), grid.nd4jThreads());
        PrintWriter stdout = spec.commandLine().getOut();
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        String models = grid.config().getString("run.models");
        RunInfo run = new RunInfo(started + "-" + grid.configHash(), CodeVersion.get(), "not started", outDir,
                models.isEmpty() ? outDir + "/models" : models);
        long t0 = System.nanoTime();
        Map<String, PreparedDataset.Ref> data;
        try {
            data = grid.prepareDatasets(run.preparedDir());
        } catch (DatasetFormatException | InvalidConfigException e) {
            throw new Blindspot.UsageException(e.getMessage(), e);
        }
        stdout.printf("prepared %s in %.1f s%n", data.keySet(), (System.nanoTime() - t0) / 1e9);

        try (Sessions session = new Sessions("blindspot", master)) {
            SparkSession spark = session.spark;
            GridJob.Outcome outcome = GridJob.run(spark, grid, run.withSparkVersion(spark.version()), data,
                    new GridJob.Options(fresh, rerunErrors), stdout);
            if (!noReport && outcome.cells() > 0) {
                ReportCommand.print(ReportCommand.write(spark, outDir), stdout);
            }
            return outcome.cells() > 0 ? 0 : 1;
        }
    }

    /** Layers --set over --config over the built-in defaults; any problem is a usage error. */
    GridSpec loadGrid() {
        try {
            Config file = ConfigFactory.empty();
            if (config != null) {
                if (!config.isFile() || !config.canRead()) {
                    throw new Blindspot.UsageException("--config " + config + ": not a readable file", null);
                }
                file = ConfigFactory.parseFile(config, ConfigParseOptions.defaults().setAllowMissing(false));
            }
            return GridSpec.load(file, parseOverrides(overrides));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new Blindspot.UsageException((config != null ? config + ": " : "") + e.getMessage(), e);
        }
    }

    static Config parseOverrides(List<String> sets) {
        Config merged = ConfigFactory.empty();
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new Blindspot.UsageException("--set " + s + ": expected KEY=VALUE", null);
            }
            String key = s.substring(0, eq).trim();
            if (!key.startsWith("blindspot.")) {
                key = "blindspot." + key;
            }
            try {
                merged = ConfigFactory.parseString(key + " = " + s.substring(eq + 1)).withFallback(merged);
            } catch (ConfigException e) {
                throw new Blindspot.UsageException("--set " + s + ": " + e.getMessage(), e);
            }
        }
        return merged;
    }

    /** The output directory may exist (a rerun) but must not be a file. */
    static void checkOutput(String outDir) {
        try {
            Path p = new Path(outDir);
            FileSystem fs = p.getFileSystem(new Configuration());
            if (fs.exists(p)) {
                FileStatus st = fs.getFileStatus(p);
                if (!st.isDirectory()) {
                    throw new Blindspot.UsageException("--out " + outDir + ": exists and is a file, not a directory", null);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new Blindspot.UsageException("--out " + outDir + ": " + e.getMessage(), e);
        }
    }
}
