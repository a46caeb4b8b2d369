package dev.blindspot.datasets;

import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Cifar10Test {
    @TempDir
    Path tmp;

    @Test
    void readsTheRealSubset() {
        DatasetSplits d = new Cifar10().load(RealSubsets.config("cifar10", RealSubsets.dir("cifar-10-batches-bin")));
        assertEquals(20_000, d.train().size());
        assertEquals(1_000, d.test().size());
        for (int count : d.train().classCounts()) {
            assertTrue(count >= 1900 && count <= 2100, "class count " + count);
        }
        assertEquals(6, d.train().label(0), "the first training image is a frog");
        assertArrayEquals(new int[] {3, 8, 8, 0, 6}, java.util.Arrays.copyOf(d.test().labels(), 5));
        Normalization stats = Normalization.of(d.train());
        float[] want = {0.491f, 0.482f, 0.447f};
        for (int c = 0; c < 3; c++) {
            assertEquals(want[c], stats.mean()[c], 0.01, "channel " + c + " mean");
        }
        assertEquals(Augmentation.CROP_FLIP, d.augmentation());
        assertEquals(0.4914f, d.normalization().mean()[0], 1e-6, "the study's normalization, not the subset's");
    }

    private Path batchDir(byte[] train, byte[] test) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        Files.write(dir.resolve("data_batch_1.bin"), train);
        if (test != null) {
            Files.write(dir.resolve("test_batch.bin"), test);
        }
        return dir;
    }

    private static byte[] records(int n, int label) {
        byte[] b = new byte[n * 3073];
        for (int i = 0; i < n; i++) {
            b[i * 3073] = (byte) label;
            b[i * 3073 + 1] = (byte) (i + 1);
        }
        return b;
    }

    @Test
    void readsAnyRecordCountInTheOfficialLayout() throws IOException {
        Path dir = batchDir(records(3, 4), records(2, 9));
        Files.write(dir.resolve("data_batch_2.bin"), records(1, 7));
        DatasetSplits d = new Cifar10().load(RealSubsets.config("cifar10", dir));
        assertArrayEquals(new int[] {4, 4, 4, 7}, d.train().labels());
        assertEquals(2, d.train().pixels()[ImageSet.IMAGE_BYTES] & 0xFF, "pixels follow the label byte");
        assertEquals(2, d.test().size());
    }

    @Test
    void aFileWhoseSizeIsNotAMultipleOf3073() throws IOException {
        Path dir = batchDir(java.util.Arrays.copyOf(records(2, 1), 3073 * 2 - 5), records(1, 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Cifar10().load(RealSubsets.config("cifar10", dir)));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("multiple of 3073"), e.getMessage());
    }

    @Test
    void aLabelByteOfTenOrMore() throws IOException {
        Path dir = batchDir(records(2, 10), records(1, 1));
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Cifar10().load(RealSubsets.config("cifar10", dir)));
        assertTrue(e.getMessage().contains("data_batch_1.bin") && e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void aMissingTestBatch() throws IOException {
        Path dir = batchDir(records(2, 1), null);
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> new Cifar10().load(RealSubsets.config("cifar10", dir)));
        assertTrue(e.getMessage().contains("test_batch.bin") && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aDirectoryInNeitherLayout() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(dir.resolve("readme.txt"), "hello");
        assertTrue(assertThrows(DatasetFormatException.class, () -> new Cifar10().load(RealSubsets.config("cifar10", dir)))
                .getMessage().contains("no data_batch_N.bin"));
        assertTrue(assertThrows(DatasetFormatException.class, () -> new Gtsrb().load(RealSubsets.config("gtsrb", dir)))
                .getMessage().contains("not the GTSRB layout"));
    }
}
