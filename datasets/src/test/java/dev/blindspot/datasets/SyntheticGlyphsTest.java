package dev.blindspot.datasets;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticGlyphsTest {
    private static Config settings(long seed) {
        return ConfigFactory.parseString("classes = 5, train-size = 200, test-size = 50, seed = " + seed);
    }

    @Test
    void sameSeedSameImagesOtherSeedOtherImages() {
        SyntheticGlyphs g = new SyntheticGlyphs();
        DatasetSplits a = g.load(settings(1));
        assertArrayEquals(a.train().pixels(), g.load(settings(1)).train().pixels());
        assertFalse(Arrays.equals(a.train().pixels(), g.load(settings(2)).train().pixels()));
        assertNotEquals(a.contentHash(), g.load(settings(2)).contentHash());
        assertEquals(a.contentHash(), g.load(settings(1)).contentHash());
    }

    @Test
    void splitsHaveTheConfiguredSizesBalancedClassesAndDistinctImages() {
        DatasetSplits d = new SyntheticGlyphs().load(settings(1));
        assertEquals(200, d.train().size());
        assertEquals(50, d.test().size());
        assertArrayEquals(new int[] {40, 40, 40, 40, 40}, d.train().classCounts());
        assertFalse(Arrays.equals(Arrays.copyOfRange(d.train().pixels(), 0, ImageSet.IMAGE_BYTES),
                Arrays.copyOfRange(d.test().pixels(), 0, ImageSet.IMAGE_BYTES)), "test must not repeat train");
    }

    @Test
    void imagesAreTexturedNotFlat() {
        DatasetSplits d = new SyntheticGlyphs().load(settings(1));
        byte[] p = d.train().pixels();
        int distinct = (int) java.util.stream.IntStream.range(0, ImageSet.PLANE).map(i -> p[i] & 0xFF).distinct().count();
        assertTrue(distinct > 50, "one channel of one image has only " + distinct + " distinct values");
        float[] std = d.normalization().std();
        for (float s : std) {
            assertTrue(s > 0.1 && s < 0.4, "per-channel std " + s);
        }
    }

    @Test
    void rejectsSettingsNamingTheKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new SyntheticGlyphs()
                .load(ConfigFactory.parseString("classes = 1, train-size = 200, test-size = 50, seed = 1")));
        assertEquals("datasets.synthetic.classes", e.key());
        assertThrows(IllegalArgumentException.class, () -> DatasetSources.byName("mnist"));
    }
}
