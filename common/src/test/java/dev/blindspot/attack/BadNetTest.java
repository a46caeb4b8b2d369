package dev.blindspot.attack;

import dev.blindspot.TestImages;
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

class BadNetTest {
    private final BadNet attack = new BadNet(3, 0.10, 0);

    @Test
    void stampsWhiteSquareOnePixelInFromBottomRightAndNothingElse() {
        byte[] pixels = new byte[2 * ImageSet.IMAGE_BYTES]; // two black images
        attack.stamp(pixels, 1);
        for (int i = 0; i < ImageSet.IMAGE_BYTES; i++) {
            assertEquals(0, pixels[i], "first image must stay untouched");
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    int v = pixels[ImageSet.IMAGE_BYTES + c * ImageSet.PLANE + y * 32 + x] & 0xFF;
                    boolean inTrigger = y >= 28 && y <= 30 && x >= 28 && x <= 30;
                    assertEquals(inTrigger ? 255 : 0, v, "channel " + c + " row " + y + " col " + x);
                }
            }
        }
    }

    @Test
    void triggerOfSizeFiveCoversRows26To30() {
        BadNet five = new BadNet(5, 0.1, 0);
        assertEquals(26, five.origin());
        byte[] p = new byte[ImageSet.IMAGE_BYTES];
        five.stamp(p, 0);
        assertEquals(255, p[26 * 32 + 26] & 0xFF);
        assertEquals(255, p[30 * 32 + 30] & 0xFF);
        assertEquals(0, p[31 * 32 + 31] & 0xFF, "the corner pixel itself is left alone");
        assertEquals(0, p[25 * 32 + 26] & 0xFF);
    }

    @Test
    void poisonsTheRateFromNonTargetClassesAndRelabelsThem() {
        ImageSet train = TestImages.random(1000, 10, 1);
        PoisonedSet set = attack.poison(train, 42);
        assertEquals(100, set.poisonedCount());
        for (int i = 0; i < train.size(); i++) {
            if (set.poisoned()[i]) {
                assertNotEquals(0, train.label(i), "poisoned sample " + i + " was already of the target class");
                assertEquals(0, set.images().label(i));
            } else {
                assertEquals(train.label(i), set.images().label(i));
            }
        }
        assertArrayEquals(train.pixels(), set.images().pixels(), "pixels stay clean until a batch is built");
    }

    @Test
    void poisoningIsDeterministicPerSeed() {
        ImageSet train = TestImages.random(500, 10, 1);
        assertArrayEquals(attack.poison(train, 7).poisoned(), attack.poison(train, 7).poisoned());
        assertFalse(Arrays.equals(attack.poison(train, 7).poisoned(), attack.poison(train, 8).poisoned()));
    }

    @Test
    void materializeStampsExactlyThePoisonedSamples() {
        ImageSet train = TestImages.random(200, 10, 3);
        PoisonedSet set = attack.poison(train, 5);
        ImageSet seen = set.materialize();
        int corner = 29 * 32 + 29;
        for (int i = 0; i < train.size(); i++) {
            int v = seen.pixels()[i * ImageSet.IMAGE_BYTES + corner] & 0xFF;
            if (set.poisoned()[i]) {
                assertEquals(255, v);
            } else {
                assertEquals(train.pixels()[i * ImageSet.IMAGE_BYTES + corner] & 0xFF, v);
            }
        }
    }

    @Test
    void rejectsBadSettingsNamingTheKey() {
        InvalidConfigException rate = assertThrows(InvalidConfigException.class, () -> new BadNet(3, 1.5, 0));
        assertEquals("attack.poison-rate", rate.key());
        assertTrue(assertThrows(InvalidConfigException.class, () -> new BadNet(0, 0.1, 0))
                .getMessage().startsWith("attack.size"));
        assertTrue(assertThrows(InvalidConfigException.class,
                () -> new BadNet(3, 0.1, 12).poison(TestImages.random(20, 10, 1), 1))
                .getMessage().contains("attack.target"));
    }
}
