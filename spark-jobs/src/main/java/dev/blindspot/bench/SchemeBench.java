package dev.blindspot.bench;

import dev.blindspot.attack.BadNet;
import dev.blindspot.data.ImageSet;
import dev.blindspot.datasets.DatasetSplits;
import dev.blindspot.datasets.PreparedDataset;
import dev.blindspot.experiment.PreparedData;
import dev.blindspot.metrics.Metrics;
import dev.blindspot.model.Classifier;
import dev.blindspot.nd4j.NativeKernels;
import dev.blindspot.precision.PrecisionScheme;
import dev.blindspot.precision.PrecisionSchemes;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * {@code make bench-schemes MODEL=… DATA=…}: every precision scheme applied to one stored model (no
 * retraining): clean accuracy and ASR on the test set, and how long applying and evaluating each takes.
 * args: model zip, prepared dataset (.bsds), seed the model was trained with, clean-split size.
 */
public final class SchemeBench {
    private SchemeBench() {
    }

    public static void main(String[] args) throws Exception {
        NativeKernels.enable(NativeKernels.Policy.REQUIRE, Runtime.getRuntime().availableProcessors());
        DatasetSplits d = PreparedDataset.load(args[1]);
        long seed = Long.parseLong(args[2]);
        int cleanSplit = Integer.parseInt(args[3]);
        BadNet attack = new BadNet(3, 0.10, 0);
        PreparedData prepared = PreparedData.prepare(d.train(), attack, cleanSplit, seed);
        ImageSet calibration = prepared.cleanSplit().subset(IntStream.range(0, Math.min(512, cleanSplit)).toArray());
        Classifier fp32;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            fp32 = Classifier.load(in, d.normalization());
        }
        ImageSet triggered = attack.stampAll(d.test());
        System.out.printf("%s, %d test images, model %s%n", d.name(), d.test().size(), Path.of(args[0]).getFileName());
        System.out.printf("%-13s %10s %8s %8s %10s %10s%n", "precision", "clean acc", "ASR", "ASR all", "apply s", "eval s");
        for (String name : PrecisionSchemes.registry().names()) {
            PrecisionScheme scheme = PrecisionSchemes.byName(name);
            long t0 = System.nanoTime();
            Classifier q = scheme.apply(fp32, calibration);
            long t1 = System.nanoTime();
            int[] clean = q.predict(d.test());
            int[] trig = q.predict(triggered);
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%-13s %9.1f%% %7.1f%% %7.1f%% %10.2f %10.2f%n", name,
                    100 * Metrics.accuracy(clean, d.test().labels()),
                    100 * Metrics.attackSuccess(trig, d.test().labels(), attack.target(), true),
                    100 * Metrics.attackSuccess(trig, d.test().labels(), attack.target(), false),
                    (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        }
    }
}
