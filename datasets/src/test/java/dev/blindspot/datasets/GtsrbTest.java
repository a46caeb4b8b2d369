package dev.blindspot.datasets;

import dev.blindspot.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GtsrbTest {
    private static final String HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n";

    @TempDir
    Path tmp;

    @Test
    void readsTheRealSubset() {
        DatasetSplits d = new Gtsrb().load(RealSubsets.config("gtsrb", RealSubsets.dir("gtsrb/GTSRB")));
        assertEquals(19_890, d.train().size());
        assertEquals(4_000, d.test().size());
        for (int c = 0; c < 43; c++) {
            assertTrue(d.train().classCounts()[c] > 0, "class " + c + " missing from train");
        }
        assertEquals(16, d.test().label(0), "first test row of GT-final_test.csv");
    }

    /** A P6 image of the given size, every pixel (r, g, b) = (x, y, 7), with a comment line. */
    static byte[] ppm(int w, int h, String magic, int max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((magic + "\n# made by the test\n" + w + " " + h + "\n" + max + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.write(x);
                out.write(y);
                out.write(7);
            }
        }
        return out.toByteArray();
    }

    private Path layout(String trainCsvRows, byte[] image) throws IOException {
        Path root = tmp.resolve("GTSRB");
        Path cls = Files.createDirectories(root.resolve("Final_Training/Images/00002"));
        Files.write(cls.resolve("00000_00000.ppm"), image);
        Files.writeString(cls.resolve("GT-00002.csv"), HEADER + trainCsvRows);
        Path test = Files.createDirectories(root.resolve("Final_Test/Images"));
        Files.write(test.resolve("00000.ppm"), ppm(32, 32, "P6", 255));
        Files.writeString(root.resolve("Final_Test/GT-final_test.csv"), HEADER + "00000.ppm;32;32;0;0;31;31;5\n");
        return root;
    }

    @Test
    void resizesAnySizeBilinearlyAndCropsTheScaledRoi() throws IOException {
        Path root = layout("00000_00000.ppm;64;64;0;0;63;63;2\n", ppm(64, 64, "P6", 255));
        DatasetSplits whole = new Gtsrb().load(RealSubsets.config("gtsrb", root));
        assertEquals(2, whole.train().label(0));
        byte[] p = whole.train().pixels();
        // 64 -> 32: output x samples source x = 2x + 0.5, i.e. the mean of columns 2x and 2x+1
        assertEquals(Math.round(2 * 5 + 0.5), p[5] & 0xFF, "red at (0, 5) follows source x");
        assertEquals(Math.round(2 * 9 + 0.5), p[ImageSet.PLANE + 9 * 32] & 0xFF, "green at (9, 0) follows source y");
        assertEquals(7, p[2 * ImageSet.PLANE + 100] & 0xFF);

        // ROI given for a 128x128 original while the file is 64x64: scaled by 1/2 -> columns 16..47
        Path roiRoot = tmp.resolve("roi");
        Files.move(root, roiRoot);
        Files.writeString(roiRoot.resolve("Final_Training/Images/00002/GT-00002.csv"), HEADER + "00000_00000.ppm;128;128;32;32;95;95;2\n");
        var cfg = RealSubsets.config("gtsrb", roiRoot).withValue("roi-crop", com.typesafe.config.ConfigValueFactory.fromAnyRef(true));
        byte[] r = new Gtsrb().load(cfg).train().pixels();
        assertEquals(16, r[0] & 0xFF, "crop starts at column 16");
        assertEquals(47, r[31] & 0xFF, "and ends at column 47");
    }

    private void assertBad(Path root, String... fragments) {
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Gtsrb().load(RealSubsets.config("gtsrb", root)));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
        }
    }

    @Test
    void aWrongMagicNumber() throws IOException {
        assertBad(layout("00000_00000.ppm;32;32;0;0;31;31;2\n", ppm(32, 32, "P3", 255)), "00000_00000.ppm", "P6");
    }

    @Test
    void aMaxValueOtherThan255() throws IOException {
        assertBad(layout("00000_00000.ppm;32;32;0;0;31;31;2\n", ppm(32, 32, "P6", 65535)), "00000_00000.ppm", "maximum value 65535");
    }

    @Test
    void truncatedPixels() throws IOException {
        byte[] img = ppm(32, 32, "P6", 255);
        assertBad(layout("00000_00000.ppm;32;32;0;0;31;31;2\n", java.util.Arrays.copyOf(img, img.length - 10)),
                "00000_00000.ppm", "truncated");
    }

    @Test
    void aCsvRowNamingAMissingImage() throws IOException {
        assertBad(layout("00000_00000.ppm;32;32;0;0;31;31;2\n00000_00009.ppm;32;32;0;0;31;31;2\n", ppm(32, 32, "P6", 255)),
                "GT-00002.csv", "line 3", "00000_00009.ppm", "missing");
    }

    @Test
    void aClassIdOutsideTheRange() throws IOException {
        assertBad(layout("00000_00000.ppm;32;32;0;0;31;31;43\n", ppm(32, 32, "P6", 255)), "GT-00002.csv", "ClassId 43");
    }
}
