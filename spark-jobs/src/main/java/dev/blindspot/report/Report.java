package dev.blindspot.report;

import dev.blindspot.result.CellResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

/**
 * {@code blindspot report}: reads a run's cell rows ({@code <results>/cells}, Parquet), aggregates them
 * ({@link Aggregation}) and writes beside them: {@code summary/} (Parquet) and {@code summary.csv}, the cell rows
 * as {@code cells.csv} (scores as JSON), {@code report.md} (one section per dataset, model and attack, tables as
 * in a paper), {@code plots/*.png} and {@code report.html}, which holds the tables and the plots inline and
 * opens from disk.
 */
public final class Report {
    /** Where a report went. */
    public record Files(String markdown, String html, List<String> plots) {
    }

    private final SparkSession spark;
    private final String results;

    public Report(SparkSession spark, String results) {
        this.spark = spark;
        this.results = results.endsWith("/") ? results.substring(0, results.length() - 1) : results;
    }

    public Files write() {
        Dataset<Row> cells = readCells();
        List<CellResult> rows = checkedRows(cells);
        Aggregation.Result agg = Aggregation.of(rows);
        writeSummary(agg.groups());
        writeCellsCsv(cells);
        Map<String, byte[]> plots = new LinkedHashMap<>();
        List<Section> sections = sections(rows, agg, plots);
        for (Map.Entry<String, byte[]> p : plots.entrySet()) {
            writeBytes(results + "/plots/" + p.getKey(), p.getValue());
        }
        String header = header(rows, agg);
        List<String> problems = problems(agg, rows);
        writeBytes(results + "/report.md", markdown(header, sections, problems).getBytes(StandardCharsets.UTF_8));
        writeBytes(results + "/report.html", html(header, sections, problems, plots).getBytes(StandardCharsets.UTF_8));
        return new Files(results + "/report.md", results + "/report.html",
                plots.keySet().stream().map(k -> results + "/plots/" + k).toList());
    }

    // ---- reading and checking ------------------------------------------------------------------------

