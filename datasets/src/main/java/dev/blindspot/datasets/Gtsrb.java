package dev.blindspot.datasets;

import com.typesafe.config.Config;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;

import java.nio.charset.StandardCharsets;

/**
 * {@code gtsrb}: the German Traffic Sign Recognition Benchmark (Stallkamp et al., 2012), 43 classes, in its
 * official layout under {@code path} (the directory holding {@code Final_Training} and {@code Final_Test},
 * i.e. {@code GTSRB/}): {@code Final_Training/Images/000NN/*.ppm} with {@code GT-000NN.csv}, and
 * {@code Final_Test/Images/*.ppm} with {@code GT-final_test.csv} (in {@code Final_Test/} or its
 * {@code Images/}). CSV rows are {@code Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId}.
 * Images of any size are resized to 32×32 (bilinear, whole image); with {@code roi-crop = true} the ROI is
 * cropped first, scaled when the image is not the CSV's Width×Height. No augmentation, as the study.
 */
public final class Gtsrb implements DatasetSource {
    public static final String NAME = "gtsrb";
    public static final int CLASSES = 43;
    static final Normalization NORMALIZATION = new Normalization(new float[] {0.3403f, 0.3121f, 0.3214f},
            new float[] {0.2724f, 0.2608f, 0.2669f});
    private static final String HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Config config) {
        DatasetPaths.require(config, NAME);
        config.getBoolean("roi-crop");
    }

    @Override
    public DatasetSplits load(Config config) {
        DatasetDownload.ensurePresent(NAME, config, "Final_Training", java.util.Map.of("GT-final_test.csv", "Final_Test"));
        DataFiles files = new DataFiles(DatasetPaths.require(config, NAME));
        boolean roi = config.getBoolean("roi-crop");
        if (!files.isDirectory("Final_Training/Images") || !files.isDirectory("Final_Test")) {
            throw new DatasetFormatException(files.root(), "not the GTSRB layout: expected Final_Training/Images/ "
                    + "and Final_Test/ (point datasets.gtsrb.path at the GTSRB directory)");
        }
        Accumulator train = new Accumulator();
        for (String dir : files.list("Final_Training/Images")) {
            if (!dir.matches("\\d{5}")) {
                continue;
            }
            String base = "Final_Training/Images/" + dir + "/";
            readCsv(files, base, base + "GT-" + dir + ".csv", roi, train);
        }
        if (train.size() == 0) {
            throw new DatasetFormatException(files.resolve("Final_Training/Images").toString(), "no class folder 000NN with images");
        }
        String testCsv = files.exists("Final_Test/GT-final_test.csv") ? "Final_Test/GT-final_test.csv"
                : "Final_Test/Images/GT-final_test.csv";
        Accumulator test = new Accumulator();
        readCsv(files, "Final_Test/Images/", testCsv, roi, test);
        return new DatasetSplits(NAME, train.toImageSet(), test.toImageSet(), NORMALIZATION, Augmentation.NONE);
    }

    private static void readCsv(DataFiles files, String imageDir, String csv, boolean roi, Accumulator out) {
        String csvPath = files.resolve(csv).toString();
        String[] lines = new String(files.read(csv), StandardCharsets.UTF_8).split("\r?\n");
        if (lines.length == 0 || !lines[0].trim().equals(HEADER)) {
            throw new DatasetFormatException(csvPath, "first line is not the GTSRB header '" + HEADER + "'");
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(";");
            if (f.length != 8) {
                throw new DatasetFormatException(csvPath, "line " + (i + 1) + " has " + f.length + " fields, expected 8");
            }
            int[] v = new int[7];
            for (int k = 0; k < 7; k++) {
                try {
                    v[k] = Integer.parseInt(f[k + 1].trim());
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(csvPath, "line " + (i + 1) + ": '" + f[k + 1] + "' is not a number");
                }
            }
            int label = v[6];
            if (label < 0 || label >= CLASSES) {
                throw new DatasetFormatException(csvPath, "line " + (i + 1) + ": ClassId " + label + " is outside 0.." + (CLASSES - 1));
            }
            String image = imageDir + f[0].trim();
            if (!files.exists(image)) {
                throw new DatasetFormatException(csvPath, "line " + (i + 1) + " names " + files.resolve(image) + ", which is missing");
            }
            Ppm.Image img = Ppm.decode(files.read(image), files.resolve(image).toString());
            int x1 = 0;
            int y1 = 0;
            int x2 = img.width() - 1;
            int y2 = img.height() - 1;
            if (roi) {
                double sx = (double) img.width() / v[0];
                double sy = (double) img.height() / v[1];
                x1 = (int) Math.floor(v[2] * sx);
                y1 = (int) Math.floor(v[3] * sy);
                x2 = (int) Math.ceil((v[4] + 1) * sx) - 1;
                y2 = (int) Math.ceil((v[5] + 1) * sy) - 1;
            }
            out.add(img, x1, y1, x2, y2, label);
        }
    }

    /** Growing buffer of 32×32 planar images. */
    private static final class Accumulator {
        private byte[] pixels = new byte[1024 * ImageSet.IMAGE_BYTES];
        private int[] labels = new int[1024];
        private int n;

        void add(Ppm.Image img, int x1, int y1, int x2, int y2, int label) {
            if (n == labels.length) {
                pixels = java.util.Arrays.copyOf(pixels, pixels.length * 2);
                labels = java.util.Arrays.copyOf(labels, labels.length * 2);
            }
            Ppm.toPlanar32(img, x1, y1, x2, y2, pixels, n * ImageSet.IMAGE_BYTES);
            labels[n++] = label;
        }

        int size() {
            return n;
        }

        ImageSet toImageSet() {
            return new ImageSet(java.util.Arrays.copyOf(pixels, n * ImageSet.IMAGE_BYTES),
                    java.util.Arrays.copyOf(labels, n), CLASSES);
        }
    }
}
