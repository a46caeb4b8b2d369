package dev.blindspot.datasets;

import com.typesafe.config.Config;
import dev.blindspot.data.Augmentation;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cifar10}: CIFAR-10 (Krizhevsky, 2009) in its official binary version: every
 * {@code data_batch_N.bin} present is training data (in N order), {@code test_batch.bin} the test split.
 * Records of 3073 bytes: one label byte (0–9), then 1024 red, 1024 green and 1024 blue bytes, row-major —
 * the layout {@link ImageSet} keeps, so pixels are copied as they are. Normalization is the study's
 * (mean 0.4914, 0.4822, 0.4465; std 0.2023, 0.1994, 0.2010); augmentation is random crop (pad 4) and flip.
 */
public final class Cifar10 implements DatasetSource {
    public static final String NAME = "cifar10";
    public static final int CLASSES = 10;
    private static final int RECORD = 1 + ImageSet.IMAGE_BYTES;
    private static final Pattern TRAIN_BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");
    static final Normalization NORMALIZATION = new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f},
            new float[] {0.2023f, 0.1994f, 0.2010f});

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(Config config) {
        DatasetPaths.require(config, NAME);
    }

    @Override
    public DatasetSplits load(Config config) {
        DatasetDownload.ensurePresent(NAME, config, "test_batch.bin", java.util.Map.of());
        DataFiles files = new DataFiles(DatasetPaths.require(config, NAME));
        if (!files.isDirectory("")) {
            throw new DatasetFormatException(files.root(), "not a directory (expected CIFAR-10's binary batches)");
        }
        List<String[]> batches = new ArrayList<>();
        for (String name : files.list("")) {
            Matcher m = TRAIN_BATCH.matcher(name);
            if (m.matches()) {
                batches.add(new String[] {m.group(1), name});
            }
        }
        if (batches.isEmpty()) {
            throw new DatasetFormatException(files.root(), "no data_batch_N.bin: not a CIFAR-10 binary directory");
        }
        batches.sort((a, b) -> Integer.compare(Integer.parseInt(a[0]), Integer.parseInt(b[0])));
        List<byte[]> raw = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String[] b : batches) {
            raw.add(files.read(b[1]));
            names.add(files.resolve(b[1]).toString());
        }
        ImageSet train = parse(raw, names);
        if (!files.exists("test_batch.bin")) {
            throw new DatasetFormatException(files.resolve("test_batch.bin").toString(), "missing (the test split)");
        }
        ImageSet test = parse(List.of(files.read("test_batch.bin")), List.of(files.resolve("test_batch.bin").toString()));
        return new DatasetSplits(NAME, train, test, NORMALIZATION, Augmentation.CROP_FLIP);
    }

    /** Parses whole batch files; every file's size must be a multiple of 3073 and every label 0–9. */
    static ImageSet parse(List<byte[]> files, List<String> names) {
        int total = 0;
        for (int f = 0; f < files.size(); f++) {
            int len = files.get(f).length;
            if (len == 0 || len % RECORD != 0) {
                throw new DatasetFormatException(names.get(f), "size " + len + " is not a positive multiple of "
                        + RECORD + " (1 label byte + 3072 pixel bytes per record)");
            }
            total += len / RECORD;
        }
        byte[] pixels = new byte[total * ImageSet.IMAGE_BYTES];
        int[] labels = new int[total];
        int i = 0;
        for (int f = 0; f < files.size(); f++) {
            byte[] data = files.get(f);
            for (int off = 0; off < data.length; off += RECORD, i++) {
                int label = data[off] & 0xFF;
                if (label >= CLASSES) {
                    throw new DatasetFormatException(names.get(f), "record " + (off / RECORD) + " has label " + label
                            + ", outside 0.." + (CLASSES - 1));
                }
                labels[i] = label;
                System.arraycopy(data, off + 1, pixels, i * ImageSet.IMAGE_BYTES, ImageSet.IMAGE_BYTES);
            }
        }
        return new ImageSet(pixels, labels, CLASSES);
    }
}
