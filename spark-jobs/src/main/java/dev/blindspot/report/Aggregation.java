package dev.blindspot.report;

import dev.blindspot.defense.Defenses;
import dev.blindspot.precision.PrecisionSchemes;
import dev.blindspot.result.CellResult;
import org.apache.commons.math3.stat.interval.ConfidenceInterval;
import org.apache.commons.math3.stat.interval.WilsonScoreInterval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Aggregates cell rows over seeds per (dataset, model, attack, precision, defense), DESIGN.md §7. Plain Java,
 * no Spark: the report collects the rows (one per cell, thousands at most) and hands them here.
 *
 * <p>Only {@code ok} cells enter a rate or a mean: an {@code error} cell is counted, never read as "not
 * detected". The grid's axes are taken from the rows themselves; a combination of them with fewer rows than
 * seeds is reported as missing cells.
 */
public final class Aggregation {
    /** Confidence level of every interval in the report. */
    public static final double CONFIDENCE = 0.95;

    private Aggregation() {
    }

    /** The grid's axes as its rows show them, in a reader's order (registries' order, then by name). */
    public record Axes(List<String> datasets, List<String> models, List<String> attacks, List<String> precisions,
                       List<String> defenses, List<Long> seeds) {
        public long cells() {
            return (long) datasets.size() * models.size() * attacks.size() * precisions.size() * defenses.size()
                    * seeds.size();
        }
    }

    /** A cell of the grid with no row. */
    public record MissingCell(String dataset, String model, String attack, String precision, String defense, long seed) {
    }

    /**
     * Accuracy and ASR of one (dataset, model, attack, precision) over seeds: the same quantized model serves
     * every defense of a seed, so each seed counts once (its first {@code ok} cell).
     */
    public record Accuracy(String dataset, String model, String attack, String precision, int seeds,
                           double cleanAccFp32Mean, double cleanAccMean, double cleanAccSd, double asrMean,
                           double asrSd, double asrAllMean, double asrAllSd) {
    }

    public record Result(Axes axes, List<GroupSummary> groups, List<Accuracy> accuracy, List<MissingCell> missing) {
    }

    /** The main score of a defense by name, from the registry; null for a defense this version does not know. */
    public static String mainScoreOf(String defense) {
        try {
            return Defenses.create(defense, com.typesafe.config.ConfigFactory.defaultReference()
                    .getConfig("blindspot.defenses")).mainScore();
        } catch (RuntimeException unknownOrUnconfigured) {
            return null;
        }
    }

    public static Result of(List<CellResult> rows) {
        return of(rows, Aggregation::mainScoreOf);
    }

    public static Result of(List<CellResult> rows, Function<String, String> mainScoreOf) {
        Axes axes = new Axes(
                ordered(rows, CellResult::getDataset, List.of()),
                ordered(rows, CellResult::getModel, List.of()),
                ordered(rows, CellResult::getAttack, List.of()),
                ordered(rows, CellResult::getPrecision, PrecisionSchemes.registry().names()),
                ordered(rows, CellResult::getDefense, Defenses.registry().names()),
                new ArrayList<>(new TreeSet<>(rows.stream().map(CellResult::getSeed).toList())));
        Map<List<String>, List<CellResult>> byGroup = rows.stream().collect(Collectors.groupingBy(
                r -> List.of(r.getDataset(), r.getModel(), r.getAttack(), r.getPrecision(), r.getDefense()),
                LinkedHashMap::new, Collectors.toList()));
        Map<String, String> mainScores = new HashMap<>();
        List<GroupSummary> groups = new ArrayList<>();
        List<MissingCell> missing = new ArrayList<>();
        List<Accuracy> accuracy = new ArrayList<>();
        for (String d : axes.datasets()) {
            for (String m : axes.models()) {
                for (String a : axes.attacks()) {
                    for (String p : axes.precisions()) {
                        Map<Long, CellResult> perSeed = new java.util.TreeMap<>();
                        for (String def : axes.defenses()) {
                            for (CellResult c : byGroup.getOrDefault(List.of(d, m, a, p, def), List.of())) {
                                if ("ok".equals(c.getStatus())) {
                                    perSeed.putIfAbsent(c.getSeed(), c);
                                }
                            }
                        }
                        List<CellResult> seeds = new ArrayList<>(perSeed.values());
                        accuracy.add(new Accuracy(d, m, a, p, seeds.size(), mean(seeds, CellResult::getCleanAccFp32),
                                mean(seeds, CellResult::getCleanAcc), sd(seeds, CellResult::getCleanAcc),
                                mean(seeds, CellResult::getAsr), sd(seeds, CellResult::getAsr),
                                mean(seeds, CellResult::getAsrAll), sd(seeds, CellResult::getAsrAll)));
                        for (String def : axes.defenses()) {
                            List<CellResult> cells = byGroup.getOrDefault(List.of(d, m, a, p, def), List.of());
                            TreeSet<Long> present = new TreeSet<>(cells.stream().map(CellResult::getSeed).toList());
                            for (long seed : axes.seeds()) {
                                if (!present.contains(seed)) {
                                    missing.add(new MissingCell(d, m, a, p, def, seed));
                                }
                            }
                            String score = mainScores.computeIfAbsent(def, k -> String.valueOf(mainScoreOf.apply(k)));
                            groups.add(summarize(d, m, a, p, def, cells, axes.seeds().size() - present.size(),
                                    "null".equals(score) ? null : score));
                        }
                    }
                }
            }
        }
        return new Result(axes, groups, accuracy, missing);
    }

