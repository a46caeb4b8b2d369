package dev.blindspot.report;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The report's PNG plots, drawn with JFreeChart (headless). Each method returns the PNG's bytes; the
 * caller decides where they go (files beside the tables, and inline in report.html).
 */
final class Plots {
    static final int WIDTH = 900;
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private Plots() {
    }

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * Detection rate per defense (rows) and precision (columns), 0% white to 100% dark red, the rate (and n)
     * written in each block; a group without ok cells is grey and reads "n/a".
     *
     * @param rates rates[defense][precision] in [0, 1] or NaN
     */
    static byte[] detectionHeatmap(String title, List<String> defenses, List<String> precisions, double[][] rates,
                                   int[][] n) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        int cells = defenses.size() * precisions.size();
        double[][] xyz = new double[3][cells];
        XYPlot plot = new XYPlot();
        int i = 0;
        for (int d = 0; d < defenses.size(); d++) {
            for (int p = 0; p < precisions.size(); p++) {
                xyz[0][i] = p;
                xyz[1][i] = defenses.size() - 1 - d; // first defense on top, as in the tables
                xyz[2][i] = Double.isNaN(rates[d][p]) ? -1 : rates[d][p];
                String text = Double.isNaN(rates[d][p]) ? "n/a" : String.format("%.0f%% (n=%d)", 100 * rates[d][p], n[d][p]);
                XYTextAnnotation label = new XYTextAnnotation(text, p, defenses.size() - 1 - d);
                label.setFont(LABEL);
                label.setPaint(!Double.isNaN(rates[d][p]) && rates[d][p] > 0.55 ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(label);
                i++;
            }
        }
        data.addSeries("detection", xyz);
        SymbolAxis x = new SymbolAxis("precision", precisions.toArray(String[]::new));
        String[] topDown = new String[defenses.size()];
        for (int d = 0; d < topDown.length; d++) {
            topDown[d] = defenses.get(defenses.size() - 1 - d);
        }
        SymbolAxis y = new SymbolAxis(null, topDown);
        LookupPaintScale scale = new LookupPaintScale(-1, 1.0001, Color.LIGHT_GRAY);
        scale.add(-1, new Color(0xDDDDDD));
        for (int step = 0; step <= 10; step++) {
            float t = step / 10f;
            scale.add(step / 10.0 - 0.05 < 0 ? 0 : step / 10.0 - 0.05,
                    new Color(1f - 0.45f * t, 1f - 0.9f * t, 1f - 0.9f * t));
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        plot.setDataset(data);
        plot.setDomainAxis(x);
        plot.setRangeAxis(y);
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, false);
        NumberAxis legendAxis = new NumberAxis("detection rate");
        legendAxis.setRange(0, 1);
        LookupPaintScale legendScale = new LookupPaintScale(0, 1.0001, Color.WHITE);
        for (int step = 0; step <= 10; step++) {
            float t = step / 10f;
            legendScale.add(step / 10.0, new Color(1f - 0.45f * t, 1f - 0.9f * t, 1f - 0.9f * t));
        }
        PaintScaleLegend legend = new PaintScaleLegend(legendScale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        return png(chart, WIDTH, 120 + 45 * defenses.size());
    }

    /** Clean accuracy, ASR and ASR over all inputs per precision: means over seeds with ±1 sd error bars. */
    static byte[] accuracyAndAsr(String title, List<Aggregation.Accuracy> rows) {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        for (Aggregation.Accuracy a : rows) {
            data.add(100 * a.cleanAccMean(), 100 * zeroIfNaN(a.cleanAccSd()), "clean accuracy", a.precision());
            data.add(100 * a.asrMean(), 100 * zeroIfNaN(a.asrSd()), "ASR (non-target inputs)", a.precision());
            data.add(100 * a.asrAllMean(), 100 * zeroIfNaN(a.asrAllSd()), "ASR (all inputs)", a.precision());
        }
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.BLACK);
        renderer.setErrorIndicatorStroke(new BasicStroke(1.5f));
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesPaint(2, new Color(0xff9896));
        return png(bars(title, "precision", "% of test inputs (mean ± sd over seeds)", data, renderer, 100), WIDTH, 420);
    }

    /** Detection rate of a defense's reference algorithm next to the study's variant, per precision. */
    static byte[] referenceVsPaper(String title, List<String> precisions, String reference, double[] referenceRates,
                                   String paper, double[] paperRates) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int p = 0; p < precisions.size(); p++) {
            data.addValue(Double.isNaN(referenceRates[p]) ? null : 100 * referenceRates[p], reference, precisions.get(p));
            data.addValue(Double.isNaN(paperRates[p]) ? null : 100 * paperRates[p], paper, precisions.get(p));
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xff7f0e));
        return png(bars(title, "precision", "detection rate (%)", data, renderer, 100), WIDTH, 380);
    }

    private static JFreeChart bars(String title, String xLabel, String yLabel,
                                   org.jfree.data.category.CategoryDataset data, BarRenderer renderer, double max) {
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        CategoryAxis x = new CategoryAxis(xLabel);
        x.setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        NumberAxis y = new NumberAxis(yLabel);
        y.setRange(0, max);
        CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static byte[] png(JFreeChart chart, int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException("rendering " + chart.getTitle().getText() + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
