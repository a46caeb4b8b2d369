package dev.blindspot.nd4j;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeKernelsTest {
    @Test
    void oneDnnHelpersAreActiveWhereTheBuildShipsThem() {
        String classifier = System.getProperty("blindspot-test.nd4j-classifier", "");
        assumeTrue(classifier.contains("onednn"), "portable build (" + classifier + "): no oneDNN to check");
        NativeKernels.Status s = NativeKernels.enable(NativeKernels.Policy.REQUIRE, 2);
        assertEquals("CPU", s.backend());
        assertTrue(s.oneDnnBuilt(), "native library without oneDNN: " + s.describe());
        assertTrue(s.helpersActive(), "DL4J layers got no oneDNN helper: " + s.describe());
    }

    @Test
    void theOpenMpThreadCountIsSetOnEachThreadThatAsks() throws Exception {
        int[] seen = new int[2];
        Thread a = new Thread(() -> {
            NativeKernels.useThreadsOnThisThread(1);
            seen[0] = NativeKernels.threadsOnThisThread();
        });
        a.start();
        a.join();
        Thread b = new Thread(() -> {
            NativeKernels.useThreadsOnThisThread(3);
            seen[1] = NativeKernels.threadsOnThisThread();
        });
        b.start();
        b.join();
        assertEquals(1, seen[0]);
        assertEquals(3, seen[1], "another thread keeps its own count");
    }
}
