package dev.blindspot.nd4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeKernelsTest {
    @Test
    void oneDnnHelpersAreActiveWhereTheBuildShipsThem() {
        String classifier = System.getProperty("blindspot.nd4j.classifier", "");
        assumeTrue(classifier.contains("onednn"), "portable build (" + classifier + "): no oneDNN to check");
        NativeKernels.Status s = NativeKernels.enable(NativeKernels.Policy.REQUIRE, 2);
        assertEquals("CPU", s.backend());
        assertTrue(s.oneDnnBuilt(), "native library without oneDNN: " + s.describe());
        assertTrue(s.helpersActive(), "DL4J layers got no oneDNN helper: " + s.describe());
    }
}
