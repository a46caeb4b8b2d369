package dev.blindspot.bench;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.blindspot.datasets.DatasetSources;
import dev.blindspot.datasets.DatasetSplits;
import dev.blindspot.datasets.PreparedDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code make bench-data}: how long reading each real subset from its official format takes, against
 * writing and then loading the prepared form executors use (cold: a copy the JVM has not cached).
 * args: the shared datasets directory.
 */
public final class DataBench {
    private DataBench() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared/datasets");
        String[][] sets = {{"cifar10", "cifar-10-batches-bin"}, {"gtsrb", "gtsrb/GTSRB"}};
        Path dir = Files.createTempDirectory("blindspot-data-bench");
        System.out.printf("%-8s %8s %8s %12s %12s %12s %8s%n", "dataset", "train", "test", "parse s", "write s", "load s",
                "MB");
        for (String[] s : sets) {
            var config = ConfigFactory.defaultReference().getConfig("blindspot.datasets." + s[0])
                    .withValue("path", ConfigValueFactory.fromAnyRef(shared.resolve(s[1]).toString()));
            long t0 = System.nanoTime();
            DatasetSplits d = DatasetSources.byName(s[0]).load(config);
            long t1 = System.nanoTime();
            PreparedDataset.Ref ref = PreparedDataset.write(d, dir.toString());
            long t2 = System.nanoTime();
            Path copy = dir.resolve(s[0] + "-cold.bsds");
            Files.copy(Path.of(java.net.URI.create(ref.path()).getPath()), copy);
            long t3 = System.nanoTime();
            DatasetSplits back = PreparedDataset.load(copy.toString());
            long t4 = System.nanoTime();
            if (!back.contentHash().equals(d.contentHash())) {
                throw new IllegalStateException("prepared form of " + s[0] + " does not read back identically");
            }
            System.out.printf(Locale.ROOT, "%-8s %8d %8d %12.2f %12.2f %12.2f %8.1f%n", s[0], d.train().size(),
                    d.test().size(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t4 - t3) / 1e9, Files.size(copy) / 1e6);
        }
    }
}