    static GroupSummary summarize(String dataset, String model, String attack, String precision, String defense,
                                  List<CellResult> cells, int missing, String mainScore) {
        GroupSummary g = new GroupSummary();
        g.setDataset(dataset);
        g.setModel(model);
        g.setAttack(attack);
        g.setPrecision(precision);
        g.setDefense(defense);
        g.setMissing(missing);
        List<CellResult> ok = cells.stream().filter(c -> "ok".equals(c.getStatus())).toList();
        g.setErrors(cells.size() - ok.size());
        g.setSeeds(ok.size());
        int detected = (int) ok.stream().filter(c -> Boolean.TRUE.equals(c.getDetected())).count();
        g.setDetected(detected);
        double[] ci = wilson(ok.size(), detected);
        g.setDetectionRate(ok.isEmpty() ? Double.NaN : (double) detected / ok.size());
        g.setDetectionCiLow(ci[0]);
        g.setDetectionCiHigh(ci[1]);
        List<CellResult> named = ok.stream().filter(c -> c.getTargetIdentified() != null).toList();
        g.setTargetNamed(named.size());
        g.setTargetIdentifiedRate(named.isEmpty() ? Double.NaN
                : (double) named.stream().filter(c -> c.getTargetIdentified()).count() / named.size());
        g.setCleanAccMean(mean(ok, CellResult::getCleanAcc));
        g.setCleanAccSd(sd(ok, CellResult::getCleanAcc));
        g.setAsrMean(mean(ok, CellResult::getAsr));
        g.setAsrSd(sd(ok, CellResult::getAsr));
        g.setAsrAllMean(mean(ok, CellResult::getAsrAll));
        g.setAsrAllSd(sd(ok, CellResult::getAsrAll));
        g.setCleanAccFp32Mean(mean(ok, CellResult::getCleanAccFp32));
        g.setAsrFp32Mean(mean(ok, CellResult::getAsrFp32));
        g.setMainScore(mainScore);
        g.setMainScoreMean(mainScore == null ? Double.NaN
                : mean(ok, c -> c.getScores() == null ? null : c.getScores().get(mainScore)));
        g.setDefenseSecondsMean(mean(ok, CellResult::getDefenseSeconds));
        return g;
    }

    /** The 95% Wilson score interval of {@code successes} in {@code trials}; NaNs for no trials. */
    public static double[] wilson(int trials, int successes) {
        if (trials == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        ConfidenceInterval ci = new WilsonScoreInterval().createInterval(trials, successes, CONFIDENCE);
        // commons-math leaves rounding dust outside [0, 1] at the extremes (e.g. -1e-17 for 0 successes).
        return new double[] {Math.max(0, ci.getLowerBound()), Math.min(1, ci.getUpperBound())};
    }

    /** Mean over the values that exist (non-null, not NaN); NaN when none does. */
    static double mean(List<CellResult> cells, Function<CellResult, Double> value) {
        double[] v = values(cells, value);
        return v.length == 0 ? Double.NaN : java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Sample standard deviation (n − 1); NaN below two values, where it does not exist. */
    static double sd(List<CellResult> cells, Function<CellResult, Double> value) {
        double[] v = values(cells, value);
        return v.length < 2 ? Double.NaN : new org.apache.commons.math3.stat.descriptive.moment.StandardDeviation(true).evaluate(v);
    }

    private static double[] values(List<CellResult> cells, Function<CellResult, Double> value) {
        return cells.stream().map(value).filter(x -> x != null && !x.isNaN()).mapToDouble(Double::doubleValue).toArray();
    }

    private static List<String> ordered(List<CellResult> rows, Function<CellResult, String> axis, List<String> canonical) {
        return rows.stream().map(axis).distinct()
                .sorted(Comparator.comparingInt((String v) -> canonical.contains(v) ? canonical.indexOf(v) : canonical.size())
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }
}
