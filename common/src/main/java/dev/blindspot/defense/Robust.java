package dev.blindspot.defense;

import org.apache.commons.math3.stat.descriptive.rank.Median;

/** Median/MAD outlier scores (Neural Cleanse's anomaly index) and small statistics shared by the defenses. */
final class Robust {
    /** Consistency constant that makes the MAD estimate a normal distribution's standard deviation. */
    static final double MAD_CONSISTENCY = 1.4826;

    private Robust() {
    }

    static double median(double[] values) {
        return new Median().evaluate(values);
    }

    /** Median absolute deviation from the median (without the consistency constant). */
    static double mad(double[] values) {
        double m = median(values);
        double[] dev = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            dev[i] = Math.abs(values[i] - m);
        }
        return median(dev);
    }

    /**
     * |v − median| / (1.4826·MAD) of every value; where MAD is 0, values at the median score 0 and the others
     * +∞ (a constant set has no outliers, a set that is constant but for a few has them).
     */
    static double[] anomalyIndices(double[] values) {
        double m = median(values);
        double scale = MAD_CONSISTENCY * mad(values);
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double d = Math.abs(values[i] - m);
            out[i] = scale > 0 ? d / scale : (d == 0 ? 0 : Double.POSITIVE_INFINITY);
        }
        return out;
    }

    /** Shannon entropy (natural log) of a probability vector. */
    static double entropy(float[] p) {
        double h = 0;
        for (float v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }
}
