package dev.blindspot.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @Test
    void aurocOfPerfectReversedAndTiedScores() {
        boolean[] pos = {true, true, false, false};
        assertEquals(1.0, Metrics.auroc(new double[] {0.9, 0.8, 0.1, 0.2}, pos), 1e-12);
        assertEquals(0.0, Metrics.auroc(new double[] {0.1, 0.2, 0.9, 0.8}, pos), 1e-12);
        assertEquals(0.5, Metrics.auroc(new double[] {1, 1, 1, 1}, pos), 1e-12);
        // one of four positive/negative pairs misordered
        assertEquals(0.75, Metrics.auroc(new double[] {0.9, 0.3, 0.5, 0.1}, pos), 1e-12);
        assertTrue(Double.isNaN(Metrics.auroc(new double[] {1, 2}, new boolean[] {true, true})));
    }

    @Test
    void attackSuccessCountsNonTargetImagesOrAll() {
        int[] trueLabels = {0, 0, 1, 2, 3};
        int[] triggered = {0, 0, 0, 0, 3};
        assertEquals(2.0 / 3, Metrics.attackSuccess(triggered, trueLabels, 0, true), 1e-12);
        assertEquals(4.0 / 5, Metrics.attackSuccess(triggered, trueLabels, 0, false), 1e-12);
    }

    @Test
    void accuracy() {
        assertEquals(0.5, Metrics.accuracy(new int[] {1, 2, 3, 4}, new int[] {1, 2, 0, 0}), 1e-12);
    }
}
