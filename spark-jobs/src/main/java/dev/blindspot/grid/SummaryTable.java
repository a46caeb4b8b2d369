package dev.blindspot.grid;

import org.apache.spark.sql.Row;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The short per-cell table the driver prints at the end of a run. */
final class SummaryTable {
    private static final String ROW = "%-10s %-15s %-12s %-27s %6s %-6s %15s %15s %-8s %-6s %-30s %8s%n";

    private SummaryTable() {
    }

    /**
     * @param rows dataset, model, precision, defense, seed, status, cleanAccFp32, cleanAcc, asrFp32, asr,
     *             detected, error, targetIdentified, scores, defenseSeconds — in that order
     * @param mainScores each defense's main score name
     */
    static void print(List<Row> rows, Map<String, String> mainScores, PrintWriter out) {
        out.printf(Locale.ROOT, ROW, "dataset", "model", "precision", "defense", "seed", "status",
                "clean acc fp32>q", "asr fp32>q", "detected", "target", "main score", "defense");
        for (Row r : rows) {
            String detected = r.isNullAt(10) ? "-" : (r.getBoolean(10) ? "yes" : "no");
            String target = r.isNullAt(12) ? "-" : (r.getBoolean(12) ? "yes" : "no");
            String scoreName = mainScores.getOrDefault(r.getString(3), "");
            Map<String, Double> scores = r.isNullAt(13) ? Map.of() : r.getJavaMap(13);
            String score = scores.containsKey(scoreName)
                    ? String.format(Locale.ROOT, "%s=%.3f", scoreName, scores.get(scoreName)) : "-";
            String seconds = r.isNullAt(14) || Double.isNaN(r.getDouble(14)) ? "-"
                    : String.format(Locale.ROOT, "%.1fs", r.getDouble(14));
            out.printf(Locale.ROOT, ROW, r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
                    r.getString(5), pair(r.getDouble(6), r.getDouble(7)), pair(r.getDouble(8), r.getDouble(9)), detected,
                    target, score, seconds);
            if (!r.isNullAt(11)) {
                out.println("    error: " + r.getString(11));
            }
        }
    }

    private static String pair(double before, double after) {
        return String.format(Locale.ROOT, "%5.1f%% > %5.1f%%", 100 * before, 100 * after);
    }
}
