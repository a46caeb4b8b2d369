package dev.blindspot.datasets;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreparedDatasetTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsThroughTheFileSystemUnderItsContentHash() throws Exception {
        var config = ConfigFactory.parseString("classes = 3, train-size = 30, test-size = 9, seed = 4");
        PreparedDataset.Ref ref = PreparedDataset.prepare("synthetic", config, tmp.toUri().toString());
        DatasetSplits original = new SyntheticGlyphs().load(config);
        assertEquals(original.contentHash(), ref.contentHash());
        assertTrue(ref.path().endsWith("synthetic-" + ref.contentHash() + ".bsds"));
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp")), "no temporary file left behind");
        }

        // read back from a fresh copy, bypassing the in-JVM cache
        Path copy = tmp.resolve("copy.bsds");
        Files.copy(Path.of(java.net.URI.create(ref.path())), copy);
        DatasetSplits back = PreparedDataset.load(copy.toUri().toString());
        assertArrayEquals(original.train().pixels(), back.train().pixels());
        assertArrayEquals(original.test().labels(), back.test().labels());
        assertArrayEquals(original.normalization().std(), back.normalization().std());
        assertEquals(original.contentHash(), back.contentHash());
    }
}
