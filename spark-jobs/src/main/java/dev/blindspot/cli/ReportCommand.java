package dev.blindspot.cli;

import dev.blindspot.report.Report;
import dev.blindspot.report.ReportException;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code blindspot report}: the tables, plots and report.html of a finished (or partly finished) run. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Aggregate a run's cell rows over seeds: summary (Parquet, CSV), report.md, plots/*.png and "
                + "a self-contained report.html, written into the results directory.")
public final class ReportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--results", paramLabel = "DIR", required = true,
            description = "A run's output directory (its --out; the one holding cells/), any Hadoop URI.")
    String results;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]",
            description = "Spark master for reading the rows (default: ${DEFAULT-VALUE}).")
    String master;

    @Override
    public Integer call() {
        try (Sessions session = new Sessions("blindspot-report", master)) {
            print(write(session.spark, results), spec.commandLine().getOut());
            return Blindspot.EXIT_OK;
        }
    }

    /** Writes the report of {@code results}; a results directory it cannot read is a usage error. */
    static Report.Files write(SparkSession spark, String results) {
        try {
            return new Report(spark, results).write();
        } catch (ReportException e) {
            throw new Blindspot.UsageException(e.getMessage(), e);
        }
    }

    static void print(Report.Files files, PrintWriter out) {
        out.println("report: " + qualified(files.html()) + " (tables: " + qualified(files.markdown()) + ", "
                + files.plots().size() + " plots)");
    }

    /** A path a reader can open: file:/abs/path for local output. */
    private static String qualified(String path) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
            return p.getFileSystem(new org.apache.hadoop.conf.Configuration()).makeQualified(p).toString();
        } catch (java.io.IOException e) {
            return path;
        }
    }
}
