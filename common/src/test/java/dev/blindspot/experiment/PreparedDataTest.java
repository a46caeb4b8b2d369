package dev.blindspot.experiment;

import dev.blindspot.TestImages;
import dev.blindspot.attack.BadNet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.util.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreparedDataTest {
    private final BadNet attack = new BadNet(3, 0.1, 0);

    @Test
    void cleanSplitIsHeldOutOfTheTrainingSetAndNeverPoisoned() {
        ImageSet train = TestImages.random(400, 10, 9);
        PreparedData d = PreparedData.prepare(train, attack, 100, 3);
        assertEquals(100, d.cleanSplit().size());
        assertEquals(300, d.training().size());
        assertEquals(30, d.training().poisonedCount());
        Set<String> held = new HashSet<>();
        for (int i = 0; i < d.cleanSplit().size(); i++) {
            held.add(fingerprint(d.cleanSplit(), i));
        }
        for (int i = 0; i < d.training().size(); i++) {
            assertTrue(held.add(fingerprint(d.training().images(), i)), "image " + i + " is in both splits");
        }
    }

    @Test
    void sameSeedSameSplitAndPoison() {
        ImageSet train = TestImages.random(300, 10, 9);
        PreparedData a = PreparedData.prepare(train, attack, 50, 3);
        PreparedData b = PreparedData.prepare(train, attack, 50, 3);
        assertArrayEquals(a.cleanSplit().pixels(), b.cleanSplit().pixels());
        assertArrayEquals(a.training().poisoned(), b.training().poisoned());
    }

    @Test
    void aCleanSplitAsLargeAsTheDataIsAConfigError() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> PreparedData.prepare(TestImages.random(50, 10, 1), attack, 50, 1));
        assertEquals("defender.clean-split", e.key());
    }

    private static String fingerprint(ImageSet s, int i) {
        return java.util.Arrays.toString(java.util.Arrays.copyOfRange(s.pixels(), i * ImageSet.IMAGE_BYTES,
                (i + 1) * ImageSet.IMAGE_BYTES));
    }
}
