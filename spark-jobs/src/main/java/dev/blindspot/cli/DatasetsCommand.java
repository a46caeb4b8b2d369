package dev.blindspot.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.blindspot.data.ImageSet;
import dev.blindspot.data.Normalization;
import dev.blindspot.datasets.DatasetSource;
import dev.blindspot.datasets.DatasetSources;
import dev.blindspot.datasets.DatasetSplits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code blindspot datasets}: look at a dataset before running a grid on it. */
@Command(name = "datasets", mixinStandardHelpOptions = true, description = "Dataset tools.",
        subcommands = {DatasetsCommand.Inspect.class})
public final class DatasetsCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand, e.g. 'datasets inspect'");
    }

    /** {@code blindspot datasets inspect --dataset gtsrb --path DIR}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Read a dataset and print its split sizes, per-class counts and per-channel mean/std.")
    static final class Inspect implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--dataset", required = true, paramLabel = "NAME", description = "cifar10, gtsrb or synthetic")
        String dataset;

        @Option(names = "--path", paramLabel = "DIR", description = "The dataset directory (any Hadoop URI).")
        String path;

        @Override
        public Integer call() {
            if (!DatasetSources.registry().contains(dataset)) {
                throw new Blindspot.UsageException("--dataset: " + DatasetSources.registry().unknown(dataset), null);
            }
            DatasetSource source = DatasetSources.byName(dataset);
            var config = ConfigFactory.defaultReference().getConfig("blindspot.datasets." + dataset);
            if (path != null) {
                config = config.withValue("path", ConfigValueFactory.fromAnyRef(path));
            }
            DatasetSplits d;
            try {
                d = source.load(config);
            } catch (IllegalArgumentException | ConfigException e) {
                throw new Blindspot.UsageException(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s: %d training and %d test images, %d classes%n", dataset, d.train().size(), d.test().size(),
                    d.train().numClasses());
            print(out, "train", d.train());
            print(out, "test", d.test());
            out.printf("normalization used for batches: %s%n", d.normalization().describe());
            out.printf("content hash: %s%n", d.contentHash());
            return 0;
        }

        private static void print(PrintWriter out, String split, ImageSet set) {
            Normalization stats = Normalization.of(set);
            out.printf(Locale.ROOT, "%s: mean (%.4f, %.4f, %.4f) std (%.4f, %.4f, %.4f)%n", split,
                    stats.mean()[0], stats.mean()[1], stats.mean()[2], stats.std()[0], stats.std()[1], stats.std()[2]);
            int[] counts = set.classCounts();
            StringBuilder sb = new StringBuilder(split + " per class:");
            for (int c = 0; c < counts.length; c++) {
                sb.append(c % 10 == 0 ? "\n  " : " ").append(String.format(Locale.ROOT, "%2d:%-5d", c, counts[c]));
            }
            out.println(sb);
        }
    }
}
