package dev.blindspot.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NormalizationTest {
    private final Normalization norm = new Normalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f});

    @Test
    void rawValuesInRangeNormalizeAsTheirBytes() {
        byte[] bytes = new byte[2 * ImageSet.IMAGE_BYTES];
        float[] raw = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37);
            raw[i] = bytes[i] & 0xFF;
        }
        INDArray fromBytes = norm.toInput(bytes, 0, 2);
        assertArrayEquals(fromBytes.shape(), new long[] {2, 3, 32, 32});
        assertArrayEquals(fromBytes.data().asFloat(), norm.toInput(raw, 2).data().asFloat(), 0f);
        // the byte path's offset: image 1 alone is the second half
        assertArrayEquals(norm.toInput(bytes, 1, 1).data().asFloat(),
                java.util.Arrays.copyOfRange(fromBytes.data().asFloat(), ImageSet.IMAGE_BYTES, 2 * ImageSet.IMAGE_BYTES), 0f);
    }

    @Test
    void valuesAboveWhiteStayLinear() {
        // An unclipped sum of two white images (510) lies as far above white as white lies above black.
        float[] raw = new float[ImageSet.IMAGE_BYTES];
        java.util.Arrays.fill(raw, 510f);
        float green = norm.toInput(raw, 1).getFloat(0, 1, 5, 5);
        assertEquals((2f - 0.4f) / 0.25f, green, 1e-5f);
    }

    @Test
    void tooFewValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> norm.toInput(new float[ImageSet.IMAGE_BYTES], 2));
    }
}