    /** The run's cell rows as Spark reads them, once they are known to have this version's schema. */
    private Dataset<Row> readCells() {
        String cells = results + "/cells";
        Dataset<Row> raw;
        try {
            if (!exists(cells)) {
                throw new ReportException("--results " + results + ": no cell rows there (expected " + cells
                        + ", which 'blindspot run --out " + results + "' writes)");
            }
            raw = spark.read().parquet(cells);
        } catch (ReportException e) {
            throw e;
        } catch (Exception e) { // Spark's AnalysisException (checked, but thrown from Scala): no Parquet there
            if (!(e instanceof AnalysisException ae)) {
                throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
            throw new ReportException("--results " + results + ": " + cells + " holds no cell rows ("
                    + ae.getSimpleMessage() + ")", e);
        }
        StructType expected = Encoders.bean(CellResult.class).schema();
        List<String> missing = new ArrayList<>();
        List<String> retyped = new ArrayList<>();
        for (StructField f : expected.fields()) {
            if (!List.of(raw.schema().fieldNames()).contains(f.name())) {
                missing.add(f.name());
            } else if (!raw.schema().apply(f.name()).dataType().sameType(f.dataType())) {
                retyped.add(f.name() + " (" + raw.schema().apply(f.name()).dataType().simpleString() + ", expected "
                        + f.dataType().simpleString() + ")");
            }
        }
        if (!missing.isEmpty() || !retyped.isEmpty()) {
            String versions = List.of(raw.schema().fieldNames()).contains("codeVersion")
                    ? " (its code version: " + raw.select("codeVersion").distinct().collectAsList().stream()
                            .map(r -> r.getString(0)).collect(Collectors.joining(", ")) + ")" : "";
            throw new ReportException("--results " + results + ": the cell rows in " + cells
                    + " were written by another version of Blindspot" + versions + " and do not have this version's schema: "
                    + (missing.isEmpty() ? "" : "missing columns " + String.join(", ", missing))
                    + (missing.isEmpty() || retyped.isEmpty() ? "" : "; ")
                    + (retyped.isEmpty() ? "" : "columns of another type " + String.join(", ", retyped))
                    + ". Run the grid again with this version (its trained models are reused) or report with the version that wrote it.");
        }
        return raw;
    }

    /** The rows of {@link #readCells()}, which must exist and belong to one config. */
    private List<CellResult> checkedRows(Dataset<Row> raw) {
        String cells = results + "/cells";
        StructType expected = Encoders.bean(CellResult.class).schema();
        List<CellResult> rows = raw.select(java.util.Arrays.stream(expected.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new)).as(Encoders.bean(CellResult.class)).collectAsList();
        if (rows.isEmpty()) {
            throw new ReportException("--results " + results + ": " + cells + " holds no cell rows");
        }
        Map<String, Long> configs = rows.stream().collect(Collectors.groupingBy(CellResult::getConfigHash,
                java.util.TreeMap::new, Collectors.counting()));
        if (configs.size() > 1) {
            throw new ReportException("--results " + results + ": " + cells + " holds rows of " + configs.size()
                    + " different configs (config hash: rows = " + configs + "); a report covers one grid. "
                    + "Give each config its own --out, or run the grid again with --fresh.");
        }
        return rows;
    }

    private boolean exists(String path) {
        Path p = new Path(path);
        try {
            return p.getFileSystem(new Configuration()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
        }
    }

    // ---- exports -------------------------------------------------------------------------------------

    private void writeSummary(List<GroupSummary> groups) {
        Dataset<Row> summary = spark.createDataFrame(groups, GroupSummary.class)
                .select(GroupSummary.COLUMNS.stream().map(org.apache.spark.sql.functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new));
        summary.write().mode(SaveMode.Overwrite).parquet(results + "/summary");
        singleCsv(summary, results + "/summary.csv");
    }

    private void writeCellsCsv(Dataset<Row> cells) {
        // What a reader scans first (the axes, the decision, the figures), then the rest as Parquet has it.
        List<String> first = List.of("dataset", "model", "attack", "precision", "defense", "seed", "status",
                "detected", "targetIdentified", "cleanAccFp32", "cleanAcc", "asrFp32", "asr", "asrAllFp32", "asrAll",
                "scores", "thresholds", "error");
        List<StructField> fields = new ArrayList<>();
        first.forEach(n -> fields.add(cells.schema().apply(n)));
        for (StructField f : cells.schema().fields()) {
            if (!first.contains(f.name())) {
                fields.add(f);
            }
        }
        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        for (StructField f : fields) {
            columns.add(f.dataType() instanceof org.apache.spark.sql.types.MapType
                    ? to_json(col(f.name())).alias(f.name()) : col(f.name()));
        }
        singleCsv(cells.select(columns.toArray(org.apache.spark.sql.Column[]::new))
                .orderBy("dataset", "model", "precision", "defense", "seed"), results + "/cells.csv");
    }

    /** Spark's CSV writer, one partition, its one part file moved to {@code target}: one file a reader opens. */
    private void singleCsv(Dataset<Row> data, String target) {
        String tmp = target + ".parts";
        // RFC 4180 quoting (a quote inside a field is doubled), which pandas, R and spreadsheets read as is.
        data.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").option("escape", "\"")
                .option("nullValue", "").csv(tmp);
        try {
            Path dir = new Path(tmp);
            FileSystem fs = files(dir);
            Path part = null;
            for (FileStatus st : fs.listStatus(dir)) {
                if (st.getPath().getName().startsWith("part-")) {
                    part = st.getPath();
                }
            }
            if (part == null) {
                throw new IOException("Spark wrote no part file in " + tmp);
            }
            Path out = new Path(target);
            fs.delete(out, false);
            if (!fs.rename(part, out)) {
                throw new IOException("could not move " + part + " to " + out);
            }
            fs.delete(dir, true);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * The file system of {@code p}; for local paths the raw one, so the files a reader opens are not
     * accompanied by Hadoop's hidden {@code .crc} checksum files.
     */
    private static FileSystem files(Path p) throws IOException {
        FileSystem fs = p.getFileSystem(new Configuration());
        return fs instanceof org.apache.hadoop.fs.LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    private static void writeBytes(String path, byte[] bytes) {
        Path p = new Path(path);
        try {
            FileSystem fs = files(p);
            fs.mkdirs(p.getParent());
            try (FSDataOutputStream out = fs.create(p, true)) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + path + ": " + e.getMessage(), e);
        }
    }

    // ---- the document --------------------------------------------------------------------------------

    /** One (dataset, model, attack): its tables and plots. */
    record Section(String title, List<Table> tables, List<String> plots) {
    }

    private static String header(List<CellResult> rows, Aggregation.Result agg) {
        Aggregation.Axes a = agg.axes();
        long ok = rows.stream().filter(r -> "ok".equals(r.getStatus())).count();
        TreeSet<String> started = rows.stream().map(CellResult::getStartedAt).filter(s -> s != null)
                .collect(Collectors.toCollection(TreeSet::new));
        return String.format(Locale.ROOT, """
                - **Config** `%s`; **code version** %s; **run** %s
                - **Cells computed** %s to %s (UTC); report written %s
                - **Grid** %s × %s × %s × %s × %s × %s = **%d cells**: %d ok, %d error, %d missing
                - **Training** %s; %s
                """,
                rows.get(0).getConfigHash(), codes(rows, CellResult::getCodeVersion), codes(rows, CellResult::getRunId),
                started.isEmpty() ? "?" : seconds(started.first()), started.isEmpty() ? "?" : seconds(started.last()),
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                axis("dataset", a.datasets()), axis("model", a.models()), axis("attack", a.attacks()),
                axis("precision", a.precisions()), axis("defense", a.defenses()),
                axis("seed", a.seeds().stream().map(String::valueOf).toList()), a.cells(), ok, rows.size() - ok,
                agg.missing().size(), codes(rows, CellResult::getTraining), codes(rows, CellResult::getTrainingMode));
    }

    private static String seconds(String instant) {
        return instant.length() > 19 ? instant.substring(0, 19) : instant;
    }

    private static String codes(List<CellResult> rows, java.util.function.Function<CellResult, String> f) {
        return rows.stream().map(f).filter(java.util.Objects::nonNull).distinct().sorted().map(s -> "`" + s + "`")
                .collect(Collectors.joining(", "));
    }

    private static String axis(String name, List<String> values) {
        String shown = values.size() <= 12 ? String.join(", ", values)
                : String.join(", ", values.subList(0, 5)) + ", …, " + values.get(values.size() - 1);
        return values.size() + " " + name + (values.size() == 1 ? "" : "s") + " (" + shown + ")";
    }

    private List<Section> sections(List<CellResult> rows, Aggregation.Result agg, Map<String, byte[]> plots) {
        Aggregation.Axes axes = agg.axes();
        List<Section> sections = new ArrayList<>();
        for (String d : axes.datasets()) {
            for (String m : axes.models()) {
                for (int ai = 0; ai < axes.attacks().size(); ai++) {
                    String a = axes.attacks().get(ai);
                    String slug = (d + "-" + m + (axes.attacks().size() > 1 ? "-attack" + (ai + 1) : ""))
                            .replaceAll("[^A-Za-z0-9._-]", "_");
                    List<GroupSummary> groups = agg.groups().stream()
                            .filter(g -> g.getDataset().equals(d) && g.getModel().equals(m) && g.getAttack().equals(a))
                            .toList();
                    List<Aggregation.Accuracy> accuracy = agg.accuracy().stream()
                            .filter(x -> x.dataset().equals(d) && x.model().equals(m) && x.attack().equals(a)).toList();
                    sections.add(section(d + " — " + m + " — " + a, slug, axes, groups, accuracy, plots));
                }
            }
        }
        return sections;
    }

    private static Section section(String title, String slug, Aggregation.Axes axes, List<GroupSummary> groups,
                                   List<Aggregation.Accuracy> accuracy, Map<String, byte[]> plots) {
        List<String> precisions = axes.precisions();
        List<String> defenses = axes.defenses();
        List<Table> tables = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("defense"));
        header.addAll(precisions);

        List<List<String>> detection = new ArrayList<>();
        List<List<String>> scores = new ArrayList<>();
        List<List<String>> targets = new ArrayList<>();
        double[][] rates = new double[defenses.size()][precisions.size()];
        int[][] n = new int[defenses.size()][precisions.size()];
        for (int di = 0; di < defenses.size(); di++) {
            String def = defenses.get(di);
            List<String> det = new ArrayList<>(List.of(def));
            String scoreName = null;
            List<String> sc = new ArrayList<>();
            List<String> tg = new ArrayList<>(List.of(def));
            boolean names = false;
            for (int pi = 0; pi < precisions.size(); pi++) {
                GroupSummary g = group(groups, precisions.get(pi), def);
                rates[di][pi] = g.getDetectionRate();
                n[di][pi] = g.getSeeds();
                det.add(detectionCell(g));
                scoreName = g.getMainScore();
                sc.add(Double.isNaN(g.getMainScoreMean()) ? "–" : String.format(Locale.ROOT, "%.3g", g.getMainScoreMean()));
                names |= g.getTargetNamed() > 0;
                tg.add(g.getTargetNamed() == 0 ? "–" : String.format(Locale.ROOT, "%.0f%% of %d",
                        100 * g.getTargetIdentifiedRate(), g.getTargetNamed()));
            }
            detection.add(det);
            List<String> scoreRow = new ArrayList<>(List.of(def + (scoreName == null ? "" : " (" + scoreName + ")")));
            scoreRow.addAll(sc);
            scores.add(scoreRow);
            if (names) {
                targets.add(tg);
            }
        }
        tables.add(new Table("Detection rate, % [95% Wilson interval] (n seeds)", header, detection,
                "Share of the ok cells where the defense decided \"backdoor\"; error cells are not counted as "
                        + "either decision (see the errors below)."));
        List<List<String>> acc = new ArrayList<>();
        for (Aggregation.Accuracy x : accuracy) {
            acc.add(List.of(x.precision(), Integer.toString(x.seeds()), pct(x.cleanAccFp32Mean()),
                    pctSd(x.cleanAccMean(), x.cleanAccSd()), pctSd(x.asrMean(), x.asrSd()),
                    pctSd(x.asrAllMean(), x.asrAllSd())));
        }
        tables.add(new Table("Clean accuracy and attack success, % (mean ± sd over seeds)",
                List.of("precision", "n", "clean acc. FP32", "clean acc.", "ASR", "ASR (all inputs)"), acc,
                "ASR counts triggered test inputs of other labels classified as the target; \"all inputs\" "
                        + "includes the target label's own."));
        tables.add(new Table("Main score, mean over seeds", header, scores, ""));
        if (!targets.isEmpty()) {
            tables.add(new Table("Target label identified, % of the cells that named a label", header, targets, ""));
        }
        List<String> sectionPlots = new ArrayList<>();
        String heat = "detection-" + slug + ".png";
        plots.put(heat, Plots.detectionHeatmap("Detection rate — " + title, defenses, precisions, rates, n));
        sectionPlots.add(heat);
        String bars = "accuracy-" + slug + ".png";
        plots.put(bars, Plots.accuracyAndAsr("Clean accuracy and ASR — " + title, accuracy));
        sectionPlots.add(bars);
        for (String def : defenses) {
            String paper = def + "-paper";
            if (defenses.contains(paper)) {
                double[] ref = new double[precisions.size()];
                double[] pap = new double[precisions.size()];
                for (int pi = 0; pi < precisions.size(); pi++) {
                    ref[pi] = group(groups, precisions.get(pi), def).getDetectionRate();
                    pap[pi] = group(groups, precisions.get(pi), paper).getDetectionRate();
                }
                String file = "reference-vs-paper-" + def + "-" + slug + ".png";
                plots.put(file, Plots.referenceVsPaper(def + " vs. the study's variant — " + title, precisions, def,
                        ref, paper, pap));
                sectionPlots.add(file);
            }
        }
        return new Section(title, tables, sectionPlots);
    }

    private static GroupSummary group(List<GroupSummary> groups, String precision, String defense) {
        return groups.stream().filter(g -> g.getPrecision().equals(precision) && g.getDefense().equals(defense))
                .findFirst().orElseThrow();
    }

    /** "67% [21–94] (3)"; a group without ok cells reads "–", with its errors and missing cells counted. */
    static String detectionCell(GroupSummary g) {
        String extra = (g.getErrors() > 0 ? ", " + g.getErrors() + " error" + (g.getErrors() > 1 ? "s" : "") : "")
                + (g.getMissing() > 0 ? ", " + g.getMissing() + " missing" : "");
        if (g.getSeeds() == 0) {
            return "–" + (extra.isEmpty() ? "" : " (" + extra.substring(2) + ")");
        }
        return String.format(Locale.ROOT, "%.0f%% [%.0f–%.0f] (%d%s)", 100 * g.getDetectionRate(),
                100 * g.getDetectionCiLow(), 100 * g.getDetectionCiHigh(), g.getSeeds(), extra);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private static String pctSd(double mean, double sd) {
        return Double.isNaN(mean) ? "–" : Double.isNaN(sd) ? pct(mean) : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean, 100 * sd);
    }

    private static List<String> problems(Aggregation.Result agg, List<CellResult> rows) {
        List<String> out = new ArrayList<>();
        rows.stream().filter(r -> !"ok".equals(r.getStatus()))
                .sorted(java.util.Comparator.comparing(CellResult::getDataset).thenComparing(CellResult::getPrecision)
                        .thenComparing(CellResult::getDefense).thenComparingLong(CellResult::getSeed))
                .forEach(r -> out.add(String.format(Locale.ROOT, "error: %s / %s / %s / %s / seed %d: %s", r.getDataset(),
                        r.getModel(), r.getPrecision(), r.getDefense(), r.getSeed(), r.getError())));
        for (Aggregation.MissingCell m : agg.missing()) {
            out.add(String.format(Locale.ROOT, "missing: %s / %s / %s / %s / seed %d (no row)", m.dataset(), m.model(),
                    m.precision(), m.defense(), m.seed()));
        }
        return out;
    }

    private static String markdown(String header, List<Section> sections, List<String> problemLines) {
        StringBuilder b = new StringBuilder("# Blindspot report\n\n").append(header).append('\n');
        for (Section s : sections) {
            b.append("## ").append(s.title()).append("\n\n");
            s.tables().forEach(t -> b.append(t.markdown()));
            for (String p : s.plots()) {
                b.append("![").append(p).append("](plots/").append(p).append(")\n\n");
            }
        }
        b.append("## Errors and missing cells\n\n");
        if (problemLines.isEmpty()) {
            b.append("None: every cell of the grid has an ok row.\n");
        }
        problemLines.forEach(l -> b.append("- ").append(l).append('\n'));
        return b.toString();
    }

    private static String html(String header, List<Section> sections, List<String> problemLines, Map<String, byte[]> plots) {
        StringBuilder b = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Blindspot report</title>
                <style>
                body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
                table{border-collapse:collapse;margin:.5em 0 1em}
                th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;font-variant-numeric:tabular-nums}
                thead th,tbody th{text-align:left;background:#f4f4f4}
                img{max-width:100%;display:block;margin:.5em 0 1.5em}
                .note{color:#555;font-size:.9em} code{background:#f4f4f4;padding:0 .2em}
                </style></head><body>
                <h1>Blindspot report</h1>
                <ul>
                """);
        for (String line : header.strip().split("\n")) {
            String text = Table.escape(line.substring(2)).replaceAll("\\*\\*(.+?)\\*\\*", "<strong>$1</strong>")
                    .replaceAll("`(.+?)`", "<code>$1</code>");
            b.append("<li>").append(text).append("</li>\n");
        }
        b.append("</ul>\n");
        for (Section s : sections) {
            b.append("<h2>").append(Table.escape(s.title())).append("</h2>\n");
            s.tables().forEach(t -> b.append(t.html()));
            for (String p : s.plots()) {
                b.append("<img alt=\"").append(Table.escape(p)).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(plots.get(p))).append("\">\n");
            }
        }
        b.append("<h2>Errors and missing cells</h2>\n");
        if (problemLines.isEmpty()) {
            b.append("<p>None: every cell of the grid has an ok row.</p>\n");
        } else {
            b.append("<ul>\n");
            problemLines.forEach(l -> b.append("<li>").append(Table.escape(l)).append("</li>\n"));
            b.append("</ul>\n");
        }
        return b.append("</body></html>\n").toString();
    }
}
