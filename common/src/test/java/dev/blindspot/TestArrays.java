package dev.blindspot;

/** Comparisons of model outputs for unit tests. */
public final class TestArrays {
    private TestArrays() {
    }

    /** The largest absolute difference between two matrices of the same shape (probabilities, features). */
    public static double maxDifference(float[][] a, float[][] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                d = Math.max(d, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return d;
    }
}
